// Deleted data is gone from the files, not only unlinked: every connection runs with
// secure_delete, so once the WAL is checkpointed neither the database nor its -wal file holds
// the bytes of a deleted log line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "storage/log_store.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {

// The whole file ("" when it does not exist, e.g. a -wal file removed on close).
std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool file_holds(const std::filesystem::path& path, const std::string& marker) {
  return file_bytes(path).find(marker) != std::string::npos;
}

// A marker no page holds by chance: the tests look for these bytes in the raw files.
const std::string kMarker = "secret-marker-7f3c9a1e5b2d4086";

// Stores a line holding kMarker next to one that stays, checkpoints (the marker must really reach
// the file, or its absence later proves nothing), deletes the marked line and checkpoints
// again. `before_delete` may change the connection first.
template <class Change>
void write_then_delete_marker(LogStore& store, Change before_delete) {
  const int64_t ana = store.users().ensure("ana", "UTC");
  LogEntry kept;
  kept.user_id = ana;
  kept.t_utc_ms = 1'700'000'000'000;
  kept.modality = "note";
  kept.text = "an ordinary line that stays";
  LogEntry secret = kept;
  secret.t_utc_ms = 1'700'000'060'000;
  secret.text = "I said " + kMarker + " out loud";
  store.log().add({kept, secret});
  store.database().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  REQUIRE(file_holds(store.database().path(), kMarker));

  before_delete(store.database());
  const auto erased = store.erasure().remove_between(ana, 1'700'000'030'000, 1'700'000'090'000);
  CHECK(erased.log_lines == 1);
  CHECK(store.count("log_entries") == 1);
  store.database().exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace

TEST_CASE("A deleted log line leaves no trace in the database or its WAL", "[storage][secure_delete]") {
  const std::filesystem::path db_path = test::make_temp_dir("secure_delete") + "/log.db";
  const std::filesystem::path wal_path = db_path.string() + "-wal";
  {
    LogStore store(db_path.string());
    // Some SQLite builds (Debian's) default to ON anyway; the store must not rely on that.
    CHECK(store.database().query_int64("PRAGMA secure_delete") == 1);
    write_then_delete_marker(store, [](Database&) {});
    CHECK_FALSE(file_holds(db_path, kMarker));
    CHECK_FALSE(file_holds(wal_path, kMarker));
  }
  // Closed: the last connection checkpoints again and removes the WAL.
  CHECK_FALSE(file_holds(db_path, kMarker));
  CHECK_FALSE(file_holds(wal_path, kMarker));
  CHECK(file_holds(db_path, "an ordinary line that stays"));
}

TEST_CASE("Without secure_delete the same steps leave the deleted bytes in the file", "[storage][secure_delete]") {
  // The control: proves the check above can see leftovers, so its passing means something.
  const std::filesystem::path db_path = test::make_temp_dir("insecure_delete") + "/log.db";
  LogStore store(db_path.string());
  write_then_delete_marker(store, [](Database& db) { db.exec("PRAGMA secure_delete = OFF"); });
  CHECK(file_holds(db_path, kMarker));
}
