// Built with -mavx2 -mfma on x86-64 (see CMakeLists.txt): CPUs with AVX2 but no AVX-512.
#if defined(__x86_64__)
#define IMU2CLIP_KERNEL_NS avx2
#define IMU2CLIP_KERNEL_NAME "avx2"
#define IMU2CLIP_KERNEL_LANES 8
#include "tagger/model/fast_kernels.inc"
#endif
