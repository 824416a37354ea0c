#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/model/float16.h"
#include "tagger/model/safetensors.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
namespace fs = std::filesystem;

namespace {

template <typename T>
TensorData tensor_of(DType dtype, std::vector<int64_t> shape, const std::vector<T>& values) {
  TensorData t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.bytes.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

SafetensorsFile sample_file() {
  SafetensorsFile f;
  f.metadata = {{"format", "test"}, {"note", "ünïcode ✓"}};
  const std::vector<float> f32 = {1.5f, -2.25f, 0.0f, 3e-8f, 1e30f, -0.0f};
  f.tensors["a.f32"] = tensor_of(DType::F32, {2, 3}, f32);
  f.tensors["b.f64"] = tensor_of(DType::F64, {3}, std::vector<double>{0.1, -1e300, 42.0});
  f.tensors["c.f16"] = tensor_from_f32({2, 2}, std::vector<float>{0.5f, -2.0f, 65504.0f, 0.1f}.data(), DType::F16);
  f.tensors["d.bf16"] = tensor_from_f32({4}, std::vector<float>{1.0f, -3.0f, 0.15625f, 256.0f}.data(), DType::BF16);
  f.tensors["e.i64"] = tensor_of(DType::I64, {2}, std::vector<int64_t>{-5, int64_t(1) << 40});
  f.tensors["f.i32"] = tensor_of(DType::I32, {1, 1, 3}, std::vector<int32_t>{7, -8, 2147483647});
  f.tensors["g.u8"] = tensor_of(DType::U8, {5}, std::vector<uint8_t>{0, 1, 127, 128, 255});
  f.tensors["h.scalar"] = tensor_of(DType::F32, {}, std::vector<float>{9.0f});
  f.tensors["i.empty"] = tensor_of(DType::F32, {0, 4}, std::vector<float>{});
  return f;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A file made of a given header text (padded as the spec asks) and data bytes.
std::string raw_file(const std::string& header, const std::string& data) {
  std::string h = header;
  h.append((8 - h.size() % 8) % 8, ' ');
  uint64_t n = h.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + h + data;
}

// Asserts reading `path` fails with Corrupt, naming the file and containing `needle`.
void require_corrupt(const std::string& path, const std::string& needle) {
  try {
    read_safetensors(path);
    FAIL("expected Error(Corrupt) for " << needle);
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(e.kind() == ErrorKind::Corrupt);
    CHECK(std::string(e.what()).find(path) != std::string::npos);
    CHECK(std::string(e.what()).find(needle) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("safetensors: every dtype, scalar and empty tensors round-trip byte for byte", "[safetensors]") {
  const std::string dir = test::make_temp_dir("st-roundtrip");
  const std::string path = dir + "/all.safetensors";
  const SafetensorsFile written = sample_file();
  write_safetensors(path, written);
  const SafetensorsFile read = read_safetensors(path);
  CHECK(read.metadata == written.metadata);
  REQUIRE(read.tensors.size() == written.tensors.size());
  for (const auto& [name, t] : written.tensors) {
    INFO(name);
    const TensorData& r = read.tensors.at(name);
    CHECK(r.dtype == t.dtype);
    CHECK(r.shape == t.shape);
    CHECK(r.bytes == t.bytes);
  }
  CHECK(read.tensors.at("h.scalar").numel() == 1);
  CHECK(read.tensors.at("i.empty").numel() == 0);
  CHECK(tensor_to_f32(read.tensors.at("c.f16")) == std::vector<float>{0.5f, -2.0f, 65504.0f, f16_to_f32(0x2e66)});
  CHECK(tensor_to_f32(read.tensors.at("d.bf16")) == std::vector<float>{1.0f, -3.0f, 0.15625f, 256.0f});
  CHECK(tensor_to_f32(read.tensors.at("f.i32"))[1] == -8.0f);
  // No temporary files are left next to the target.
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
}

TEST_CASE("safetensors: layout follows the spec (padded header, aligned tensors)", "[safetensors]") {
  const std::string path = test::make_temp_dir("st-layout") + "/x.safetensors";
  write_safetensors(path, sample_file());
  const std::string bytes = slurp(path);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  CHECK(n % 8 == 0);
  const std::string header = bytes.substr(8, n);
  CHECK(header.front() == '{');
  const size_t close = header.find_last_of('}');
  CHECK(header.find_first_not_of(' ', close + 1) == std::string::npos);
  const auto json = nlohmann::json::parse(header);
  CHECK(json.contains("__metadata__"));
  for (const auto& [name, entry] : json.items()) {
    if (name == "__metadata__") continue;
    const uint64_t begin = entry["data_offsets"][0];
    const size_t elem = entry["dtype"] == "F64" || entry["dtype"] == "I64" ? 8
                        : entry["dtype"] == "F32" || entry["dtype"] == "I32" ? 4
                        : entry["dtype"] == "U8" ? 1 : 2;
    CHECK((8 + n + begin) % elem == 0);
  }
}

TEST_CASE("safetensors: an independent Python reader parses our files", "[safetensors]") {
  if (std::system("python3 -c 'import json, struct' >/dev/null 2>&1") != 0) {
    WARN("SKIPPED: python3 not available");
    test::mark_skipped();
    return;
  }
  const std::string dir = test::make_temp_dir("st-python");
  const std::string path = dir + "/py.safetensors";
  const SafetensorsFile written = sample_file();
  write_safetensors(path, written);
  const std::string script = test::source_dir() + "/tests/unit/model/test_bundle_safetensors_reader.py";
  const std::string out = dir + "/parsed.json";
  REQUIRE(std::system(("python3 '" + script + "' '" + path + "' > '" + out + "'").c_str()) == 0);
  const auto parsed = nlohmann::json::parse(slurp(out));
  CHECK(parsed["metadata"]["note"] == "ünïcode ✓");
  const auto& t = parsed["tensors"];
  CHECK(t.size() == written.tensors.size());
  CHECK(t["a.f32"]["shape"] == std::vector<int>{2, 3});
  CHECK(t["a.f32"]["values"][1].get<double>() == -2.25);
  CHECK(t["a.f32"]["values"][3].get<double>() == static_cast<double>(3e-8f));
  CHECK(t["b.f64"]["values"][0].get<double>() == 0.1);
  CHECK(t["c.f16"]["dtype"] == "F16");
  CHECK(t["c.f16"]["values"] == std::vector<double>{0.5, -2.0, 65504.0, 0.0999755859375});
  CHECK(t["d.bf16"]["values"] == std::vector<double>{1.0, -3.0, 0.15625, 256.0});
  CHECK(t["e.i64"]["values"][1].get<int64_t>() == (int64_t(1) << 40));
  CHECK(t["f.i32"]["values"] == std::vector<int>{7, -8, 2147483647});
  CHECK(t["g.u8"]["values"] == std::vector<int>{0, 1, 127, 128, 255});
  CHECK(t["h.scalar"]["shape"].empty());
  CHECK(t["i.empty"]["values"].empty());
}

TEST_CASE("safetensors: damaged files are rejected as Corrupt naming file and tensor", "[safetensors]") {
  const std::string dir = test::make_temp_dir("st-corrupt");
  const std::string p = dir + "/bad.safetensors";
  const std::string eight(8, '\1');
  const std::string f32 = R"("dtype":"F32","shape":[2])";

  spit(p, "abc");
  require_corrupt(p, "shorter than the 8-byte header length");

  std::string absurd(8, '\0');
  uint64_t big = uint64_t(1) << 40;
  std::memcpy(absurd.data(), &big, 8);
  spit(p, absurd + "{}");
  require_corrupt(p, "is absurd");

  std::string longer(8, '\0');
  uint64_t n = 64;
  std::memcpy(longer.data(), &n, 8);
  spit(p, longer + "{}      ");
  require_corrupt(p, "exceeds the file size");

  spit(p, raw_file(R"({"w": {"dtype":"F32")", ""));
  require_corrupt(p, "not valid JSON");

  spit(p, raw_file(R"({"w": {"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", eight));
  require_corrupt(p, "'w'");
  require_corrupt(p, "unsupported dtype");

  spit(p, raw_file(R"({"w": {"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight));
  require_corrupt(p, "'w'");
  require_corrupt(p, "need 12 bytes");

  spit(p, raw_file(R"({"w": {)" + f32 + R"(,"data_offsets":[0,8]}})", "1234"));
  require_corrupt(p, "past the 4 data bytes");

  spit(p, raw_file(R"({"w": {)" + f32 + R"(,"data_offsets":[0,8]}, "v": {)" + f32 + R"(,"data_offsets":[4,12]}})",
                   eight + "1234"));
  require_corrupt(p, "overlaps");

  spit(p, raw_file(R"({"w": {)" + f32 + R"(,"data_offsets":[4,12]}})", eight + "1234"));
  require_corrupt(p, "gap");

  // Read but not writable back (found by tests/fuzz/safetensors_fuzz).
  spit(p, raw_file(R"({"": {)" + f32 + R"(,"data_offsets":[0,8]}})", eight));
  require_corrupt(p, "tensor name is empty");

  spit(p, raw_file(R"({"w": {)" + f32 + R"(,"data_offsets":[0,8]}})", eight + "1234"));
  require_corrupt(p, "belong to no tensor");

  spit(p, raw_file(R"({"__metadata__": {"k": 3}, "w": {)" + f32 + R"(,"data_offsets":[0,8]}})", eight));
  require_corrupt(p, "__metadata__.k");

  spit(p, raw_file(R"({"w": {"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight));
  require_corrupt(p, "non-negative");

  spit(p, raw_file(R"({"w": {)" + f32 + R"(,"data_offsets":[8,0]}})", eight));
  require_corrupt(p, "end is before begin");

  spit(p, raw_file(R"([1, 2])", ""));
  require_corrupt(p, "start with '{'");

  // A valid file cut short anywhere is rejected.
  write_safetensors(p, sample_file());
  const std::string whole = slurp(p);
  for (size_t cut : {size_t(0), size_t(7), size_t(20), whole.size() / 2, whole.size() - 1}) {
    spit(p, whole.substr(0, cut));
    CHECK_THROWS_AS(read_safetensors(p), Error);
  }
}

TEST_CASE("safetensors: missing file is NotFound, invalid tensors are refused on write", "[safetensors]") {
  const std::string dir = test::make_temp_dir("st-errors");
  try {
    read_safetensors(dir + "/absent.safetensors");
    FAIL("expected NotFound");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
  }
  SafetensorsFile f;
  f.tensors["w"] = tensor_of(DType::F32, {3}, std::vector<float>{1, 2});
  CHECK_THROWS_AS(write_safetensors(dir + "/x.safetensors", f), Error);
  CHECK_FALSE(fs::exists(dir + "/x.safetensors"));
  CHECK_THROWS_AS(tensor_from_f32({1}, std::vector<float>{1}.data(), DType::I32), Error);
  try {
    write_safetensors(dir + "/no/such/dir/x.safetensors", sample_file());
    FAIL("expected Io");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Io);
  }
}

TEST_CASE("safetensors: overwriting replaces the file atomically", "[safetensors]") {
  const std::string dir = test::make_temp_dir("st-overwrite");
  const std::string path = dir + "/m.safetensors";
  write_safetensors(path, sample_file());
  SafetensorsFile smaller;
  smaller.tensors["only"] = tensor_of(DType::U8, {1}, std::vector<uint8_t>{9});
  write_safetensors(path, smaller);
  const SafetensorsFile read = read_safetensors(path);
  CHECK(read.tensors.size() == 1);
  CHECK(read.metadata.empty());
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
}
