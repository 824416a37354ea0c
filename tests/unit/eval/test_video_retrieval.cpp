// IMU<->video retrieval (paper Table 2): the metrics on hand-made pairs, and the pairing of narration
// windows with frame embeddings through a real (random-weight) encoder.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "common/error.h"
#include "tagger/eval/video_retrieval.h"
#include "tagger/model/encoder_options.h"
#include "tagger/model/safetensors.h"
#include "tagger/model/window_encoder.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

TEST_CASE("video retrieval metrics: strict pairs, both directions", "[eval][video]") {
  // Pairs 0 and 1 have each other's frames; pair 2 matches. IMU 0 = (1, 0) scores its frame (0, 1) at 0,
  // below (1, 0) and (0.6, 0.8): rank 3. Likewise IMU 1. IMU 2 ranks its own frame first.
  const std::vector<float> imu{1, 0, 0, 1, 0.6f, 0.8f};
  const std::vector<float> video{0, 1, 1, 0, 0.6f, 0.8f};
  const auto r = video_retrieval_metrics(imu, video, 2);
  CHECK(r.n == 3);
  CHECK(r.imu_to_video.r1 == Approx(1.0 / 3));
  CHECK(r.imu_to_video.r10 == Approx(1.0));
  CHECK(r.imu_to_video.mrr == Approx((1.0 / 3 + 1.0 / 3 + 1.0) / 3));
  CHECK(r.video_to_imu.r1 == Approx(1.0 / 3));
  CHECK_THROWS_AS(video_retrieval_metrics({1, 0}, {1, 0}, 2), Error);          // one pair
  CHECK_THROWS_AS(video_retrieval_metrics({1, 0, 0, 1}, {1, 0}, 2), Error);    // sizes differ
}

TEST_CASE("video retrieval pairs windows with the frame nearest in time", "[eval][video]") {
  const EncoderOptions options = EncoderOptions::official();
  auto encoder = make_random_window_encoder(options, 7, 1);
  NarrationWindows w;
  w.samples = options.window_samples;
  w.rate_hz = options.sample_rate_hz;
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  const int n = 12;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < w.channels * w.samples; ++k) w.data.push_back(noise(rng));
    w.text.push_back("c does something " + std::to_string(i));
    w.video_uid.push_back(i < 6 ? "v1" : "v2");
    w.time_s.push_back(10.0 * i);
  }
  std::vector<float> own(static_cast<size_t>(n) * encoder->dim());
  encoder->encode(w.data.data(), n, own.data());
  // Frames: each window's own embedding 0.2 s after its narration, except the last window's.
  SafetensorsFile file;
  for (int i = 0; i + 1 < n; ++i) {
    const std::string name = w.video_uid[i] + "@" + std::to_string(static_cast<int>(w.time_s[i] * 1000 + 200));
    file.tensors[name] = tensor_from_f32({encoder->dim()}, own.data() + i * encoder->dim(), DType::F32);
  }
  const auto path = test::make_temp_dir("video_retrieval") + "/video.safetensors";
  write_safetensors(path, file);
  const auto video = VideoEmbeddings::load(path);
  const auto r = evaluate_video_retrieval(*encoder, w, video, 0.5);
  CHECK(r.windows == n);
  CHECK(r.n == n - 1);
  CHECK(r.videos == 2);
  CHECK(r.imu_to_video.r1 == Approx(1.0));
  CHECK(r.video_to_imu.r1 == Approx(1.0));
  // Frames farther than the allowed distance pair with nothing.
  CHECK_THROWS_AS(evaluate_video_retrieval(*encoder, w, video, 0.1), Error);
}
