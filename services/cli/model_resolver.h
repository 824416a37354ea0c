#pragma once
// Which model a command uses: --model PATH, else $IMU2CLIP_MODEL, else the bundle embedded in
// the binary at build time (models/default.safetensors), else an untrained encoder with a
// loud warning (its tags carry no meaning; only useful to exercise the pipeline).
#include <string>

#include "tagger/model/bundle.h"

namespace imu2clip::cli {

struct ResolvedModel {
  ModelBundle bundle;
  std::string origin;     // "file:<path>", "embedded", "untrained"
  bool trained = true;
};

ResolvedModel resolve_model(const std::string& path);

// The audio model: --audio-model PATH, else $IMU2CLIP_AUDIO_MODEL, else the audio bundle embedded
// at build time (models/audio_default.safetensors). There is no untrained fallback: an audio
// log of random labels would look real. Throws Error(NotFound) saying how to get one, or
// Error(InvalidInput) when the file is an IMU model.
ResolvedModel resolve_audio_model(const std::string& path);

// The labels an untrained default bundle tags with (union of the bundled datasets' activities).
std::vector<std::string> default_activity_labels();

}  // namespace imu2clip::cli
