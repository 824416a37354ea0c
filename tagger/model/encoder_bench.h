#pragma once
// Throughput benchmark of a WindowEncoder (torch-free; the CLI's `bench` command calls it).
#include <cstdint>
#include <optional>
#include <string>

#include "tagger/model/encoder_options.h"

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
  double flop_per_window = 0; // encoder_flop_per_window(options)
  std::string kernel_set;     // fused path's CPU kernel set, "torch-module" for the reference
  int lanes = 0;              // floats per vector of that set (of the best set for the module)
};

// Multiply-add work of one window, 2 FLOP per multiply-add, from the layer sizes:
//   conv i      : 2 * cout_i * cin_i * k_i * Lc_i, Lc_i = L_i - dilation * (k_i - 1),
//                 L_{i+1} = Lc_i / pool, L_0 = window_samples
//   GRU input   : 2 * T * 3H * C       (T steps, H hidden, C = last conv channels)
//   GRU hidden  : 2 * (T - 1) * 3H * H (the first step multiplies h0 = 0: skipped, not counted)
//   projection  : 2 * H * D            (only with a projection to D)
// GroupNorm, pooling and the gate nonlinearities are not counted (no multiply-add work).
double encoder_flop_per_window(const EncoderOptions& options);

// Peak FMA throughput: cores x clock_GHz x fma_units x lanes x 2 FLOP, in GFLOP/s.
struct FmaPeak {
  int cores = 0;
  double clock_ghz = 0;
  std::string clock_source;   // "/proc/cpuinfo" or "--clock-ghz"
  int fma_units = 0;          // per core
  int lanes = 0;
  double gflops() const { return cores * clock_ghz * fma_units * lanes * 2.0; }
};

// The first "cpu MHz" of /proc/cpuinfo in GHz; nullopt where there is none (e.g. most ARM).
std::optional<double> cpuinfo_clock_ghz();


// Random N(0,1) windows; `warmup_iters` untimed calls, then 5 repetitions of at least
// min_seconds / 5 each; windows_per_s is the median repetition's rate.
EncoderBenchResult bench_encoder(WindowEncoder& encoder, int batch, double min_seconds,
                                 int warmup_iters);

}  // namespace imu2clip
