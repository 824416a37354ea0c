// What `imu2clip tag` finds in the inputs it is given: folders of IMU files and single files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "tagger/batch/job_sources.h"
#include "tests/support/test_paths.h"
#include "tests/unit/batch/batch_test_util.h"

namespace fs = std::filesystem;
using namespace imu2clip;
using namespace imu2clip::test;

TEST_CASE("A folder yields one job per CSV, plain or gzip, and ignores other files", "[batch]") {
  const std::string dir = make_temp_dir("jobs-dir");
  write_imu_csv(dir + "/morning.csv", 10);
  write_imu_csv(dir + "/evening.csv.gz", 10);  // the name is all that is looked at here
  std::ofstream(dir + "/notes.txt") << "not a recording\n";
  fs::create_directories(dir + "/old");
  write_imu_csv(dir + "/old/nested.csv", 10);

  const JobList list = jobs_from_imu_dir(dir);
  CHECK(list.skipped.empty());
  REQUIRE(list.jobs.size() == 2);
  // Sorted by file name; the key is the name without .csv / .csv.gz.
  CHECK(list.jobs[0].source_key == "evening");
  CHECK(list.jobs[0].path == dir + "/evening.csv.gz");
  CHECK(list.jobs[1].source_key == "morning");
  CHECK(list.jobs[1].path == dir + "/morning.csv");
  for (const auto& job : list.jobs) {
    CHECK(job.meta.at("source") == "imu-dir");
    CHECK_FALSE(job.start_utc_ms);  // a plain folder says nothing about wall-clock time
  }
}

TEST_CASE("A folder that does not exist is an error naming it", "[batch]") {
  const std::string missing = make_temp_dir("jobs-missing") + "/no-such-folder";
  try {
    jobs_from_imu_dir(missing);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
    CHECK_THAT(e.what(), Catch::Contains("no-such-folder"));
  }
}

TEST_CASE("Single files: missing ones and folders become skip notes with their path", "[batch]") {
  const std::string dir = make_temp_dir("jobs-files");
  write_imu_csv(dir + "/walk.csv.gz", 10);
  write_imu_csv(dir + "/run.csv", 10);
  fs::create_directories(dir + "/folder.csv");

  const JobList list =
      jobs_from_files({dir + "/walk.csv.gz", dir + "/gone.csv", dir + "/folder.csv", dir + "/run.csv"});
  REQUIRE(list.jobs.size() == 2);
  CHECK(list.jobs[0].source_key == "walk");
  CHECK(list.jobs[1].source_key == "run");
  REQUIRE(list.skipped.size() == 2);
  CHECK(list.skipped[0].path == dir + "/gone.csv");
  CHECK(list.skipped[0].source_key == "gone");
  CHECK(list.skipped[1].path == dir + "/folder.csv");
  for (const auto& s : list.skipped) {
    CHECK(s.status == RecordingOutcome::Status::Skipped);
    CHECK_FALSE(s.reason.empty());
  }
}
