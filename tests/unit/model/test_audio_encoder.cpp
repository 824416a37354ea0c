// The audio encoder: shapes and unit rows, the torch-free face matching the module on the same
// log-mels, and audio bundles that round-trip and refuse to be used as IMU models.
#include <torch/torch.h>

#include <catch2/catch.hpp>

#include <cmath>

#include "common/error.h"
#include "tagger/model/audio_encoder.h"
#include "tagger/model/audio_window_encoder.h"
#include "tagger/model/bundle.h"
#include "tagger/model/window_encoder.h"
#include "tagger/zeroshot/segmenter.h"
#include "tests/support/audio_fixtures.h"
#include "tests/support/small_tagging_bundle.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

TEST_CASE("audio encoder: log-mel windows become unit rows of the text dimension", "[audio][model]") {
  AudioEncoder encoder(test::small_audio_options());
  encoder->eval();
  const auto& o = encoder->options();
  REQUIRE(o.frames() == 1 + 8000 / 128);
  torch::NoGradGuard guard;
  const auto out = encoder->forward(torch::randn({3, o.front_end.n_mels, o.frames()}));
  REQUIRE(out.sizes() == torch::IntArrayRef({3, 32}));
  for (int i = 0; i < 3; ++i) CHECK(out[i].norm().item<float>() == Approx(1.0).epsilon(1e-4));
}

TEST_CASE("audio encoder: wrong shapes are refused with what was expected", "[audio][model]") {
  AudioEncoder encoder(test::small_audio_options());
  encoder->eval();
  torch::NoGradGuard guard;
  CHECK_THROWS_WITH(encoder->forward(torch::randn({2, 40, 63})), Catch::Contains("[batch, 16, frames]"));
  CHECK_THROWS_WITH(encoder->forward(torch::randn({2, 16, 1})), Catch::Contains("too short"));
  AudioEncoderOptions tiny = test::small_audio_options();
  tiny.window_samples = 100;  // 1 frame: too few for a pooling block
  CHECK_THROWS_AS(tiny.validate(), Error);
}

TEST_CASE("audio encoder: waveforms through the front end give the module's embeddings", "[audio][model]") {
  const ModelBundle bundle = test::small_audio_bundle();
  auto encoder = make_audio_window_encoder(bundle, 1);
  const auto x = test::concat(test::tone(8000, 1.0, 440), test::noise(8000, 1.0, 0.2));
  std::vector<float> from_waveform(2 * 32), from_mels(2 * 32);
  encoder->encode(x.data(), 2, from_waveform.data());
  const int frames = bundle.audio.frames();
  std::vector<float> mels(2 * 16 * static_cast<size_t>(frames));
  for (int i = 0; i < 2; ++i) encoder->front_end().compute(x.data() + i * 8000, 8000, mels.data() + i * 16 * frames);
  encoder->encode_log_mels(mels.data(), 2, from_mels.data());
  for (size_t i = 0; i < from_mels.size(); ++i) REQUIRE(from_waveform[i] == Approx(from_mels[i]).margin(1e-5));
  // A tone and noise are different sounds: their embeddings differ.
  double dot = 0;
  for (int d = 0; d < 32; ++d) dot += from_waveform[d] * from_waveform[32 + d];
  CHECK(dot < 0.999);
}

TEST_CASE("audio bundle: saved and loaded with its modality, front end, gate and weights", "[audio][model]") {
  ModelBundle bundle = test::small_audio_bundle();
  bundle.audio.gate.quiet_below_dbfs = -48;
  bundle.model_id = compute_model_id(bundle);
  const std::string path = test::make_temp_dir("audio-bundle") + "/audio.safetensors";
  save_bundle(path, bundle);
  const ModelBundle loaded = load_bundle(path);
  CHECK(loaded.modality == "audio");
  CHECK(loaded.is_audio());
  CHECK(loaded.model_id == bundle.model_id);
  CHECK(loaded.audio.front_end.sample_rate_hz == 8000);
  CHECK(loaded.audio.front_end.hop == 128);
  CHECK(loaded.audio.gate.quiet_below_dbfs == -48);
  CHECK(loaded.audio.conv_channels == std::vector<int>{4, 8});
  CHECK(loaded.window_s() == Approx(1.0));
  CHECK(loaded.output_dim() == 32);
  CHECK(loaded.label_bank.labels == bundle.label_bank.labels);
  CHECK(loaded.label_text(kUnclearLabel) == "unclear sound");
  CHECK(loaded.label_text(static_cast<int>(loaded.label_bank.size())) == "quiet");
  // The same weights encode the same way after the round trip.
  auto a = make_audio_window_encoder(bundle, 1), b = make_audio_window_encoder(loaded, 1);
  const auto x = test::tone(8000, 1.0, 1000);
  std::vector<float> ea(32), eb(32);
  a->encode(x.data(), 1, ea.data());
  b->encode(x.data(), 1, eb.data());
  for (int d = 0; d < 32; ++d) CHECK(ea[d] == Approx(eb[d]).margin(1e-6));
}

TEST_CASE("audio bundle: an audio model is not an IMU model and the other way round", "[audio][model]") {
  const ModelBundle audio = test::small_audio_bundle();
  CHECK_THROWS_WITH(make_window_encoder(audio, 1), Catch::Contains("audio model"));
  const ModelBundle imu = test::small_tagging_bundle();
  CHECK(imu.modality == "imu");
  CHECK_THROWS_WITH(make_audio_window_encoder(imu, 1), Catch::Contains("not an audio model"));
  CHECK(imu.label_text(kUnclearLabel) == "unclear motion");
}
