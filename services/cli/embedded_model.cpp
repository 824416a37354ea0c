#include "services/cli/embedded_model.h"

#ifdef IMU2CLIP_EMBEDDED_MODEL
// Symbols from embedded_model_blob.S (.incbin of models/default.safetensors).
extern "C" const unsigned char imu2clip_default_model_begin[];
extern "C" const unsigned char imu2clip_default_model_end[];
#endif

namespace imu2clip::cli {

std::optional<ModelBundle> embedded_default_model() {
#ifdef IMU2CLIP_EMBEDDED_MODEL
  const size_t size = static_cast<size_t>(imu2clip_default_model_end - imu2clip_default_model_begin);
  return load_bundle_bytes(imu2clip_default_model_begin, size, "<embedded default model>");
#else
  return std::nullopt;
#endif
}

}  // namespace imu2clip::cli
