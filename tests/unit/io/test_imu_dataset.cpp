#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/io/imu_dataset.h"
#include "tests/support/test_paths.h"
#include "tests/unit/io/write_file.h"

using namespace imu2clip;
using imu2clip::test::write_text;
namespace fs = std::filesystem;

TEST_CASE("dataset root and its recordings folder both pick up the manifest") {
  IMU2CLIP_REQUIRE_SHARED(dir, "imu/hapt");
  nlohmann::json manifest;
  std::ifstream(dir + "/manifest.json") >> manifest;
  const auto& first = manifest["recordings"][0];

  for (const std::string& arg : {dir, dir + "/recordings", dir + "/recordings/"}) {
    const ImuDataset ds = list_imu_recordings(arg);
    CHECK(ds.name == "hapt");
    REQUIRE(ds.manifest_path);
    REQUIRE(ds.labels_path);
    REQUIRE(ds.recordings.size() == manifest["recordings"].size());
    CHECK(ds.warnings.empty());
    for (const auto& r : ds.recordings) CHECK(r.in_manifest);
    CHECK(std::is_sorted(ds.recordings.begin(), ds.recordings.end(),
                         [](const auto& a, const auto& b) { return a.path < b.path; }));
    const auto it = std::find_if(ds.recordings.begin(), ds.recordings.end(),
                                 [&](const RecordingEntry& r) { return r.id == first["id"]; });
    REQUIRE(it != ds.recordings.end());
    CHECK(it->subject == first["subject"].get<std::string>());
    CHECK(it->split == first["split"].get<std::string>());
    CHECK_FALSE(it->start_epoch_ms);  // HAPT has no wall clock (null in the manifest)
  }
}

TEST_CASE("classyglass manifest carries absolute start times") {
  IMU2CLIP_REQUIRE_SHARED(dir, "imu/classyglass");
  const ImuDataset ds = list_imu_recordings(dir);
  REQUIRE_FALSE(ds.recordings.empty());
  CHECK(ds.recordings[0].start_epoch_ms.value_or(0) > 1500000000000);
}

TEST_CASE("shared labels.csv reads every segment") {
  IMU2CLIP_REQUIRE_SHARED(dir, "imu/hapt");
  const auto labels = read_labels_csv(dir + "/labels.csv");
  REQUIRE(labels.size() == 1094);
  CHECK(labels[0].recording_id == "hapt_u01_e01");
  CHECK(labels[0].start_ms == 4980);
  CHECK(labels[0].end_ms == 24620);
  CHECK(labels[0].label == "standing");
  CHECK(labels[0].source_label == "STANDING");
}

TEST_CASE("a plain folder lists only csv and csv.gz files, sorted, without a manifest") {
  const auto dir = imu2clip::test::make_temp_dir("ds");
  write_text(dir + "/b.csv.gz", "");
  write_text(dir + "/a.csv", "");
  write_text(dir + "/notes.txt", "");
  write_text(dir + "/.hidden.csv", "");
  fs::create_directories(dir + "/sub.csv");
  const ImuDataset ds = list_imu_recordings(dir);
  CHECK_FALSE(ds.manifest_path);
  REQUIRE(ds.recordings.size() == 2);
  CHECK(ds.recordings[0].id == "a");
  CHECK(ds.recordings[1].id == "b");
  CHECK_FALSE(ds.recordings[0].in_manifest);
  CHECK_THROWS_AS(list_imu_recordings(dir + "/missing"), Error);
}

TEST_CASE("manifest entries without files are reported") {
  const auto dir = imu2clip::test::make_temp_dir("ds");
  fs::create_directories(dir + "/recordings");
  write_text(dir + "/recordings/r1.csv.gz", "");
  write_text(dir + "/manifest.json", R"({"name": "mini", "recordings": [
      {"id": "r1", "subject": "s1", "file": "recordings/r1.csv.gz", "start_epoch_ms": 42, "split": "val"},
      {"id": "r2", "subject": "s2", "file": "recordings/r2.csv.gz", "start_epoch_ms": null}]})");
  const ImuDataset ds = list_imu_recordings(dir);
  REQUIRE(ds.recordings.size() == 1);
  CHECK(ds.recordings[0].start_epoch_ms == int64_t{42});
  CHECK(ds.recordings[0].split == std::string("val"));
  REQUIRE(ds.warnings.size() == 1);
  CHECK_THAT(ds.warnings[0], Catch::Contains("1 manifest recordings have no file"));
  CHECK_FALSE(ds.labels_path);
}

TEST_CASE("labels.csv errors name the line and field") {
  const auto dir = imu2clip::test::make_temp_dir("ds");
  auto error_of = [&](const std::string& text) {
    try {
      read_labels_csv(write_text(dir + "/labels.csv", text));
    } catch (const Error& e) {
      return e.context();
    }
    return ErrorContext{};
  };
  const std::string header = "recording_id,start_ms,end_ms,label,source_label\n";
  CHECK(error_of(header + "r1,0,10,walking,W\nr1,20,x,walking,W\n").field == "end_ms");
  CHECK(error_of(header + "r1,0,10,walking,W\nr1,20,x,walking,W\n").line == 3);
  CHECK(error_of(header + "r1,30,10,walking,W\n").field == "end_ms");
  CHECK(error_of(header + "r1,0,10,walking, with comma,W\n").line == 2);
  CHECK(error_of("recording_id,start_ms,label\n").field == "end_ms");
  const auto ok = read_labels_csv(write_text(dir + "/l2.csv", "label,end_ms,start_ms,recording_id\nsitting,9.5,0.5,r9\n"));
  REQUIRE(ok.size() == 1);
  CHECK(ok[0].start_ms == 0.5);
  CHECK(ok[0].source_label.empty());
}
