#pragma once
// IEEE binary16 (F16) and bfloat16 (BF16) <-> float32, bit-exact and independent of the
// compiler's _Float16 support. Narrowing rounds to nearest, ties to even; infinities stay
// infinite, NaNs stay NaN (quiet), subnormals are produced and read exactly.
#include <cstdint>

namespace imu2clip {

uint16_t f32_to_f16(float value);
float f16_to_f32(uint16_t bits);

uint16_t f32_to_bf16(float value);
float bf16_to_f32(uint16_t bits);

}  // namespace imu2clip
