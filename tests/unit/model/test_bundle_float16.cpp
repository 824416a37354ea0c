#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "tagger/model/float16.h"
#include "tagger/text/stable_hash.h"

using namespace imu2clip;

namespace {
float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
bool is_f16_nan(uint16_t h) { return (h & 0x7c00u) == 0x7c00u && (h & 0x03ffu) != 0; }
}  // namespace

TEST_CASE("f16: exact values, overflow, signed zero and infinities", "[float16]") {
  CHECK(f32_to_f16(1.0f) == 0x3c00);
  CHECK(f32_to_f16(-2.0f) == 0xc000);
  CHECK(f32_to_f16(0.0f) == 0x0000);
  CHECK(f32_to_f16(-0.0f) == 0x8000);
  CHECK(f32_to_f16(65504.0f) == 0x7bff);                     // largest finite half
  CHECK(f32_to_f16(65519.99f) == 0x7bff);                    // just under the rounding midpoint
  CHECK(f32_to_f16(65520.0f) == 0x7c00);                     // midpoint, odd neighbour -> inf
  CHECK(f32_to_f16(1e10f) == 0x7c00);
  CHECK(f32_to_f16(-1e10f) == 0xfc00);
  CHECK(f32_to_f16(std::numeric_limits<float>::infinity()) == 0x7c00);
  CHECK(f32_to_f16(-std::numeric_limits<float>::infinity()) == 0xfc00);
  CHECK(f32_to_f16(0.1f) == 0x2e66);
  CHECK(std::isinf(f16_to_f32(0x7c00)));
  CHECK(std::signbit(f16_to_f32(0x8000)));
}

TEST_CASE("f16: ties round to even in normals and subnormals", "[float16]") {
  CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);      // tie, even neighbour below
  CHECK(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);  // tie, even neighbour above
  CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)) == 0x3c01);  // above tie
  CHECK(f32_to_f16(std::ldexp(1.0f, -14)) == 0x0400);   // smallest normal
  CHECK(f32_to_f16(std::ldexp(1.0f, -24)) == 0x0001);   // smallest subnormal
  CHECK(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);   // tie with 0 -> 0 (even)
  CHECK(f32_to_f16(std::ldexp(1.5f, -25)) == 0x0001);
  CHECK(f32_to_f16(std::ldexp(3.0f, -25)) == 0x0002);   // 1.5 steps: tie -> 2 (even)
  CHECK(f32_to_f16(std::ldexp(5.0f, -25)) == 0x0002);   // 2.5 steps: tie -> 2 (even)
  CHECK(f32_to_f16(std::ldexp(1023.0f, -24)) == 0x03ff);  // largest subnormal
  CHECK(f32_to_f16(std::ldexp(2047.0f, -25)) == 0x0400);  // 1023.5 steps rounds up into the normals
  CHECK(f32_to_f16(from_bits(0x00000001)) == 0x0000);     // float subnormal underflows
  CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));
  CHECK(f16_to_f32(0x03ff) == std::ldexp(1023.0f, -24));
  CHECK(f16_to_f32(0x8001) == -std::ldexp(1.0f, -24));
}

TEST_CASE("f16: NaN stays NaN, every half survives a round trip", "[float16]") {
  CHECK(is_f16_nan(f32_to_f16(std::numeric_limits<float>::quiet_NaN())));
  CHECK(is_f16_nan(f32_to_f16(from_bits(0x7f800001))));  // payload only in the dropped bits
  CHECK(is_f16_nan(f32_to_f16(from_bits(0xff800001))));
  CHECK(std::isnan(f16_to_f32(0x7e00)));
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const uint16_t bits = static_cast<uint16_t>(h);
    if (is_f16_nan(bits)) {
      REQUIRE(std::isnan(f16_to_f32(bits)));
      continue;
    }
    REQUIRE(f32_to_f16(f16_to_f32(bits)) == bits);
  }
}

TEST_CASE("f16: rounding is monotone and never further than half a step", "[float16]") {
  // Random floats across the half range: the result must be one of the two neighbours and
  // the nearer one (ties to even), checked with exact double arithmetic.
  uint64_t state = 42;
  for (int i = 0; i < 200000; ++i) {
    const uint64_t r = splitmix64(state);
    const float x = from_bits(static_cast<uint32_t>(r) & 0x477fffffu | (static_cast<uint32_t>(r >> 32) & 0x80000000u));
    if (!std::isfinite(x) || std::fabs(x) >= 65504.0f) continue;
    const uint16_t h = f32_to_f16(x);
    const double y = f16_to_f32(h);
    const uint16_t toward_zero_or_away = static_cast<uint16_t>((std::fabs(y) > std::fabs(x)) ? h - 1 : h + 1);
    const double other = f16_to_f32(toward_zero_or_away);
    const double err = std::fabs(y - x), other_err = std::fabs(other - x);
    REQUIRE(err <= other_err);
    if (err == other_err && err != 0) REQUIRE((h & 1u) == 0);
  }
}

TEST_CASE("bf16: rounding, overflow, NaN and round trips", "[float16]") {
  CHECK(f32_to_bf16(1.0f) == 0x3f80);
  CHECK(f32_to_bf16(-1.0f) == 0xbf80);
  CHECK(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3f80);       // tie -> even
  CHECK(f32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)) == 0x3f82);   // tie -> even (up)
  CHECK(f32_to_bf16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)) == 0x3f81);
  CHECK(f32_to_bf16(from_bits(0x7f7fffff)) == 0x7f80);             // float max rounds to inf
  CHECK(f32_to_bf16(std::numeric_limits<float>::infinity()) == 0x7f80);
  CHECK(f32_to_bf16(from_bits(0x00000001)) == 0x0000);             // tiny subnormal -> 0
  CHECK(f32_to_bf16(from_bits(0x00018000)) == 0x0002);             // subnormal tie -> even
  const uint16_t nan = f32_to_bf16(from_bits(0x7f800001));         // truncation would give inf
  CHECK(std::isnan(bf16_to_f32(nan)));
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    const float f = bf16_to_f32(static_cast<uint16_t>(b));
    if (std::isnan(f)) {
      REQUIRE(std::isnan(bf16_to_f32(f32_to_bf16(f))));
    } else {
      REQUIRE(f32_to_bf16(f) == b);
    }
  }
}
