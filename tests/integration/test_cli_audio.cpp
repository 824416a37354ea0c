// Integration tests: the real `imu2clip` binary with audio: tagging files into the log,
// evaluating an audio model on a clip folder, and `pretrain --modality audio` end to end.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tagger/model/bundle.h"
#include "tests/integration/process.h"
#include "tests/support/audio_fixtures.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

std::string write_small_audio_model(const std::string& dir) {
  ModelBundle bundle = small_audio_bundle({"vacuum cleaner running", "water boiling", "person speaking"});
  const std::string path = dir + "/audio.safetensors";
  save_bundle(path, bundle);
  return path;
}

}  // namespace

TEST_CASE("tag: audio files become Audio lines at their wall-clock time", "[integration][audio]") {
  const std::string dir = make_temp_dir("cli-audio-tag");
  const std::string model = write_small_audio_model(dir);
  write_wav(dir + "/kitchen.wav", 8000, concat(std::vector<float>(16000, 0.f), noise(8000, 3.0, 0.3)));
  const std::string db = dir + "/log.db";
  auto r = run_process({imu2clip_binary(), "tag", "--db", db, "--audio-model", model, "--tz", "UTC", "--start",
                        "2026-12-01T15:45:00Z", "--no-progress", "--print-log", dir + "/kitchen.wav"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("[15:45] Audio: quiet") != std::string::npos);
  CHECK(r.out.find("Audio: ") != std::string::npos);
  CHECK(r.err.find("1 tagged") != std::string::npos);
  // Tagging again leaves the finished file alone.
  auto again = run_process({imu2clip_binary(), "tag", "--db", db, "--audio-model", model, "--no-progress",
                            "--start", "2026-12-01T15:45:00Z", dir + "/kitchen.wav"});
  CHECK(again.exit_code == 0);
  CHECK(again.err.find("1 already tagged") != std::string::npos);
}

TEST_CASE("tag: audio errors say what is wrong", "[integration][audio]") {
  const std::string dir = make_temp_dir("cli-audio-bad");
  write_wav(dir + "/a.wav", 8000, noise(8000, 1.0, 0.3));
  // An IMU model is not an audio model.
  auto init = run_process({imu2clip_binary(), "model", "init", "--out", dir + "/imu.safetensors", "--gru-hidden", "16",
                           "--embed-dim", "16", "--label", "walking"});
  REQUIRE(init.exit_code == 0);
  auto r = run_process({imu2clip_binary(), "tag", "--db", dir + "/x.db", "--audio-model", dir + "/imu.safetensors",
                        "--no-progress", dir + "/a.wav"});
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("not an audio model") != std::string::npos);
  auto bad_start = run_process({imu2clip_binary(), "tag", "--db", dir + "/x.db", "--start", "yesterday-ish",
                                "--no-progress", dir + "/a.wav"});
  CHECK(bad_start.exit_code != 0);
  CHECK(bad_start.err.find("--start") != std::string::npos);
}

TEST_CASE("eval classify --modality audio reports accuracy, macro-F1 and classes", "[integration][audio]") {
  const std::string dir = make_temp_dir("cli-audio-eval");
  const std::string model = write_small_audio_model(dir);
  write_two_sound_clip_folder(dir + "/clips", 6, 2, 3);
  auto r = run_process({imu2clip_binary(), "eval", "classify", "--modality", "audio", "--model", model, "--data",
                        dir + "/clips", "--split", "test", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["modality"] == "audio");
  CHECK(j["n"] == 6);
  CHECK(j.contains("accuracy"));
  CHECK(j.contains("macro_f1"));
  CHECK(j["per_class"].size() >= 2);
  auto probe = run_process({imu2clip_binary(), "eval", "classify", "--modality", "audio", "--model", model, "--data",
                            dir + "/clips", "--mode", "probe", "--epochs", "20", "--val-fold", "3", "--json"});
  INFO(probe.err);
  REQUIRE(probe.exit_code == 0);
  const auto p = nlohmann::json::parse(probe.out);
  CHECK(p["details"]["training"]["train_windows"] == 8);
  CHECK(p["details"]["training"]["val_windows"] == 8);
}

TEST_CASE("pretrain --modality audio writes an audio model the tagger uses", "[integration][audio]") {
  const std::string dir = make_temp_dir("cli-audio-pretrain");
  write_two_sound_clip_folder(dir + "/clips", 4, 2, 0);
  const std::string out = dir + "/trained.safetensors";
  auto r = run_process({imu2clip_binary(), "pretrain", "--modality", "audio", "--data", dir + "/clips", "--out", out,
                        "--tower", "lexical-v1", "--tower-params", R"({"dim": 32})", "--epochs", "1", "--batch", "4",
                        "--max-steps", "1", "--threads", "1", "--augment", "gain,mask"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const ModelBundle bundle = load_bundle(out);
  CHECK(bundle.modality == "audio");
  CHECK(bundle.label_bank.labels == std::vector<std::string>{"person speaking", "water boiling"});
  CHECK(bundle.provenance["training"]["augment"] == "gain,mask");
  write_wav(dir + "/a.wav", 16000, tone(16000, 6.0, 200));
  auto tag = run_process({imu2clip_binary(), "tag", "--db", dir + "/x.db", "--audio-model", out, "--no-progress",
                          "--print-log", dir + "/a.wav"});
  INFO(tag.err);
  CHECK(tag.exit_code == 0);
  CHECK(tag.out.find("Audio: ") != std::string::npos);
  // IMU augmentations are refused for audio, with the list that is accepted.
  auto bad = run_process({imu2clip_binary(), "pretrain", "--modality", "audio", "--data", dir + "/clips", "--out",
                          dir + "/y.safetensors", "--tower", "lexical-v1", "--augment", "rot"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("gain, shift, mix, mask") != std::string::npos);
}
