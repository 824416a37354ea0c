#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "embedded_test_fixture_files.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(test::source_dir() + "/tests/unit/common/embed_fixture/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("Embedded files keep their order, names relative to BASE_DIR and exact bytes", "[common][embed]") {
  const EmbeddedFiles files = embedded_test_fixture_files();
  REQUIRE(files.count == 2);
  CHECK(std::string(files.files[0].name) == "hello.txt");
  CHECK(std::string(files.files[1].name) == "nested/bytes.bin");
  for (const EmbeddedFile& file : files) {
    INFO(file.name);
    CHECK(file.text() == read_source_file(file.name));
    CHECK(file.data[file.size] == 0);                                  // NUL after the bytes
    CHECK(reinterpret_cast<std::uintptr_t>(file.data) % 64 == 0);     // tensors can be read in place
  }
  CHECK(files.files[1].size == 6);  // NUL and 0xff bytes are data, not terminators
}
