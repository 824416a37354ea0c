#pragma once
// A window's encoder output as the log store keeps it for search: fp16 bits
// (storage/records.h WindowTag::embedding_f16).
#include <cstdint>
#include <vector>

#include "tagger/model/float16.h"

namespace imu2clip {

inline std::vector<uint16_t> stored_embedding(const float* embedding, int dim) {
  std::vector<uint16_t> out(static_cast<size_t>(dim));
  for (int i = 0; i < dim; ++i) out[static_cast<size_t>(i)] = f32_to_f16(embedding[i]);
  return out;
}

}  // namespace imu2clip
