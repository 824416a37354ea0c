// Built with -mavx512f -mavx512vl -mavx512dq -mavx512bw -mfma (see CMakeLists.txt).
#define IMU2CLIP_KERNEL_NS avx512
#define IMU2CLIP_KERNEL_NAME "avx512"
#include "tagger/model/fast_kernels.inc"
