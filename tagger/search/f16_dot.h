#pragma once
// Dot products of a float query with stored fp16 vectors (storage/records.h embedding_f16):
// F16C + FMA when the CPU has them (checked at run time), a portable loop otherwise.
#include <cstdint>

namespace imu2clip {

float dot_f16(const uint16_t* vec_f16, const float* query, int dim);
// fp16 bits -> floats (n values).
void f16_to_f32_array(const uint16_t* in, float* out, int64_t n);

}  // namespace imu2clip
