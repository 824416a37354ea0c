#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>

#include "common/error.h"
#include "tagger/model/bundle.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/text_tower.h"
#include "tagger/train/trainer.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {

EncoderOptions small_encoder(int dim, int samples, double rate) {
  EncoderOptions o;
  o.gru_hidden = 32;
  o.conv_channels = {8, 8, 8};
  o.mid_groups = 4;
  o.embed_dim = dim;
  o.project = true;
  o.window_samples = samples;
  o.sample_rate_hz = rate;
  return o;
}

// Four texts, windows whose signal depends on the text (so there is something to learn).
TrainingData synthetic_data(int windows) {
  TrainingData d;
  d.samples = 200;
  d.rate_hz = 40;
  d.texts = {"walking", "sitting", "running", "lying down"};
  d.text_is_label = {1, 1, 1, 1};
  uint64_t state = 99;
  for (int i = 0; i < windows; ++i) {
    const int text = i % 4;
    d.text.push_back(text);
    for (int c = 0; c < 6; ++c)
      for (int t = 0; t < d.samples; ++t) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const double noise = static_cast<double>(state >> 40) / (1ull << 24) - 0.5;
        d.windows.push_back(static_cast<float>(std::sin(0.1 * (text + 1) * t + c) + 0.3 * noise));
      }
  }
  return d;
}

}  // namespace

TEST_CASE("resuming from a checkpoint reproduces the uninterrupted run step for step") {
  auto tower = make_text_tower("lexical-v1", nlohmann::json::object());
  const TrainingData data = synthetic_data(96);
  TrainSetup s;
  s.encoder = small_encoder(tower->dim(), data.samples, data.rate_hz);
  s.tower = tower.get();
  s.templates = default_prompt_templates();
  s.train = &data;
  s.val = &data;
  s.options.batch_size = 16;
  s.options.epochs = 2;
  s.options.threads = 1;
  s.options.augment = AugmentOptions::parse("rot,scale,jitter,shift");
  s.options.learn_temperature = true;
  s.options.warmup_steps = 3;

  auto record = [](std::vector<double>& losses, int epoch) {
    TrainCallbacks cb;
    cb.on_step = [&losses, epoch](const StepProgress& p) {
      if (p.epoch == epoch) losses.push_back(p.loss);
    };
    return cb;
  };
  std::vector<double> straight;
  s.options.checkpoint_dir = test::make_temp_dir("train_ckpt_a");
  const TrainResult full = train_contrastive(s, record(straight, 2));
  REQUIRE(straight.size() == 6);

  // Interrupt the same run after its first epoch (a stop request during epoch 2 keeps the
  // epoch-1 checkpoint), then resume it.
  s.options.checkpoint_dir = test::make_temp_dir("train_ckpt_b");
  std::atomic<bool> stop{false};
  TrainCallbacks interrupt;
  interrupt.stop = &stop;
  interrupt.on_epoch = [&](const EpochMetrics& m) { stop = m.epoch == 1; };
  const TrainResult stopped = train_contrastive(s, interrupt);
  CHECK(stopped.interrupted);
  CHECK(stopped.history.size() == 1);
  CHECK(std::filesystem::exists(s.options.checkpoint_dir + "/last.pt"));
  s.options.resume = true;
  std::vector<double> resumed;
  const TrainResult second = train_contrastive(s, record(resumed, 2));
  CHECK(second.resumed_from_epoch == 1);
  REQUIRE(resumed.size() == straight.size());
  for (size_t i = 0; i < resumed.size(); ++i) CHECK(resumed[i] == straight[i]);
  REQUIRE(second.history.size() == 2);
  CHECK(second.history[1].val_loss == full.history[1].val_loss);

  // A checkpoint of a different setup is refused rather than silently mixed in.
  s.options.batch_size = 8;
  CHECK_THROWS_AS(train_contrastive(s), Error);
}

TEST_CASE("the trained bundle holds the label bank, weights and provenance") {
  auto tower = make_text_tower("lexical-v1", nlohmann::json::object());
  const TrainingData data = synthetic_data(32);
  TrainSetup s;
  s.encoder = small_encoder(tower->dim(), data.samples, data.rate_hz);
  s.tower = tower.get();
  s.templates = default_prompt_templates();
  s.train = &data;
  s.options.batch_size = 8;
  s.options.epochs = 1;
  s.options.threads = 1;
  const TrainResult r = train_contrastive(s);
  ModelBundle b = make_trained_bundle(s, r, {{"command", "test"}});
  const auto path = test::make_temp_dir("train_bundle") + "/m.safetensors";
  save_bundle(path, b, DType::F16);
  const ModelBundle loaded = load_bundle(path);
  CHECK(loaded.label_bank.labels == std::vector<std::string>{"lying down", "running", "sitting", "walking"});
  CHECK(loaded.text_tower_id == "lexical-v1");
  CHECK(loaded.encoder.window_samples == 200);
  CHECK(loaded.provenance["command"] == "test");
  CHECK(loaded.provenance["metrics"]["history"].size() == 1);
  CHECK(loaded.encoder_weights.begin()->second.dtype == DType::F16);
}

TEST_CASE("a mismatched tower dimension or too-short windows are refused") {
  auto tower = make_text_tower("lexical-v1", nlohmann::json::object());
  const TrainingData data = synthetic_data(16);
  TrainSetup s;
  s.encoder = small_encoder(tower->dim() / 2, data.samples, data.rate_hz);
  s.tower = tower.get();
  s.templates = default_prompt_templates();
  s.train = &data;
  CHECK_THROWS_AS(train_contrastive(s), Error);
  s.encoder = small_encoder(tower->dim(), data.samples, data.rate_hz);
  s.encoder.kernel_sizes = {40, 40, 40};
  CHECK_THROWS_AS(train_contrastive(s), Error);
}

TEST_CASE("one CPU epoch on a slice of hapt lowers the contrastive loss", "[shared]") {
  IMU2CLIP_REQUIRE_SHARED(hapt, "imu/hapt");
  WindowDatasetOptions o;
  o.splits = {"train"};
  const LabelledWindows windows = take_windows(load_labelled_windows(hapt, o), 512);
  const TrainingData data = training_data_from_labels(windows);
  auto tower = make_text_tower("lexical-v1", nlohmann::json::object());
  TrainSetup s;
  s.encoder = EncoderOptions::official();
  s.encoder.project = true;
  s.encoder.embed_dim = tower->dim();
  s.encoder.window_samples = data.samples;
  s.encoder.sample_rate_hz = data.rate_hz;
  s.tower = tower.get();
  s.templates = default_prompt_templates();
  s.train = &data;
  s.val = &data;  // the same windows before and after: did the epoch fit them?
  s.options.batch_size = 32;
  s.options.epochs = 1;
  s.options.lr = 2e-3;
  s.options.warmup_steps = 0;
  s.options.schedule = "none";
  std::vector<double> losses;
  TrainCallbacks cb;
  cb.on_step = [&](const StepProgress& p) { losses.push_back(p.loss); };
  const TrainResult r = train_contrastive(s, cb);
  REQUIRE(losses.size() == 16);
  REQUIRE(r.history.size() == 1);
  INFO("first step loss " << losses.front() << ", validation loss after the epoch " << r.history[0].val_loss);
  CHECK(r.history[0].val_loss < losses.front() - 0.3);
}
