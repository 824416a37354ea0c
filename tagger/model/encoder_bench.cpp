#include "tagger/model/encoder_bench.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <vector>

#include <ATen/Parallel.h>

#include "common/error.h"
#include "tagger/model/fast_kernels.h"
#include "tagger/model/window_encoder.h"

namespace imu2clip {
namespace {

std::string describe(const EncoderOptions& o) {
  std::string s = "imu-encoder conv";
  for (size_t i = 0; i < o.conv_channels.size(); ++i) {
    s += (i ? "," : "") + std::to_string(o.conv_channels[i]) + "k" + std::to_string(o.kernel_sizes[i]);
  }
  s += " d" + std::to_string(o.dilation) + " pool" + std::to_string(o.pool) + " gru" +
       std::to_string(o.gru_hidden);
  if (o.project) s += " proj" + std::to_string(o.embed_dim);
  s += " T" + std::to_string(o.window_samples);
  return s;
}

}  // namespace

double encoder_flop_per_window(const EncoderOptions& o) {
  double flop = 0;
  int64_t length = o.window_samples;
  int cin = o.in_channels;
  for (size_t i = 0; i < o.conv_channels.size(); ++i) {
    const int64_t lc = length - static_cast<int64_t>(o.dilation) * (o.kernel_sizes[i] - 1);
    flop += 2.0 * o.conv_channels[i] * cin * o.kernel_sizes[i] * lc;
    length = lc / o.pool;
    cin = o.conv_channels[i];
  }
  const double steps = o.gru_steps(o.window_samples);
  const double h = o.gru_hidden;
  flop += 2.0 * steps * 3 * h * cin;
  flop += 2.0 * (steps - 1) * 3 * h * h;
  if (o.project) flop += 2.0 * h * o.embed_dim;
  return flop;
}

std::optional<double> cpuinfo_clock_ghz() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("cpu MHz", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    try {
      const double mhz = std::stod(line.substr(colon + 1));
      if (mhz > 0) return mhz / 1000.0;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

EncoderBenchResult bench_encoder(WindowEncoder& encoder, int batch, double min_seconds,
                                 int warmup_iters) {
  if (batch < 1) throw Error(ErrorKind::InvalidInput, "benchmark batch must be at least 1");
  constexpr int kRepetitions = 5;
  const int64_t floats = static_cast<int64_t>(batch) * encoder.options().in_channels * encoder.window_samples();
  std::vector<float> input(floats);
  std::mt19937 rng(1234);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : input) v = normal(rng);
  std::vector<float> output(static_cast<size_t>(batch) * encoder.dim());

  for (int i = 0; i < warmup_iters; ++i) encoder.encode(input.data(), batch, output.data());

  using clock = std::chrono::steady_clock;
  std::vector<double> rates;
  EncoderBenchResult result;
  const double rep_seconds = std::max(min_seconds, 0.0) / kRepetitions;
  for (int rep = 0; rep < kRepetitions; ++rep) {
    int64_t calls = 0;
    const auto start = clock::now();
    double elapsed = 0;
    do {
      encoder.encode(input.data(), batch, output.data());
      ++calls;
      elapsed = std::chrono::duration<double>(clock::now() - start).count();
    } while (elapsed < rep_seconds);
    rates.push_back(static_cast<double>(calls) * batch / elapsed);
    result.windows += calls * batch;
    result.seconds += elapsed;
  }
  std::sort(rates.begin(), rates.end());
  result.windows_per_s = rates[rates.size() / 2];
  result.batch = batch;
  result.threads = at::get_num_threads();
  result.window_samples = encoder.window_samples();
  result.model = describe(encoder.options());
  result.flop_per_window = encoder_flop_per_window(encoder.options());
  if (const fast::KernelSet* set = encoder.kernel_set()) {
    result.kernel_set = set->name;
    result.lanes = set->lanes;
  } else {
    result.kernel_set = "torch-module";
    result.lanes = fast::supported_kernel_sets().front()->lanes;
  }
  return result;
}

}  // namespace imu2clip
