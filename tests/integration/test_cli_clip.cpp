// The real binary with CLIP: `imu2clip tokenize` against OpenAI's golden ids, and `pretrain --tower
// clip:DIR` with a tiny TorchScript tower of CLIP's interface (tests/support/tiny_clip.h).
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <stb_image_write.h>

#include "tagger/model/bundle.h"
#include "tagger/model/safetensors.h"
#include "tests/integration/process.h"
#include "tests/support/test_paths.h"
#include "tests/support/tiny_clip.h"
#include "tests/unit/dataset/synthetic_dataset.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

}  // namespace

TEST_CASE("tokenize --json prints one line per text with CLIP's ids", "[integration][clip]") {
  const auto dir = make_temp_dir("cli-tokenize");
  std::ofstream(dir + "/vocab.txt") << tiny_clip_merges();
  auto r = run_process({imu2clip_binary(), "tokenize", "--vocab", dir + "/vocab.txt", "--json", "walk", "Walking!", ""});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = json_lines(r.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == nlohmann::json{{"text", "walk"}, {"ids", {514}}});
  CHECK(lines[1]["text"] == "Walking!");
  CHECK(lines[1]["ids"] == nlohmann::json{512, 'l' - '!', 'k' - '!', 516, 256});  // wa l k ing</w> !</w>
  CHECK(lines[2]["ids"] == nlohmann::json::array());
  CHECK(r.out.rfind("{\"text\":", 0) == 0);  // "text" first, as documented

  // Without --json: the ids with their tokens, for people.
  auto human = run_process({imu2clip_binary(), "tokenize", "--vocab", dir + "/vocab.txt", "walk"});
  REQUIRE(human.exit_code == 0);
  CHECK(human.out.find("514") != std::string::npos);
  CHECK(human.out.find("walk</w>") != std::string::npos);

  auto missing = run_process({imu2clip_binary(), "tokenize", "--vocab", dir + "/absent.gz", "walk"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("absent.gz") != std::string::npos);
  auto none = run_process({imu2clip_binary(), "tokenize", "--vocab", dir + "/vocab.txt"});
  CHECK(none.exit_code == 1);
  CHECK(none.err.find("TEXT") != std::string::npos);
}

TEST_CASE("tokenize --json matches OpenAI's tokenizer on every golden case", "[integration][clip][shared]") {
  IMU2CLIP_REQUIRE_SHARED(clip_dir, "clip");
  std::vector<std::string> argv{imu2clip_binary(), "tokenize", "--vocab", clip_dir + "/bpe_simple_vocab_16e6.txt.gz",
                                "--json"};
  std::vector<nlohmann::json> cases;
  std::ifstream in(clip_dir + "/clip_tokenizer_cases.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    cases.push_back(nlohmann::json::parse(line));
    argv.push_back(cases.back()["text"].get<std::string>());
  }
  REQUIRE(cases.size() >= 30);
  auto r = run_process(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = json_lines(r.out);
  REQUIRE(lines.size() == cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("text: " << cases[i]["text"]);
    CHECK(lines[i]["text"] == cases[i]["text"]);
    CHECK(lines[i]["ids"] == cases[i]["ids"]);
  }
}

TEST_CASE("pretrain --tower clip:DIR trains against a TorchScript text tower", "[integration][clip]") {
  const auto dir = make_temp_dir("cli-pretrain-clip");
  const auto clip = dir + "/clip";
  std::filesystem::create_directories(clip);
  write_tiny_clip(clip, "train");
  write_synthetic_dataset(dir + "/data");
  const auto out = dir + "/model.safetensors";
  auto r = run_process({imu2clip_binary(), "pretrain", "--data", dir + "/data", "--out", out, "--tower", "clip:" + clip,
                        "--rate", "50", "--window", "4", "--stride", "1", "--batch", "4", "--epochs", "1",
                        "--max-steps", "2", "--threads", "1", "--val-split", "none"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const ModelBundle bundle = load_bundle(out);
  CHECK(bundle.text_tower_id == "clip");
  CHECK(bundle.text_tower_params["dim"] == 8);
  CHECK(bundle.text_tower_params["model"] == "tiny-train");
  CHECK(bundle.label_bank.dim == 8);
  CHECK(bundle.encoder.embed_dim == 8);

  // Zero-shot tagging with free-form labels embeds them through the CLIP folder, like any tower.
  std::ofstream(dir + "/labels.txt") << "walking\nclimbing stairs\n";
  auto tag = run_process({imu2clip_binary(), "tag", "--db", dir + "/log.db", "--model", out, "--labels",
                          dir + "/labels.txt", "--tz", "UTC", "--start", "2026-12-01T15:45:00Z", "--no-progress",
                          "--print-log", dir + "/data/recordings/r1.csv"});
  INFO(tag.err);
  CHECK(tag.exit_code == 0);
  CHECK(tag.out.find("Motion: ") != std::string::npos);

  // Search embeds its query through the same CLIP folder and ranks the windows the bundle tagged
  // (with its own label bank: --labels makes another model id, whose windows a search of this
  // bundle does not compare).
  auto own = run_process({imu2clip_binary(), "tag", "--db", dir + "/own.db", "--model", out, "--tz", "UTC", "--start",
                          "2026-12-01T15:45:00Z", "--no-progress", dir + "/data/recordings/r1.csv"});
  INFO(own.err);
  REQUIRE(own.exit_code == 0);
  auto found = run_process({imu2clip_binary(), "search", "--db", dir + "/own.db", "--model", out, "--json", "-k", "3",
                            "climbing stairs"});
  INFO(found.err);
  REQUIRE(found.exit_code == 0);
  const auto result = nlohmann::json::parse(found.out);
  CHECK(result["models"][0] == bundle.model_id);
  CHECK(result["searched_windows"].get<int64_t>() > 0);
  REQUIRE(result["results"].size() == 3);
  CHECK(result["results"][0]["score"].get<double>() >= result["results"][2]["score"].get<double>());

  // A folder that is no CLIP export is refused, naming clip.json.
  auto bad = run_process({imu2clip_binary(), "pretrain", "--data", dir + "/data", "--out", dir + "/x.safetensors",
                          "--tower", "clip:" + dir + "/data", "--rate", "50", "--window", "4", "--stride", "1"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("clip.json") != std::string::npos);
}

TEST_CASE("embed-video writes one embedding per frame, named <video_uid>@<time_ms>", "[integration][clip][video]") {
  const auto dir = make_temp_dir("cli-embed-video");
  write_tiny_clip(dir);
  std::filesystem::create_directories(dir + "/frames/v1");
  const std::vector<uint8_t> pixels(5 * 4 * 3, 90);
  for (const char* t : {"0", "500"}) {
    REQUIRE(stbi_write_png((dir + "/frames/v1/" + t + ".png").c_str(), 5, 4, 3, pixels.data(), 15) != 0);
  }
  auto r = run_process({imu2clip_binary(), "embed-video", "--clip", dir, "--frames", dir + "/frames", "--out",
                        dir + "/video.safetensors", "--no-progress"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto file = read_safetensors(dir + "/video.safetensors");
  REQUIRE(file.tensors.size() == 2);
  CHECK(file.tensors.count("v1@0") == 1);
  CHECK(file.tensors.at("v1@500").shape == std::vector<int64_t>{3});

  auto bad = run_process({imu2clip_binary(), "embed-video", "--clip", dir, "--frames", dir + "/absent", "--out",
                          dir + "/x.safetensors"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("absent") != std::string::npos);
}

TEST_CASE("eval video ranks Ego4D narration windows against frame embeddings", "[integration][video][shared]") {
  IMU2CLIP_REQUIRE_SHARED(ego, "ego4d_mini");
  const auto dir = make_temp_dir("cli-eval-video");
  const auto model = dir + "/model.safetensors";
  auto init = run_process({imu2clip_binary(), "model", "init", "--out", model, "--gru-hidden", "32"});
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  const int dim = load_bundle(model).label_bank.dim;
  // Random frames every 5 s from 2.5 s, where ego4d_mini's narrations are.
  nlohmann::json index;
  std::ifstream(ego + "/ego4d.json") >> index;
  SafetensorsFile frames;
  std::mt19937 rng(11);
  std::normal_distribution<float> noise;
  for (const auto& v : index["videos"]) {
    for (double t = 2.5; t < v["duration_sec"].get<double>(); t += 5.0) {
      std::vector<float> e(static_cast<size_t>(dim));
      for (auto& x : e) x = noise(rng);
      frames.tensors[v["video_uid"].get<std::string>() + "@" + std::to_string(static_cast<int>(t * 1000))] =
          tensor_from_f32({dim}, e.data(), DType::F32);
    }
  }
  write_safetensors(dir + "/video.safetensors", frames);
  auto r = run_process({imu2clip_binary(), "eval", "video", "--model", model, "--ego4d", ego, "--video-emb",
                        dir + "/video.safetensors", "--max-windows", "200", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["pairs"].get<int>() > 10);
  CHECK(j["imu_to_video"]["queries"] == j["pairs"]);
  for (const char* dir_name : {"imu_to_video", "video_to_imu"}) {
    const double r1 = j[dir_name]["r1"], r50 = j[dir_name]["r50"];
    CHECK(r1 >= 0.0);
    CHECK(r1 <= r50);
    CHECK(r50 <= 1.0);
  }
}
