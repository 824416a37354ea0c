#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "common/error.h"
#include "tagger/model/bundle.h"
#include "tagger/model/encoder_bench.h"
#include "tagger/model/fast_encoder.h"
#include "tagger/model/imu_encoder.h"
#include "tagger/model/weights_io.h"
#include "tagger/model/window_encoder.h"
#include "test_encoder_support.h"

using namespace imu2clip;
using imu2clip::test::as_tensor;
using imu2clip::test::random_windows;
using imu2clip::test::small_options;

namespace {

// Checks every kernel set this CPU runs against the module forward: max |fast - module| < 1e-4
// over n windows.
void check_fast_vs_module(const EncoderOptions& o, int64_t n, int threads, int chunk, uint64_t seed) {
  torch::manual_seed(seed);
  ImuEncoder module(o);
  const auto weights = export_weights(*module);
  auto x = random_windows(n, o.in_channels, o.window_samples, static_cast<uint32_t>(seed));
  torch::NoGradGuard no_grad;
  auto expected = module->forward(as_tensor(x, n, o.in_channels, o.window_samples)).contiguous();
  for (const fast::KernelSet* kernels : fast::supported_kernel_sets()) {
    INFO("kernel set " << kernels->name);
    fast::FastEncoder engine(o, weights, threads, chunk, *kernels);
    REQUIRE(std::string(engine.kernel_name()) == kernels->name);
    std::vector<float> fast_out(static_cast<size_t>(n) * engine.dim(), NAN);
    engine.encode(x.data(), n, fast_out.data());
    auto got = torch::from_blob(fast_out.data(), {n, engine.dim()}, torch::kFloat);
    CHECK((expected - got).abs().max().item<float>() < 1e-4f);
  }
}

// Sets IMU2CLIP_KERNELS for one scope and restores the previous value.
class KernelsEnv {
 public:
  explicit KernelsEnv(const char* value) {
    if (const char* old = std::getenv("IMU2CLIP_KERNELS")) old_ = old;
    ::setenv("IMU2CLIP_KERNELS", value, 1);
  }
  ~KernelsEnv() {
    if (old_) {
      ::setenv("IMU2CLIP_KERNELS", old_->c_str(), 1);
    } else {
      ::unsetenv("IMU2CLIP_KERNELS");
    }
  }

