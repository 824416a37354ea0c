// Built with -mavx512f -mavx512vl -mavx512dq -mavx512bw -mfma on x86-64 (see CMakeLists.txt).
#if defined(__x86_64__)
#define IMU2CLIP_KERNEL_NS avx512
#define IMU2CLIP_KERNEL_NAME "avx512"
#define IMU2CLIP_KERNEL_LANES 16
#include "tagger/model/fast_kernels.inc"
#endif
