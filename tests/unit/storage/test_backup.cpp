// Backups: a checked, standalone copy of a log database, made while another connection keeps
// writing, and put back in place by restore.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "storage/backup.h"
#include "storage/log_store.h"
#include "storage/schema.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
namespace fs = std::filesystem;

namespace {

// One user with `recordings` recordings of `lines` log lines each.
void fill(LogStore& store, const std::string& user, int recordings, int lines) {
  const int64_t id = store.users().ensure(user, "UTC");
  for (int r = 0; r < recordings; ++r) {
    RecordingRow row;
    row.user_id = id;
    row.source_key = user + "-" + std::to_string(r) + "-" + std::to_string(store.count("recordings"));
    row.tz = "UTC";
    row.model_id = "m";
    row.start_utc_ms = 1000 * r;
    const int64_t rec = store.recordings().create(row);
    std::vector<LogEntry> entries(lines);
    for (int i = 0; i < lines; ++i) {
      entries[i].offset_ms = i * 1000;
      entries[i].text = "walking " + std::string(200, 'x');  // rows big enough to span many pages
    }
    store.recordings().complete(rec, {}, entries);
  }
}

template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected an imu2clip::Error");
  return Error(ErrorKind::Internal, "unreachable");
}

}  // namespace

TEST_CASE("backup copies a database with data into a checked standalone file with the same counts",
          "[storage][backup]") {
  const auto dir = test::make_temp_dir("backup-copy");
  const std::string db = dir + "/log.db", out = dir + "/copy.db";
  {
    LogStore store(db);
    fill(store, "ana", 3, 50);
    fill(store, "bo", 1, 10);
  }
  int64_t last_done = -1, total = 0;
  const CopyReport report = backup_database(db, out, {false, 4}, [&](int64_t done, int64_t of) {
    CHECK(done >= last_done);
    last_done = done;
    total = of;
  });
  CHECK(report.path == out);
  CHECK(report.users == 2);
  CHECK(report.recordings == 4);
  CHECK(report.log_entries == 160);
  CHECK(report.schema_version == latest_schema_version());
  CHECK(report.pages == total);
  CHECK(last_done == total);
  CHECK(total > 4);  // several steps ran
  CHECK(report.bytes == static_cast<int64_t>(fs::file_size(out)));
  CHECK_FALSE(fs::exists(out + ".tmp"));

  // Standalone: usable with the original gone.
  fs::remove(db);
  fs::remove(db + "-wal");
  fs::remove(db + "-shm");
  LogStore copy(out);
  CHECK(copy.count("log_entries") == 160);
  CHECK(copy.database().query_int64("SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") ==
        1);
}

TEST_CASE("backup is a consistent snapshot while another connection keeps writing", "[storage][backup]") {
  const auto dir = test::make_temp_dir("backup-live");
  const std::string db = dir + "/log.db", out = dir + "/copy.db";
  {
    LogStore store(db);
    fill(store, "ana", 5, 100);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    LogStore store(db);
    while (!stop) {
      fill(store, "ana", 1, 20);
      ++written;
    }
  });
  CopyReport report;
  // One page per step: many steps, each with the writer committing in between.
  REQUIRE_NOTHROW(report = backup_database(db, out, {false, 1}, [&](int64_t, int64_t) {}));
  stop = true;
  writer.join();
  CHECK(written > 0);
  LogStore copy(out);
  // Every recording in the copy is as one committed transaction left it: 100 or 20 lines, or
  // none (fill() creates a recording and completes it with its lines in two transactions, and
  // the snapshot may fall between them), never a part of a write.
  CHECK(copy.database().query_int64("SELECT COUNT(*) FROM recordings r WHERE (SELECT COUNT(*) FROM log_entries e "
                                    "WHERE e.recording_id = r.id) NOT IN (0, 20, 100)") == 0);
  CHECK(copy.count("recordings") == report.recordings);
  CHECK(copy.count("log_entries") == report.log_entries);
  CHECK(report.recordings >= 5);
}

