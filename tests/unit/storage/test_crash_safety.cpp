// A batch is one transaction: a process that dies, or a statement that fails, in the middle
// of a batch must leave the database exactly as it was after the previous batch.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "storage/log_store.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {

std::vector<WindowTag> batch(double from_s, int n) {
  std::vector<WindowTag> out;
  for (int i = 0; i < n; ++i) {
    WindowTag w;
    w.start_s = from_s + i;
    w.end_s = w.start_s + 5;
    w.labels = {{"walking", 0.8f}, {"sitting", 0.1f}};
    out.push_back(w);
  }
  return out;
}

struct Fixture {
  std::string path;
  int64_t recording = 0;
};

Fixture committed_first_batch(const std::string& tag) {
  Fixture f;
  f.path = imu2clip::test::make_temp_dir(tag) + "/log.db";
  LogStore store(f.path);
  int64_t user = store.users().ensure("ana", "UTC");
  RecordingRow r;
  r.user_id = user;
  r.source_key = "k";
  r.tz = "UTC";
  r.model_id = "m";
  r.duration_s = 600;
  f.recording = store.recordings().create(r);
  store.recordings().append_windows(f.recording, batch(0, 100), 100);
  return f;
}

// Kills the process (as a power cut or OOM kill would) once `limit` rows have been written.
void kill_after_rows(void* arg, int, const char*, const char*, sqlite3_int64) {
  auto* remaining = static_cast<int*>(arg);
  if (--*remaining == 0) raise(SIGKILL);
}

void check_only_first_batch(const Fixture& f) {
  LogStore store(f.path);
  auto check = store.database().prepare("PRAGMA integrity_check");
  REQUIRE(check.step());
  CHECK(check.column_text(0) == "ok");
  CHECK(store.count("windows") == 100);
  CHECK(store.count("window_labels") == 200);
  REQUIRE(store.recordings().find(f.recording));
  CHECK(store.recordings().find(f.recording)->tagged_until_s == 100);
}

}  // namespace

TEST_CASE("A process killed in the middle of a window batch leaves no partial batch", "[storage][crash]") {
  Fixture f = committed_first_batch("crash-kill");
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child opens its own connection: SQLite connections must not cross fork().
    try {
      LogStore store(f.path);
      // The hook sees rowid tables only (the progress UPDATE and the windows, not the labels):
      // dying at the 50th row is halfway through the batch's windows.
      int remaining = 50;
      sqlite3_update_hook(store.database().handle(), kill_after_rows, &remaining);
      store.recordings().append_windows(f.recording, batch(100, 100), 200);
    } catch (...) {
    }
    _exit(0);  // reached only if the hook did not fire: the parent reports that as a failure
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  check_only_first_batch(f);
  // Resuming after the crash stores the whole batch.
  LogStore store(f.path);
  store.recordings().append_windows(f.recording, batch(100, 100), 200);
  CHECK(store.count("windows") == 200);
  REQUIRE(store.recordings().find(f.recording));
  CHECK(store.recordings().find(f.recording)->tagged_until_s == 200);
}

TEST_CASE("A process aborted mid-transaction leaves no partial rows", "[storage][crash]") {
  Fixture f = committed_first_batch("crash-abort");
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    signal(SIGABRT, SIG_DFL);  // no test-framework handler in the child
    try {
      Database db(f.path);
      db.exec("PRAGMA cache_size = 10");  // a tiny cache spills uncommitted pages to the WAL
      Transaction tx(db);
      auto insert = db.cached(
          "INSERT INTO windows(recording_id, start_ms, start_s, end_s, modality, valid) "
          "VALUES(?1, ?2, ?3, ?4, 'imu', 1)");
      for (int i = 0; i < 5000; ++i) {
        insert->bind_all(f.recording, int64_t{1000000} + i, 1000.0 + i, 1005.0 + i);
        insert->run();
      }
      abort();
    } catch (...) {
    }
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  check_only_first_batch(f);
}

TEST_CASE("A statement failing mid-batch rolls the whole batch back", "[storage][crash]") {
  Fixture f = committed_first_batch("crash-throw");
  LogStore store(f.path);
  // A trigger makes the 50th window of the next batch fail inside SQLite, after 49 succeeded.
  store.database().exec(
      "CREATE TEMP TRIGGER fail_mid_batch BEFORE INSERT ON windows WHEN NEW.start_ms = 149000 "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  try {
    store.recordings().append_windows(f.recording, batch(100, 100), 200);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Database);
    CHECK_THAT(e.what(), Catch::Contains("injected failure"));
  }
  CHECK_FALSE(store.database().in_transaction());
  check_only_first_batch(f);
}

TEST_CASE("A failure while completing a recording keeps its previous segments and log", "[storage][crash]") {
  Fixture f = committed_first_batch("crash-complete");
  LogStore store(f.path);
  LogEntry e;
  e.offset_ms = 0;
  e.text = "walking";
  store.recordings().complete(f.recording, {{0, 50, "walking", 0.8f, 50, "imu"}}, {e});
  store.database().exec("UPDATE recordings SET status = 'tagging'");
  store.database().exec(
      "CREATE TEMP TRIGGER fail_segment BEFORE INSERT ON segments WHEN NEW.label = 'boom' "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  std::vector<Segment> replacement = {{0, 10, "sitting", 0.5f, 10, "imu"}, {10, 20, "boom", 0.5f, 10, "imu"}};
  CHECK_THROWS_AS(store.recordings().complete(f.recording, replacement, {}), Error);
  auto segs = store.recordings().segments(f.recording);
  REQUIRE(segs.size() == 1);
  CHECK(segs[0].label == "walking");
  CHECK(store.count("log_entries") == 1);
  REQUIRE(store.recordings().find(f.recording));
  CHECK(store.recordings().find(f.recording)->status == "tagging");
}
