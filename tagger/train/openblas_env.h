#pragma once
// Runtime settings that libraries read once, when they load, so a trainer must have them in
// its environment before the process starts; it re-executes itself to get them. Torch-free.
//  - OPENBLAS_CORETYPE=SkylakeX: inside some VMs OpenBLAS mis-detects an AVX-512 CPU and picks
//    its slowest GEMM kernels.
//  - OMP_WAIT_POLICY=passive: libgomp threads otherwise spin at every barrier; on a shared or
//    small machine the spinning threads steal the cores the work needs.
// What each one is worth: docs/BENCHMARKS.md ("Encoder throughput", "Training throughput").
// Variables the user set are never changed.
#include <string>

namespace imu2clip {

bool cpu_has_avx512f();  // from /proc/cpuinfo flags

// When one of the variables above is unset (OPENBLAS_CORETYPE only on AVX-512 CPUs) and
// IMU2CLIP_NO_REEXEC is unset: sets them and execv()s /proc/self/exe with the same arguments
// (does not return on success). Returns a line describing what it did or why not, for a debug log.
std::string reexec_with_runtime_env(int argc, char** argv);

}  // namespace imu2clip
