#pragma once
// The default bundle (models/default.safetensors) compiled into the binary by
// imu2clip_embed_files (services/cli/CMakeLists.txt), when it existed at configure time.
#include <optional>

#include "tagger/model/bundle.h"

namespace imu2clip::cli {

std::optional<ModelBundle> embedded_default_model();
// models/audio_default.safetensors, when it existed at configure time.
std::optional<ModelBundle> embedded_audio_model();

}  // namespace imu2clip::cli