TEST_CASE("backup refuses an existing output unless overwriting and names the bad paths", "[storage][backup]") {
  const auto dir = test::make_temp_dir("backup-paths");
  const std::string db = dir + "/log.db", out = dir + "/copy.db";
  { LogStore store(db); fill(store, "ana", 1, 1); }

  Error missing = error_of([&] { backup_database(dir + "/nope.db", out); });
  CHECK(missing.kind() == ErrorKind::NotFound);
  CHECK(missing.context().file == dir + "/nope.db");
  CHECK_FALSE(fs::exists(out));

  std::ofstream(out) << "precious";
  Error exists = error_of([&] { backup_database(db, out); });
  CHECK(exists.kind() == ErrorKind::InvalidInput);
  CHECK(exists.context().file == out);
  CHECK(std::string(exists.what()).find("--force") != std::string::npos);
  CHECK(fs::file_size(out) == 8);
  CHECK(backup_database(db, out, {true}).log_entries == 1);

  Error itself = error_of([&] { backup_database(db, db, {true}); });
  CHECK(itself.kind() == ErrorKind::InvalidInput);

  Error unwritable = error_of([&] { backup_database(db, "/proc/no-such-dir/copy.db"); });
  CHECK(std::string(unwritable.what()).find("/proc/no-such-dir/copy.db") != std::string::npos);

  const std::string not_db = dir + "/notes.txt";
  std::ofstream(not_db) << std::string(4096, 'z');
  Error garbage = error_of([&] { backup_database(not_db, dir + "/x.db"); });
  CHECK(garbage.context().file == not_db);
  CHECK_FALSE(fs::exists(dir + "/x.db"));
  CHECK_FALSE(fs::exists(dir + "/x.db.tmp"));
}

TEST_CASE("restore puts a backup in place and refuses an open or existing database unless forced",
          "[storage][backup]") {
  const auto dir = test::make_temp_dir("backup-restore");
  const std::string db = dir + "/log.db", out = dir + "/copy.db", target = dir + "/restored/log.db";
  { LogStore store(db); fill(store, "ana", 2, 30); }
  backup_database(db, out);

  fs::create_directories(dir + "/restored");
  const CopyReport restored = restore_database(out, target);
  CHECK(restored.log_entries == 60);
  CHECK(restored.schema_version == latest_schema_version());
  CHECK_FALSE(fs::exists(target + ".tmp"));
  { LogStore store(target); CHECK(store.count("recordings") == 2); }

  Error exists = error_of([&] { restore_database(out, target); });
  CHECK(exists.kind() == ErrorKind::InvalidInput);
  CHECK(exists.context().file == target);

  {
    LogStore open_elsewhere(target);  // as a running server holds it
    fill(open_elsewhere, "bo", 1, 1);
    CHECK(database_in_use(target));
    Error in_use = error_of([&] { restore_database(out, target, {true}); });
    CHECK(std::string(in_use.what()).find("stop it") != std::string::npos);
    CHECK(open_elsewhere.count("users") == 2);  // untouched
  }
  CHECK_FALSE(database_in_use(target));
  CHECK(restore_database(out, target, {true}).users == 1);
  { LogStore store(target); CHECK(store.count("users") == 1); }

  Error missing = error_of([&] { restore_database(dir + "/gone.db", dir + "/new.db"); });
  CHECK(missing.kind() == ErrorKind::NotFound);
  CHECK(missing.context().file == dir + "/gone.db");
}

TEST_CASE("restore refuses a damaged backup and one from a newer imu2clip", "[storage][backup]") {
  const auto dir = test::make_temp_dir("backup-bad");
  const std::string db = dir + "/log.db", out = dir + "/copy.db";
  { LogStore store(db); fill(store, "ana", 2, 200); }
  backup_database(db, out);

  const std::string newer = dir + "/newer.db";
  fs::copy_file(out, newer);
  { Database raw(newer); raw.exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1)); }
  Error too_new = error_of([&] { restore_database(newer, dir + "/a.db"); });
  CHECK(std::string(too_new.what()).find("newer") != std::string::npos);
  CHECK(too_new.context().file == newer);
  CHECK_FALSE(fs::exists(dir + "/a.db"));

  // Overwrite a page in the middle of the file: a b-tree page the integrity check walks.
  const std::string damaged = dir + "/damaged.db";
  fs::copy_file(out, damaged);
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    const auto size = fs::file_size(damaged);
    f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
    const std::string garbage(4096, '\xff');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  Error bad = error_of([&] { restore_database(damaged, dir + "/b.db"); });
  CHECK(bad.kind() == ErrorKind::Corrupt);
  CHECK(bad.context().file == damaged);
  CHECK_FALSE(fs::exists(dir + "/b.db"));
  CHECK_FALSE(fs::exists(dir + "/b.db.tmp"));
}
