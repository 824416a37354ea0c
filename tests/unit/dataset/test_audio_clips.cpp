// Labelled clip folders: which clips a split and fold selection reads, how clips become one
// window of the model's length, and errors that name the file and line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "tagger/dataset/audio_clips.h"
#include "tests/support/audio_fixtures.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using namespace imu2clip::test;

TEST_CASE("audio clips: splits and folds select the clips, each one window of the model", "[audio][dataset]") {
  const std::string dir = make_temp_dir("clips") + "/two";
  write_two_sound_clip_folder(dir, 6, 2, 3);
  const AudioEncoderOptions model = small_audio_options();
  AudioClipOptions o;
  o.threads = 2;
  const AudioClipSet train = load_audio_clips(dir, model, o);
  CHECK(train.dataset == "two-sounds");
  CHECK(train.size() == 12);
  CHECK(train.label_names == std::vector<std::string>{"person speaking", "water boiling"});
  CHECK(train.n_mels == 16);
  CHECK(train.frames == model.frames());
  CHECK(train.log_mels.size() == 12u * 16u * static_cast<size_t>(model.frames()));
  o.exclude_folds = {3};
  CHECK(load_audio_clips(dir, model, o).size() == 8);
  o.exclude_folds.clear();
  o.only_folds = {3};
  CHECK(load_audio_clips(dir, model, o).size() == 4);
  AudioClipOptions test_split;
  test_split.splits = {"test"};
  const AudioClipSet test = load_audio_clips(dir, model, test_split, /*keep_samples=*/true);
  CHECK(test.size() == 6);
  REQUIRE(test.samples.size() == 6u * 8000u);
  AudioClipOptions all;
  all.splits = {"all"};
  CHECK(load_audio_clips(dir, model, all).size() == 22);
  // Loud sounds are never gated as quiet.
  for (bool q : train.quiet) CHECK_FALSE(q);
  const AudioClipSet restricted = restrict_labels(train, {"water boiling"});
  CHECK(restricted.size() == 6);
  CHECK(restricted.labels == std::vector<int>(6, 0));
}

TEST_CASE("audio clips: a clip shorter than the window is padded with silence after it", "[audio][dataset]") {
  const std::string dir = make_temp_dir("clips-short");
  std::filesystem::create_directories(dir + "/clips");
  write_wav(dir + "/clips/beep.wav", 8000, tone(8000, 0.5, 440));
  std::ofstream(dir + "/labels.csv") << "clip_id,label,source,fold,split\nbeep,person speaking,x,0,train\n";
  const AudioClipSet set = load_audio_clips(dir, small_audio_options(), {}, /*keep_samples=*/true);
  REQUIRE(set.samples.size() == 8000);
  CHECK(set.samples[3999] != 0.f);
  for (size_t i = 4000; i < 8000; ++i) REQUIRE(set.samples[i] == 0.f);
  CHECK(set.dataset == std::filesystem::path(dir).filename().string());
}

TEST_CASE("audio clips: a missing clip or a malformed labels.csv is named", "[audio][dataset]") {
  const std::string dir = make_temp_dir("clips-bad");
  write_two_sound_clip_folder(dir, 1, 0, 0);
  std::ofstream(dir + "/labels.csv", std::ios::app) << "ghost,water boiling,test:0,1,train\n";
  try {
    load_audio_clips(dir, small_audio_options(), {});
    FAIL("a missing clip must fail");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("ghost") != std::string::npos);
  }
  std::ofstream(dir + "/labels.csv") << "clip,label\nc0,water boiling\n";
  CHECK_THROWS_WITH(load_audio_clips(dir, small_audio_options(), {}), Catch::Contains("clip_id"));
  std::ofstream(dir + "/labels.csv") << "clip_id,label,source,fold,split\nc0,water boiling,x,one,train\n";
  CHECK_THROWS_WITH(load_audio_clips(dir, small_audio_options(), {}), Catch::Contains("fold 'one'"));
}
