// BatchTagger with the real encoder (a small untrained model) and a real SQLite file: what
// ends up in the log, how it resumes, and how it reports files it cannot read. The CLI tests
// (tests/integration/test_cli_tag.cpp) cover the command line, JSONL, --force and Ctrl-C.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>

#include "storage/log_store.h"
#include "tagger/batch/batch_tagger.h"
#include "tagger/batch/job_sources.h"
#include "tagger/model/bundle.h"
#include "tagger/model/window_encoder.h"
#include "tests/support/test_paths.h"
#include "tests/unit/batch/batch_test_util.h"

namespace fs = std::filesystem;
using namespace imu2clip;
using namespace imu2clip::test;

namespace {

struct Fixture {
  ModelBundle bundle = small_batch_bundle();
  std::unique_ptr<WindowEncoder> encoder = make_window_encoder(bundle, 1);

  TagSummary tag(LogStore& store, const std::vector<TagJob>& jobs, TagObserver* obs = nullptr,
                 const std::atomic<bool>* stop = nullptr, int batch_windows = 256) {
    TagOptions opt;
    opt.tz = "UTC";
    opt.batch_windows = batch_windows;
    BatchTagger tagger(store, bundle, *encoder, opt);
    return tagger.run(jobs, obs, stop);
  }
};

// Sets `stop` after the n-th batch of windows has been committed.
struct StopAfterBatches : TagObserver {
  std::atomic<bool>& stop;
  int batches;
  StopAfterBatches(std::atomic<bool>& s, int n) : stop(s), batches(n) {}
  void on_windows(int64_t) override {
    if (--batches == 0) stop = true;
  }
};

// Sets `stop` when the first recording is done.
struct StopAfterFirstRecording : TagObserver {
  std::atomic<bool>& stop;
  explicit StopAfterFirstRecording(std::atomic<bool>& s) : stop(s) {}
  void on_recording_done(size_t, const RecordingOutcome&) override { stop = true; }
};

int64_t user_id(LogStore& store) {
  auto user = store.users().find("local");
  REQUIRE(user);
  return user->id;
}

}  // namespace

TEST_CASE("A folder of CSVs is found and tagged into the log", "[batch]") {
  Fixture f;
  const std::string dir = make_temp_dir("batch-dir");
  fs::create_directories(dir + "/in");
  write_imu_csv(dir + "/in/a.csv", 60);
  write_imu_csv(dir + "/in/b.csv", 42);
  LogStore store(dir + "/log.db");

  const JobList list = jobs_from_imu_dir(dir + "/in");
  REQUIRE(list.jobs.size() == 2);
  const TagSummary s = f.tag(store, list.jobs);
  CHECK_FALSE(s.interrupted);
  REQUIRE(s.recordings.size() == 2);
  CHECK(s.count(RecordingOutcome::Status::Tagged) == 2);
  CHECK(s.recordings[0].windows == 12);  // 60 s of 5 s windows
  CHECK(s.recordings[1].windows == 8);   // 42 s: the partial window at the end is not tagged
  CHECK(s.windows_encoded == 20);

  CHECK(store.count("recordings") == 2);
  CHECK(store.count("windows") == 20);
  CHECK(store.count("window_labels") == 20 * 5);  // top-5 of 5 labels
  CHECK(store.count("window_embeddings") == 20);  // every valid window's embedding, for search
  for (const auto& rec : store.recordings().for_user(user_id(store))) {
    CHECK(rec.status == "complete");
    CHECK(rec.model_id == f.bundle.model_id);
    CHECK(rec.tz == "UTC");
    const auto windows = store.recordings().windows(rec.id);
    REQUIRE_FALSE(windows.empty());
    CHECK(windows.front().labels.size() == 5);
    CHECK(windows.front().labels[0].score >= windows.front().labels[1].score);
  }
  // Every segment has its log line; the recordings have no wall clock, so lines are relative.
  CHECK(store.count("segments") >= 2);
  CHECK(store.count("log_entries") == store.count("segments"));
  CHECK(store.database().query_int64("SELECT COUNT(*) FROM log_entries WHERE t_utc_ms IS NOT NULL") == 0);
}

