#pragma once
// Throughput benchmark of a WindowEncoder (torch-free; the CLI's `bench` command calls it).
#include <cstdint>
#include <string>

namespace imu2clip {

class WindowEncoder;

struct EncoderBenchResult {
  double windows_per_s = 0;   // median over the repetitions
  int batch = 0;              // windows per encode() call
  int threads = 0;            // intra-op threads in effect
  int window_samples = 0;
  int64_t windows = 0;        // windows encoded in the measured repetitions
  double seconds = 0;         // total measured time
  std::string model;          // architecture summary
};

// Random N(0,1) windows; `warmup_iters` untimed calls, then 5 repetitions of at least
// min_seconds / 5 each; windows_per_s is the median repetition's rate.
EncoderBenchResult bench_encoder(WindowEncoder& encoder, int batch, double min_seconds,
                                 int warmup_iters);

}  // namespace imu2clip
