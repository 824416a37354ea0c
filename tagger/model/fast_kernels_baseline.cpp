// Built with the default target flags; the fallback for CPUs without AVX-512.
#define IMU2CLIP_KERNEL_NS baseline
#define IMU2CLIP_KERNEL_NAME "baseline"
#include "tagger/model/fast_kernels.inc"

namespace imu2clip::fast {
namespace avx512 {
const KernelSet& kernels();
}

const KernelSet& baseline_kernels() { return baseline::kernels(); }

const KernelSet& fast_kernels() {
  // Every extension the AVX-512 build was compiled with must be present.
  static const KernelSet& chosen =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
              __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
              __builtin_cpu_supports("fma")
          ? avx512::kernels()
          : baseline::kernels();
  return chosen;
}

}  // namespace imu2clip::fast