TEST_CASE("A known start time puts the log lines on the wall clock", "[batch]") {
  Fixture f;
  const std::string dir = make_temp_dir("batch-clock");
  write_imu_csv(dir + "/walk.csv", 30);
  LogStore store(dir + "/log.db");
  JobList list = jobs_from_files({dir + "/walk.csv"});
  REQUIRE(list.jobs.size() == 1);
  const int64_t start = 1700000000000;  // 2023-11-14 22:13:20 UTC
  list.jobs[0].start_utc_ms = start;

  const TagSummary s = f.tag(store, list.jobs);
  REQUIRE(s.count(RecordingOutcome::Status::Tagged) == 1);
  CHECK(store.database().query_int64("SELECT MIN(t_utc_ms) FROM log_entries") == start);
  CHECK(store.database().query_int64("SELECT MAX(t_utc_ms + duration_ms) FROM log_entries") == start + 30000);
}

TEST_CASE("Resuming after an interruption does not duplicate windows", "[batch]") {
  Fixture f;
  const std::string dir = make_temp_dir("batch-resume");
  write_imu_csv(dir + "/long.csv", 120);  // 24 windows, committed 5 at a time
  const JobList list = jobs_from_files({dir + "/long.csv"});

  // The same recording tagged in one go, for comparison.
  LogStore reference(dir + "/reference.db");
  REQUIRE(f.tag(reference, list.jobs, nullptr, nullptr, 5).count(RecordingOutcome::Status::Tagged) == 1);

  LogStore store(dir + "/log.db");
  std::atomic<bool> stop{false};
  StopAfterBatches observer(stop, 2);
  const TagSummary first = f.tag(store, list.jobs, &observer, &stop, 5);
  CHECK(first.interrupted);
  REQUIRE(first.recordings.size() == 1);
  CHECK(first.recordings[0].status == RecordingOutcome::Status::Interrupted);
  CHECK(store.count("windows") == 10);  // two committed batches, nothing else
  CHECK(store.count("log_entries") == 0);
  const auto partial = store.recordings().for_user(user_id(store));
  REQUIRE(partial.size() == 1);
  CHECK(partial[0].status != "complete");
  CHECK(partial[0].tagged_until_s == Approx(50.0));

  const TagSummary second = f.tag(store, list.jobs, nullptr, nullptr, 5);
  CHECK_FALSE(second.interrupted);
  REQUIRE(second.recordings.size() == 1);
  CHECK(second.recordings[0].status == RecordingOutcome::Status::Resumed);
  CHECK(second.recordings[0].recording_id == partial[0].id);
  CHECK(store.count("recordings") == 1);
  CHECK(store.count("windows") == 24);
  CHECK(store.count("window_embeddings") == 24);  // the resumed windows' vectors, each once

  // Window for window, the result is the one an uninterrupted run gives.
  const auto resumed = store.recordings().windows(partial[0].id);
  const auto whole = reference.recordings().windows(reference.recordings().for_user(user_id(reference)).at(0).id);
  REQUIRE(resumed.size() == whole.size());
  for (size_t i = 0; i < resumed.size(); ++i) {
    INFO("window " << i);
    CHECK(resumed[i].start_s == Approx(5.0 * static_cast<double>(i)));
    CHECK(resumed[i].start_s == Approx(whole[i].start_s));
    REQUIRE(resumed[i].labels.size() == whole[i].labels.size());
    CHECK(resumed[i].labels[0].label == whole[i].labels[0].label);
    CHECK(resumed[i].labels[0].score == Approx(whole[i].labels[0].score));
  }
  CHECK(store.count("segments") == reference.count("segments"));
  CHECK(store.count("log_entries") == reference.count("log_entries"));
}

TEST_CASE("A stop between recordings keeps the finished ones and the re-run does the rest", "[batch]") {
  Fixture f;
  const std::string dir = make_temp_dir("batch-between");
  write_imu_csv(dir + "/one.csv", 30);
  write_imu_csv(dir + "/two.csv", 30);
  LogStore store(dir + "/log.db");
  const JobList list = jobs_from_files({dir + "/one.csv", dir + "/two.csv"});

  std::atomic<bool> stop{false};
  StopAfterFirstRecording observer(stop);
  const TagSummary first = f.tag(store, list.jobs, &observer, &stop);
  CHECK(first.interrupted);
  REQUIRE(first.recordings.size() == 1);
  CHECK(first.recordings[0].status == RecordingOutcome::Status::Tagged);
  CHECK(store.count("recordings") == 1);

  const TagSummary second = f.tag(store, list.jobs);
  REQUIRE(second.recordings.size() == 2);
  CHECK(second.recordings[0].status == RecordingOutcome::Status::AlreadyTagged);
  CHECK(second.recordings[1].status == RecordingOutcome::Status::Tagged);
  CHECK(second.windows_encoded == 6);  // only the second recording went through the encoder
  CHECK(store.count("windows") == 12);
}

