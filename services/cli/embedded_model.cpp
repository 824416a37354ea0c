#include "services/cli/embedded_model.h"

#ifdef IMU2CLIP_EMBEDDED_MODEL
#include "embedded_default_model_file.h"
#endif
#ifdef IMU2CLIP_EMBEDDED_AUDIO_MODEL
#include "embedded_audio_model_file.h"
#endif

namespace imu2clip::cli {

std::optional<ModelBundle> embedded_default_model() {
#ifdef IMU2CLIP_EMBEDDED_MODEL
  const EmbeddedFile& file = *embedded_default_model_file().begin();
  return load_bundle_bytes(file.data, file.size, "<embedded default model>");
#else
  return std::nullopt;
#endif
}

std::optional<ModelBundle> embedded_audio_model() {
#ifdef IMU2CLIP_EMBEDDED_AUDIO_MODEL
  const EmbeddedFile& file = *embedded_audio_model_file().begin();
  return load_bundle_bytes(file.data, file.size, "<embedded audio model>");
#else
  return std::nullopt;
#endif
}

}  // namespace imu2clip::cli
