// Manual benchmark driver (not a ctest test): fast path vs plain module forward.
//   encoder_bench [threads=2] [min_seconds=3] [batches=64,1]
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "tagger/model/encoder_bench.h"
#include "tagger/model/imu_encoder.h"
#include "tagger/model/weights_io.h"
#include "tagger/model/window_encoder.h"

int main(int argc, char** argv) {
  using namespace imu2clip;
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
  std::vector<int> batches;
  std::stringstream list(argc > 3 ? argv[3] : "64,1");
  for (std::string item; std::getline(list, item, ',');) batches.push_back(std::stoi(item));
  const char* only = std::getenv("ENCODER_BENCH_ONLY");  // "fast" or "module"

  auto options = EncoderOptions::official();
  torch::manual_seed(1);
  ImuEncoder module(options);
  auto weights = export_weights(*module);
  auto fast = make_window_encoder(options, weights, threads);
  auto reference = make_module_window_encoder(options, weights, threads);
  for (int batch : batches) {
    for (auto* encoder : {fast.get(), reference.get()}) {
      const bool is_fast = encoder == fast.get();
      if (only && std::string(only) != (is_fast ? "fast" : "module")) continue;
      auto r = bench_encoder(*encoder, batch, seconds, 3);
      std::printf("%-6s batch %3d threads %d: %8.1f windows/s (median of 5, %lld windows in %.2f s) %s\n",
                  is_fast ? "fast" : "module", r.batch, r.threads, r.windows_per_s,
                  static_cast<long long>(r.windows), r.seconds, r.model.c_str());
    }
  }
}