 private:
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("fast path equals the module forward for the official sizes and several lengths") {
  for (int samples : {250, 1000, 1500}) {
    auto o = EncoderOptions::official();
    o.window_samples = samples;
    for (int64_t n : {1, 13}) {
      INFO("samples " << samples << " windows " << n);
      check_fast_vs_module(o, n, 2, 64, 20 + n);
    }
  }
}

TEST_CASE("fast path equals the module with projection, ReLU and odd layer sizes") {
  auto o = small_options(301);
  o.conv_relu = true;
  for (int threads : {1, 2, 3}) {
    INFO("threads " << threads);
    check_fast_vs_module(o, 11, threads, 64, 30);
  }
  o.project = false;
  o.embed_dim = o.gru_hidden;
  check_fast_vs_module(o, 5, 2, 64, 31);
}

TEST_CASE("fast path chunks large inputs without changing results") {
  auto o = small_options(250);
  // 67 windows in chunks of 8: seven full chunks and a remainder of 3.
  check_fast_vs_module(o, 67, 2, 8, 40);
}

TEST_CASE("every kernel set this CPU runs is listed widest first, ending with the baseline") {
  const auto sets = fast::supported_kernel_sets();
  REQUIRE(!sets.empty());
  CHECK(std::string(sets.back()->name) == "baseline");
  CHECK(sets.back() == &fast::baseline_kernels());
  for (size_t i = 1; i < sets.size(); ++i) CHECK(sets[i - 1]->lanes > sets[i]->lanes);
  // Without the variable the encoder gets the widest set.
  ::unsetenv("IMU2CLIP_KERNELS");
  CHECK(&fast::fast_kernels() == sets.front());
}

TEST_CASE("IMU2CLIP_KERNELS forces a kernel set and rejects unknown or unsupported ones") {
  {
    KernelsEnv env("baseline");
    CHECK(std::string(fast::fast_kernels().name) == "baseline");
    auto encoder = make_random_window_encoder(small_options(250), 3, 1);
    REQUIRE(encoder->kernel_set() != nullptr);
    CHECK(std::string(encoder->kernel_set()->name) == "baseline");
  }
  {
    KernelsEnv env("avx9000");
    try {
      fast::fast_kernels();
      FAIL("an unknown kernel set was accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::InvalidInput);
      CHECK_THAT(e.message(), Catch::Contains("IMU2CLIP_KERNELS") && Catch::Contains("avx9000") &&
                                  Catch::Contains("baseline"));
    }
    CHECK_THROWS_AS(make_random_window_encoder(small_options(250), 3, 1), Error);
  }
  // The x86 sets are chosen when this CPU has them and refused, with the reason, when not.
  const auto sets = fast::supported_kernel_sets();
  for (const char* name : {"avx2", "avx512"}) {
    INFO("IMU2CLIP_KERNELS=" << name);
    KernelsEnv env(name);
    const bool supported = std::any_of(sets.begin(), sets.end(),
                                       [&](const fast::KernelSet* k) { return std::string(k->name) == name; });
    if (supported) {
      CHECK(std::string(fast::fast_kernels().name) == name);
    } else {
      CHECK_THROWS_WITH(fast::fast_kernels(), Catch::Contains("this CPU cannot run them"));
    }
  }
}

TEST_CASE("fast path rejects weights that do not fit the options") {
  torch::manual_seed(60);
  ImuEncoder module(small_options());
  auto weights = export_weights(*module);
  auto other = small_options();
  other.gru_hidden = 48;
  try {
    make_window_encoder(other, weights, 1);
    FAIL("weights of another architecture accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK_THAT(e.message(), Catch::Contains("gru.weight_hh_l0"));
  }
  weights.erase("mid_norm.bias");
  CHECK_THROWS_WITH(make_window_encoder(small_options(), weights, 1),
                    Catch::Contains("missing tensor 'mid_norm.bias'"));
}

TEST_CASE("random and bundle encoders are deterministic per seed and unit-norm") {
  auto o = small_options(250);
  auto a = make_random_window_encoder(o, 77, 2);
  auto b = make_random_window_encoder(o, 77, 2);
  auto c = make_random_window_encoder(o, 78, 2);
  REQUIRE(a->dim() == 24);
  REQUIRE(a->window_samples() == 250);
  auto x = random_windows(5, 6, 250, 1);
  std::vector<float> ya(5 * 24), yb(5 * 24), yc(5 * 24);
  a->encode(x.data(), 5, ya.data());
  b->encode(x.data(), 5, yb.data());
  c->encode(x.data(), 5, yc.data());
  CHECK(ya == yb);
  CHECK(ya != yc);
  for (int w = 0; w < 5; ++w) {
    double norm = 0;
    for (int i = 0; i < 24; ++i) norm += ya[w * 24 + i] * ya[w * 24 + i];
    CHECK(std::sqrt(norm) == Approx(1.0).epsilon(1e-5));
  }
}

TEST_CASE("untrained bundle: encoder weights and label bank fit the text tower") {
  auto o = small_options(250);
  o.embed_dim = 64;
  auto bundle = make_untrained_bundle(o, "lexical-v1", {{"dim", 64}}, {"walking", "sitting"}, 5);
  CHECK(bundle.label_bank.size() == 2);
  CHECK(bundle.label_bank.dim == 64);
  CHECK(bundle.text_tower_id == "lexical-v1");
  auto encoder = make_window_encoder(bundle, 1);
  CHECK(encoder->dim() == 64);
  auto reference = make_module_window_encoder(o, bundle.encoder_weights, 1);
  auto x = random_windows(3, 6, 250, 2);
  std::vector<float> fast_out(3 * 64), module_out(3 * 64);
  encoder->encode(x.data(), 3, fast_out.data());
  reference->encode(x.data(), 3, module_out.data());
  for (size_t i = 0; i < fast_out.size(); ++i) CHECK(fast_out[i] == Approx(module_out[i]).margin(1e-4));
  // The tower's dimension must match the encoder's output.
  CHECK_THROWS_AS(make_untrained_bundle(o, "lexical-v1", {{"dim", 32}}, {"walking"}, 5), Error);
}

TEST_CASE("encoder FLOP per window follows the layer sizes") {
  // Official sizes: conv 6->32 k10 (982 outputs), 32->32 k5 (319), 32->32 k5 (98), GRU 32 -> 512
  // over 32 steps (31 recurrent products), no projection.
  const double expected = 2.0 * 32 * 6 * 10 * 982 + 2.0 * 32 * 32 * 5 * 319 + 2.0 * 32 * 32 * 5 * 98 +
                          2.0 * 32 * 1536 * 32 + 2.0 * 31 * 1536 * 512;
  CHECK(encoder_flop_per_window(EncoderOptions::official()) == Approx(expected));
  auto o = EncoderOptions::official();
  o.project = true;
  o.embed_dim = 256;
  CHECK(encoder_flop_per_window(o) == Approx(expected + 2.0 * 512 * 256));
}

TEST_CASE("benchmark reports a positive rate for the requested batch") {
  auto encoder = make_random_window_encoder(small_options(250), 3, 1);
  auto result = bench_encoder(*encoder, 4, 0.05, 1);
  CHECK(result.kernel_set == fast::fast_kernels().name);
  CHECK(result.lanes == fast::fast_kernels().lanes);
  CHECK(result.flop_per_window == Approx(encoder_flop_per_window(small_options(250))));
  CHECK(result.batch == 4);
  CHECK(result.window_samples == 250);
  CHECK(result.windows >= 4 * 5);
  CHECK(result.windows_per_s > 0);
  CHECK(result.seconds >= 0.05);
  CHECK_THAT(result.model, Catch::Contains("gru40"));
}
