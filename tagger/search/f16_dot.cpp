#include "tagger/search/f16_dot.h"

#include <immintrin.h>

#include "tagger/model/float16.h"

namespace imu2clip {
namespace {

float dot_portable(const uint16_t* v, const float* q, int dim) {
  float sum = 0.f;
  for (int i = 0; i < dim; ++i) sum += f16_to_f32(v[i]) * q[i];
  return sum;
}

__attribute__((target("avx2,f16c,fma"))) float dot_f16c(const uint16_t* v, const float* q, int dim) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int i = 0;
  for (; i + 16 <= dim; i += 16) {
    const __m256 a = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i)));
    const __m256 b = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i + 8)));
    acc0 = _mm256_fmadd_ps(a, _mm256_loadu_ps(q + i), acc0);
    acc1 = _mm256_fmadd_ps(b, _mm256_loadu_ps(q + i + 8), acc1);
  }
  const __m256 acc = _mm256_add_ps(acc0, acc1);
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  s = _mm_hadd_ps(s, s);
  s = _mm_hadd_ps(s, s);
  float sum = _mm_cvtss_f32(s);
  for (; i < dim; ++i) sum += f16_to_f32(v[i]) * q[i];
  return sum;
}

const bool kHasF16c = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c") &&
                      __builtin_cpu_supports("fma");

}  // namespace

float dot_f16(const uint16_t* vec_f16, const float* query, int dim) {
  return kHasF16c ? dot_f16c(vec_f16, query, dim) : dot_portable(vec_f16, query, dim);
}

void f16_to_f32_array(const uint16_t* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = f16_to_f32(in[i]);
}

}  // namespace imu2clip
