#include "tagger/model/float16.h"

#include <cstring>

namespace imu2clip {
namespace {

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Drops the low `shift` bits of `value`, rounding to nearest with ties to even.
uint32_t shift_right_rne(uint32_t value, int shift) {
  uint32_t kept = value >> shift;
  uint32_t rest = value & ((1u << shift) - 1u);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (kept & 1u))) ++kept;
  return kept;
}

}  // namespace

uint16_t f32_to_f16(float value) {
  const uint32_t x = float_bits(value);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t magnitude = x & 0x7fffffffu;
  if (magnitude > 0x7f800000u) {  // NaN: keep it quiet and keep the top of the payload
    return static_cast<uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x03ffu));
  }
  if (magnitude >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // >= 65520 -> inf
  const int exponent = static_cast<int>(magnitude >> 23);
  if (exponent >= 113) {  // normal half: rebias 127 -> 15; a rounding carry moves into the exponent
    const uint32_t rebased = magnitude - (112u << 23);
    return static_cast<uint16_t>(sign | shift_right_rne(rebased, 13));
  }
  // Subnormal half (or zero): value = m * 2^(e-150), in units of 2^-24 that is m >> (126 - e).
  if (exponent == 0) return sign;  // float subnormals are far below half's smallest step
  const uint32_t mantissa = (magnitude & 0x007fffffu) | 0x00800000u;
  const int shift = 126 - exponent;  // >= 14
  if (shift > 24) return sign;       // below half of the smallest half subnormal
  return static_cast<uint16_t>(sign | shift_right_rne(mantissa, shift));
}

float f16_to_f32(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x03ffu;
  if (exponent == 0x1f) return bits_float(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0) return bits_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  if (mantissa == 0) return bits_float(sign);
  // Subnormal half: normalise the mantissa into a float32 normal.
  int e = 113;
  while ((mantissa & 0x0400u) == 0) {
    mantissa <<= 1;
    --e;
  }
  return bits_float(sign | (static_cast<uint32_t>(e) << 23) | ((mantissa & 0x03ffu) << 13));
}

uint16_t f32_to_bf16(float value) {
  const uint32_t x = float_bits(value);
  if ((x & 0x7fffffffu) > 0x7f800000u) {  // NaN: truncating could turn it into infinity
    return static_cast<uint16_t>((x >> 16) | 0x0040u);
  }
  // Adding 0x7fff (+1 when the kept part is odd) rounds to nearest even; overflow gives inf.
  const uint32_t bias = 0x7fffu + ((x >> 16) & 1u);
  return static_cast<uint16_t>((x + bias) >> 16);
}

float bf16_to_f32(uint16_t bits) { return bits_float(static_cast<uint32_t>(bits) << 16); }

}  // namespace imu2clip
