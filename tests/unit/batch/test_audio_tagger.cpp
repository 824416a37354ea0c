// AudioBatchTagger with a small untrained audio model and a real SQLite file: silence is
// logged "quiet" without running the encoder, sounds get labels, windows and log lines carry
// modality "audio", a finished file is not tagged twice, and a file that does not decode is
// skipped with its name.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "storage/log_store.h"
#include "tagger/batch/audio_job_sources.h"
#include "tagger/batch/audio_tagger.h"
#include "tagger/model/audio_window_encoder.h"
#include "tests/support/audio_fixtures.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

TagSummary tag(LogStore& store, const ModelBundle& bundle, const std::vector<TagJob>& jobs) {
  auto encoder = make_audio_window_encoder(bundle, 1);
  TagOptions opt;
  opt.tz = "UTC";
  opt.batch_windows = 2;  // several transactions per file
  AudioBatchTagger tagger(store, bundle, *encoder, opt);
  return tagger.run(jobs);
}

}  // namespace

TEST_CASE("audio tagging: silence is quiet, sound is labelled, lines are Audio lines", "[audio][batch]") {
  const std::string dir = make_temp_dir("audio-tag");
  // 3 s of digital silence, then 4 s of a loud tone, then 0.6 s (over half a window) of tone.
  write_wav(dir + "/kitchen.wav", 8000, concat(concat(std::vector<float>(24000, 0.f), tone(8000, 4.0, 700)),
                                               tone(8000, 0.6, 700)));
  const ModelBundle bundle = small_audio_bundle();
  LogStore store(dir + "/log.db");
  const int64_t start_ms = 1764604800000;  // 2025-12-01T16:00:00Z
  const TagSummary s = tag(store, bundle, jobs_from_audio_files({dir + "/kitchen.wav"}, start_ms).jobs);
  REQUIRE(s.recordings.size() == 1);
  REQUIRE(s.recordings[0].status == RecordingOutcome::Status::Tagged);
  CHECK(s.recordings[0].windows == 8);
  CHECK(s.windows_encoded == 5);  // the 3 quiet windows never reach the encoder

  const auto windows = store.recordings().windows(s.recordings[0].recording_id);
  REQUIRE(windows.size() == 8);
  for (size_t i = 0; i < windows.size(); ++i) {
    CHECK(windows[i].modality == "audio");
    CHECK(windows[i].start_s == Approx(static_cast<double>(i)));
    REQUIRE(!windows[i].labels.empty());
    if (i < 3) CHECK(windows[i].labels[0].label == "quiet");
    else CHECK(windows[i].labels[0].label != "quiet");
  }
  const auto entries = store.log().between(store.users().find("local")->id, start_ms, start_ms + 60000);
  REQUIRE(entries.size() >= 2);
  CHECK(entries[0].modality == "audio");
  CHECK(entries[0].text == "quiet");
  CHECK(*entries[0].t_utc_ms == start_ms);
  CHECK(entries[0].duration_ms == 3000);
  CHECK(entries[1].modality == "audio");
  CHECK(entries[1].text != "quiet");
  CHECK(*entries[1].t_utc_ms == start_ms + 3000);

  // A second run leaves the finished file alone and writes nothing twice.
  const TagSummary again = tag(store, bundle, jobs_from_audio_files({dir + "/kitchen.wav"}, start_ms).jobs);
  CHECK(again.recordings[0].status == RecordingOutcome::Status::AlreadyTagged);
  CHECK(store.recordings().windows(s.recordings[0].recording_id).size() == 8);
}

TEST_CASE("audio tagging: a file that does not decode is skipped with its name", "[audio][batch]") {
  const std::string dir = make_temp_dir("audio-bad");
  std::ofstream(dir + "/broken.ogg") << "this is not an ogg file at all, just text";
  write_wav(dir + "/ok.wav", 8000, tone(8000, 1.0, 300));
  LogStore store(dir + "/log.db");
  const JobList jobs = jobs_from_audio_dir(dir);
  REQUIRE(jobs.jobs.size() == 2);
  const TagSummary s = tag(store, small_audio_bundle(), jobs.jobs);
  REQUIRE(s.recordings.size() == 2);
  CHECK(s.recordings[0].source_key == "broken");
  CHECK(s.recordings[0].status == RecordingOutcome::Status::Skipped);
  CHECK(s.recordings[0].reason.find("broken.ogg") != std::string::npos);
  CHECK(s.recordings[1].status == RecordingOutcome::Status::Tagged);
}

TEST_CASE("audio tagging: an Ego4D root's audio beside its IMU is found with the video's start", "[audio][batch]") {
  const std::string root = make_temp_dir("ego4d-audio");
  std::filesystem::create_directories(root + "/v2/audio");
  std::filesystem::create_directories(root + "/v2/imu");
  std::ofstream(root + "/ego4d.json") << R"({"version": "v2", "videos": [
    {"video_uid": "aaa", "duration_sec": 2, "has_imu": false, "x_source": {"start_epoch_ms": 1574106705723}},
    {"video_uid": "bbb", "duration_sec": 2, "has_imu": false}]})";
  write_wav(root + "/v2/audio/aaa.wav", 8000, tone(8000, 2.0, 500));
  const JobList jobs = jobs_from_ego4d_audio(root);
  REQUIRE(jobs.jobs.size() == 1);  // bbb has no audio file
  CHECK(jobs.jobs[0].source_key == "aaa");
  CHECK(jobs.jobs[0].start_utc_ms == 1574106705723);
  LogStore store(root + "/log.db");
  const TagSummary s = tag(store, small_audio_bundle(), jobs.jobs);
  REQUIRE(s.recordings.size() == 1);
  CHECK(s.recordings[0].status == RecordingOutcome::Status::Tagged);
  const auto entries = store.log().between(store.users().find("local")->id, 1574106705723, 1574106705723 + 5000);
  REQUIRE(!entries.empty());
  CHECK(entries[0].modality == "audio");
}

TEST_CASE("audio tagging: an IMU model is refused for audio", "[audio][batch]") {
  const std::string dir = make_temp_dir("audio-imu-model");
  LogStore store(dir + "/log.db");
  ModelBundle imu = small_audio_bundle();
  imu.modality = "imu";
  auto encoder = make_audio_window_encoder(small_audio_bundle(), 1);
  CHECK_THROWS_WITH(AudioBatchTagger(store, imu, *encoder, TagOptions{}), Catch::Contains("not an audio model"));
}
