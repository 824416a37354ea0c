#include <catch2/catch.hpp>

#include <filesystem>

#include "common/error.h"
#include "tagger/io/ego4d_index.h"
#include "tests/support/test_paths.h"
#include "tests/unit/io/write_file.h"

using namespace imu2clip;
using imu2clip::test::write_text;
namespace fs = std::filesystem;

namespace {

// An Ego4D root with: a complete video, a video declaring IMU without a file, a video with
// null fields (duration from video_metadata, has_imu inferred from the file), a video without
// IMU, and an entry without uid.
std::string make_root() {
  const auto root = imu2clip::test::make_temp_dir("ego4d");
  fs::create_directories(root + "/v2/imu");
  fs::create_directories(root + "/v2/annotations");
  write_text(root + "/ego4d.json", R"({"version": "v2", "videos": [
    {"video_uid": "aaa", "duration_sec": 12.5, "has_imu": true,
     "x_source": {"start_epoch_ms": 1574106705723}},
    {"video_uid": "bbb", "duration_sec": 30, "has_imu": true},
    {"video_uid": "ccc", "duration_sec": null, "has_imu": null,
     "video_metadata": {"video_duration_sec": 7.25, "fps": 30}, "x_source": {"start_epoch_ms": null}},
    {"video_uid": "ddd", "duration_sec": 3, "has_imu": false},
    {"duration_sec": 1}
  ]})");
  const std::string csv =
      "component_idx,component_timestamp_ms,canonical_timestamp_ms,gyro_x,gyro_y,gyro_z,accl_x,accl_y,accl_z\n"
      "0,0,0,1,2,3,4,5,6\n";
  write_text(root + "/v2/imu/aaa.csv", csv);
  write_text(root + "/v2/imu/ccc.csv", csv);
  write_text(root + "/v2/annotations/narration.json", R"({
    "aaa": {"narration_pass_1": {"narrations": [
              {"timestamp_sec": 7.5, "timestamp_frame": 225, "narration_text": "#C C walks", "annotation_uid": "u2"},
              {"timestamp_sec": 2.5, "timestamp_frame": 75, "narration_text": "#C C sits", "annotation_uid": "u1"},
              {"timestamp_sec": null, "narration_text": "#C C broken"}], "summaries": []},
            "narration_pass_2": {"narrations": [
              {"timestamp_sec": 5.0, "narration_text": "#C C stands up", "annotation_uid": "u3"}]}},
    "ddd": {"status": "redacted"},
    "zzz": "redacted"
  })");
  return root;
}

}  // namespace

TEST_CASE("ego4d index maps videos to IMU files and reports the missing ones") {
  const auto root = make_root();
  const Ego4dIndex index = load_ego4d_index(root);
  REQUIRE(index.videos.size() == 4);
  CHECK(index.missing_imu == std::vector<std::string>{"bbb"});
  const auto usable = index.imu_videos();
  REQUIRE(usable.size() == 2);
  CHECK(usable[0]->video_uid == "aaa");
  CHECK(usable[1]->video_uid == "ccc");
  CHECK(fs::path(usable[0]->imu_path) == fs::path(root) / "v2/imu/aaa.csv");

  const auto& aaa = index.videos[0];
  CHECK(aaa.duration_sec == 12.5);
  CHECK(aaa.start_epoch_ms == int64_t{1574106705723});
  const auto& ccc = index.videos[2];
  CHECK(ccc.has_imu);  // null has_imu: inferred from the file on disk
  CHECK(ccc.duration_sec == 7.25);
  CHECK_FALSE(ccc.start_epoch_ms);
  CHECK_FALSE(index.videos[3].has_imu);
  CHECK(index.videos[3].imu_path.empty());
  CHECK(index.warnings.size() >= 2);  // entry without uid, video without its CSV, bad narration
}

TEST_CASE("ego4d narrations of all passes are attached sorted by time") {
  const auto root = make_root();
  const Ego4dIndex index = load_ego4d_index(root);
  REQUIRE(index.narration_path);
  const auto& n = index.videos[0].narrations;
  REQUIRE(n.size() == 3);
  CHECK(n[0].timestamp_sec == 2.5);
  CHECK(n[0].timestamp_frame == 75);
  CHECK(n[0].text == "#C C sits");
  CHECK(n[0].annotation_uid == "u1");
  CHECK(n[0].pass == "narration_pass_1");
  CHECK(n[1].pass == "narration_pass_2");
  CHECK(n[1].timestamp_frame == -1);
  CHECK(n[2].text == "#C C walks");
  CHECK(index.videos[3].narrations.empty());

  int64_t skipped = 0;
  const auto by_uid = read_ego4d_narrations(root + "/v2/annotations/narration.json", &skipped);
  CHECK(skipped == 1);
  CHECK(by_uid.count("zzz") == 0);
}

TEST_CASE("ego4d index errors: no ego4d.json, bad JSON, no videos array") {
  const auto root = imu2clip::test::make_temp_dir("ego4d");
  auto kind_of = [&] {
    try {
      load_ego4d_index(root);
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::Internal;
  };
  CHECK(kind_of() == ErrorKind::NotFound);
  write_text(root + "/ego4d.json", "{\"videos\": [");
  CHECK(kind_of() == ErrorKind::Corrupt);
  write_text(root + "/ego4d.json", "{\"clips\": []}");
  CHECK(kind_of() == ErrorKind::Corrupt);
  // Valid syntax, but no double holds it (found by tests/fuzz/ego4d_index_fuzz).
  write_text(root + "/ego4d.json", "{\"videos\": [{\"video_uid\": \"a\", \"duration_sec\": 1e400}]}");
  CHECK(kind_of() == ErrorKind::Corrupt);
}

TEST_CASE("ego4d integers beyond int64 read as absent, like null") {
  const auto root = imu2clip::test::make_temp_dir("ego4d");
  fs::create_directories(root + "/v2/annotations");
  write_text(root + "/ego4d.json",
             R"({"videos": [{"video_uid": "a", "x_source": {"start_epoch_ms": 1e300}},
                            {"video_uid": "b", "x_source": {"start_epoch_ms": 1574106705723}}]})");
  write_text(root + "/v2/annotations/narration.json",
             R"({"a": {"narration_pass_1": {"narrations": [
                   {"timestamp_sec": 1.5, "timestamp_frame": -1e300, "narration_text": "#C C sits"},
                   {"timestamp_sec": 2.5, "timestamp_frame": 75, "narration_text": "#C C walks"}]}}})");
  const Ego4dIndex index = load_ego4d_index(root);
  REQUIRE(index.videos.size() == 2);
  CHECK_FALSE(index.videos[0].start_epoch_ms);
  CHECK(index.videos[1].start_epoch_ms == 1574106705723);
  REQUIRE(index.videos[0].narrations.size() == 2);
  CHECK(index.videos[0].narrations[0].timestamp_frame == -1);
  CHECK(index.videos[0].narrations[1].timestamp_frame == 75);
}

TEST_CASE("ego4d index of the shared ego4d_mini set") {
  IMU2CLIP_REQUIRE_SHARED(root, "ego4d_mini");
  const Ego4dIndex index = load_ego4d_index(root);
  CHECK(index.videos.size() == 17);
  CHECK(index.missing_imu.empty());
  CHECK(index.imu_videos().size() == 17);
  size_t narrations = 0;
  for (const auto& v : index.videos) {
    narrations += v.narrations.size();
    CHECK(v.start_epoch_ms);
    CHECK(v.duration_sec);
  }
  CHECK(narrations == 478);
}
