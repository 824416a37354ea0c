// Built with the default target flags: SSE2 on x86-64, the portable set on other CPUs. Also
// holds the run-time choice between the sets.
#define IMU2CLIP_KERNEL_NS baseline
#define IMU2CLIP_KERNEL_NAME "baseline"
#define IMU2CLIP_KERNEL_LANES 4
#include "tagger/model/fast_kernels.inc"

#include <cstdlib>
#include <cstring>
#include <string>

#include "common/error.h"

namespace imu2clip::fast {
#if defined(__x86_64__)
namespace avx512 {
const KernelSet& kernels();
}
namespace avx2 {
const KernelSet& kernels();
}
#endif

namespace {

struct Candidate {
  const char* name;
  const char* needs;  // CPU features, for the error message
  bool (*supported)();
  const KernelSet& (*kernels)();
};

// Widest first. Every extension a set was compiled with must be present.
const Candidate kCandidates[] = {
#if defined(__x86_64__)
    {"avx512", "avx512f, avx512dq, avx512bw, avx512vl and fma",
     [] {
       return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
              __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
              __builtin_cpu_supports("fma");
     },
     avx512::kernels},
    {"avx2", "avx2 and fma",
     [] { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }, avx2::kernels},
#else
    {"avx512", "an x86-64 CPU with avx512f, avx512dq, avx512bw, avx512vl and fma", [] { return false; },
     baseline::kernels},
    {"avx2", "an x86-64 CPU with avx2 and fma", [] { return false; }, baseline::kernels},
#endif
    {"baseline", "nothing beyond the build target", [] { return true; }, baseline::kernels},
};

std::string supported_names() {
  std::string names;
  for (const Candidate& c : kCandidates) {
    if (c.supported()) names += std::string(names.empty() ? "" : ", ") + c.name;
  }
  return names;
}

}  // namespace

const KernelSet& baseline_kernels() { return baseline::kernels(); }

const KernelSet& kernel_set(const char* name, const char* source) {
  for (const Candidate& c : kCandidates) {
    if (std::strcmp(c.name, name) != 0) continue;
    if (!c.supported()) {
      throw Error(ErrorKind::InvalidInput,
                  std::string(source) + " asks for the " + name + " kernels, but this CPU cannot run them (they need " +
                      c.needs + "); it supports: " + supported_names() + ". Pick one of those or unset it.");
    }
    return c.kernels();
  }
  throw Error(ErrorKind::InvalidInput, std::string(source) + " names an unknown kernel set '" + name +
                                           "'; use baseline, avx2 or avx512 (this CPU supports: " +
                                           supported_names() + ")");
}

std::vector<const KernelSet*> supported_kernel_sets() {
  std::vector<const KernelSet*> sets;
  for (const Candidate& c : kCandidates) {
    if (c.supported()) sets.push_back(&c.kernels());
  }
  return sets;
}

const KernelSet& fast_kernels() {
  const char* requested = std::getenv("IMU2CLIP_KERNELS");
  if (requested && *requested) return kernel_set(requested, "IMU2CLIP_KERNELS");
  return *supported_kernel_sets().front();
}

}  // namespace imu2clip::fast