TEST_CASE("A finished recording is not read again", "[batch]") {
  Fixture f;
  const std::string dir = make_temp_dir("batch-done");
  write_imu_csv(dir + "/walk.csv", 30);
  LogStore store(dir + "/log.db");
  const JobList list = jobs_from_files({dir + "/walk.csv"});
  REQUIRE(f.tag(store, list.jobs).count(RecordingOutcome::Status::Tagged) == 1);

  // The file is damaged afterwards: the log already has it, so nothing is reported or lost.
  std::ofstream(dir + "/walk.csv", std::ios::trunc) << "garbage\n";
  const TagSummary again = f.tag(store, list.jobs);
  REQUIRE(again.recordings.size() == 1);
  CHECK(again.recordings[0].status == RecordingOutcome::Status::AlreadyTagged);
  CHECK(again.windows_encoded == 0);
  CHECK(store.count("windows") == 6);
}

TEST_CASE("Unreadable files are reported with their path and the others are still tagged", "[batch]") {
  Fixture f;
  const std::string dir = make_temp_dir("batch-bad");
  fs::create_directories(dir + "/in");
  write_imu_csv(dir + "/in/a_good.csv", 30);
  std::ofstream(dir + "/in/b_broken.csv.gz", std::ios::binary) << "\x1f\x8b\x08\x00 this is not gzip data";
  std::ofstream(dir + "/in/c_empty.csv");
  write_imu_csv(dir + "/in/d_in_g.csv", 30, 1 / 9.81);  // accelerometer in g, units not declared
  write_imu_csv(dir + "/in/e_good.csv", 30);
  LogStore store(dir + "/log.db");

  const JobList list = jobs_from_imu_dir(dir + "/in");
  REQUIRE(list.jobs.size() == 5);
  const TagSummary s = f.tag(store, list.jobs);
  CHECK_FALSE(s.interrupted);
  REQUIRE(s.recordings.size() == 5);
  CHECK(s.recordings[0].status == RecordingOutcome::Status::Tagged);
  CHECK(s.recordings[4].status == RecordingOutcome::Status::Tagged);
  for (size_t i : {1, 2, 3}) {
    const auto& r = s.recordings[i];
    INFO(r.path << ": " << r.reason);
    CHECK(r.status == RecordingOutcome::Status::Skipped);
    CHECK(r.path == list.jobs[i].path);
    CHECK_THAT(r.reason, Catch::Contains(list.jobs[i].path));
  }
  CHECK_THAT(s.recordings[3].reason, Catch::Contains("look like g"));
  // Skipped files leave nothing behind, so a fixed file is tagged by the next run.
  CHECK(store.count("recordings") == 2);
  CHECK(store.count("windows") == 12);
}

TEST_CASE("Windows over a gap are kept as invalid, with the reason", "[batch]") {
  Fixture f;
  const std::string dir = make_temp_dir("batch-gap");
  write_imu_csv(dir + "/gap.csv", 60, 1.0, 20, 8);  // no samples from 20 s to 28 s
  LogStore store(dir + "/log.db");
  const TagSummary s = f.tag(store, jobs_from_files({dir + "/gap.csv"}).jobs);
  REQUIRE(s.recordings.size() == 1);
  REQUIRE(s.recordings[0].status == RecordingOutcome::Status::Tagged);
  CHECK(s.recordings[0].windows == 12);
  CHECK(s.recordings[0].invalid_windows == 2);  // [20, 25) and [25, 30)

  const auto windows = store.recordings().windows(s.recordings[0].recording_id);
  REQUIRE(windows.size() == 12);
  for (const auto& w : windows) {
    INFO(w.start_s);
    const bool in_gap = w.start_s >= 20 - 1e-6 && w.start_s < 30 - 1e-6;
    CHECK(w.valid == !in_gap);
    if (in_gap) {
      CHECK(w.labels.empty());
      CHECK_THAT(w.invalid_reason, Catch::Contains("gap"));
    } else {
      CHECK(w.labels.size() == 5);
    }
  }
}
