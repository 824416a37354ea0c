#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/model/imu_encoder.h"
#include "test_encoder_support.h"

using namespace imu2clip;
using imu2clip::test::as_tensor;
using imu2clip::test::random_windows;

TEST_CASE("official options: 1000 samples give 32 GRU steps and 141 is the shortest window") {
  auto o = EncoderOptions::official();
  CHECK(o.gru_steps(1000) == 32);
  CHECK(o.min_window_samples() == 141);
  CHECK(o.gru_steps(141) == 1);
  CHECK_THROWS_AS(o.gru_steps(140), Error);
  CHECK_FALSE(o.project);
}

TEST_CASE("encoder options validate names the offending field") {
  auto o = EncoderOptions::official();
  o.input_groups = 4;  // does not divide 6 channels
  try {
    o.validate();
    FAIL("validate accepted input_groups=4 for 6 channels");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().field == "input_groups");
  }
  o = EncoderOptions::official();
  o.embed_dim = 256;  // no projection, so it must equal gru_hidden
  CHECK_THROWS_AS(o.validate(), Error);
  o.project = true;
  CHECK_NOTHROW(o.validate());
}

TEST_CASE("encoder options survive a JSON round trip and missing keys keep defaults") {
  auto o = imu2clip::test::small_options(333);
  o.conv_relu = true;
  o.sample_rate_hz = 50.0;
  nlohmann::json j = o;
  auto back = j.get<EncoderOptions>();
  CHECK(back.conv_channels == o.conv_channels);
  CHECK(back.kernel_sizes == o.kernel_sizes);
  CHECK(back.gru_hidden == 40);
  CHECK(back.embed_dim == 24);
  CHECK(back.conv_relu);
  CHECK(back.window_samples == 333);
  CHECK(back.sample_rate_hz == 50.0);
  auto partial = nlohmann::json{{"gru_hidden", 64}}.get<EncoderOptions>();
  CHECK(partial.gru_hidden == 64);
  CHECK(partial.window_samples == EncoderOptions{}.window_samples);
  CHECK_THROWS_AS((nlohmann::json{{"gru_hidden", "big"}}.get<EncoderOptions>()), Error);
}

TEST_CASE("encoder outputs unit rows of the embedding size for many window lengths") {
  torch::manual_seed(1);
  for (int samples : {250, 500, 1000, 1500}) {
    auto o = EncoderOptions::official();
    o.window_samples = samples;
    o.project = true;
    o.embed_dim = 128;
    ImuEncoder encoder(o);
    auto x = random_windows(3, 6, samples, 7);
    torch::NoGradGuard no_grad;
    auto y = encoder->forward(as_tensor(x, 3, 6, samples));
    REQUIRE(y.sizes() == torch::IntArrayRef({3, 128}));
    auto norms = y.norm(2, 1);
    CHECK(torch::allclose(norms, torch::ones_like(norms), 1e-5, 1e-5));
  }
}

TEST_CASE("the GRU runs over time: only changing the last samples changes the embedding") {
  torch::manual_seed(2);
  auto o = EncoderOptions::official();
  ImuEncoder encoder(o);
  torch::NoGradGuard no_grad;
  auto x = random_windows(1, 6, 1000, 3);
  auto before = encoder->forward(as_tensor(x, 1, 6, 1000)).clone();
  for (int c = 0; c < 6; ++c)
    for (int t = 960; t < 1000; ++t) x[c * 1000 + t] += 3.0f;
  auto after = encoder->forward(as_tensor(x, 1, 6, 1000));
  CHECK((before - after).abs().max().item<float>() > 1e-4f);
}

TEST_CASE("a window length the official encoder rejects (1500 samples, 7.5 s) works") {
  torch::manual_seed(3);
  auto o = EncoderOptions::official();
  o.window_samples = 1500;
  ImuEncoder encoder(o);
  auto x = random_windows(2, 6, 1500, 4);
  torch::NoGradGuard no_grad;
  auto y = encoder->forward(as_tensor(x, 2, 6, 1500));
  CHECK(y.sizes() == torch::IntArrayRef({2, 512}));
  CHECK(torch::isfinite(y).all().item<bool>());
}

TEST_CASE("a too-short window or wrong channel count is rejected with a clear error") {
  torch::manual_seed(4);
  ImuEncoder encoder(EncoderOptions::official());
  torch::NoGradGuard no_grad;
  try {
    encoder->forward(torch::randn({1, 6, 100}));
    FAIL("a 100-sample window was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK_THAT(e.message(), Catch::Contains("too short") && Catch::Contains("141"));
  }
  CHECK_THROWS_AS(encoder->forward(torch::randn({1, 3, 1000})), Error);
  CHECK_THROWS_AS(encoder->forward(torch::randn({6, 1000})), Error);
}
