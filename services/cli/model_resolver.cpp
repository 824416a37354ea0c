#include "services/cli/model_resolver.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "common/error.h"
#include "services/cli/embedded_model.h"

namespace imu2clip::cli {

std::vector<std::string> default_activity_labels() {
  return {"walking", "running", "jogging", "walking upstairs", "walking downstairs",
          "sitting", "standing", "lying down", "cycling", "eating", "drinking",
          "typing on a computer", "writing", "reading a book", "brushing teeth",
          "playing with a ball", "clapping", "folding clothes", "doing stairs",
          "sitting down", "standing up", "talking", "watching tv"};
}

ResolvedModel resolve_model(const std::string& path) {
  std::string chosen = path;
  if (chosen.empty()) {
    if (const char* env = std::getenv("IMU2CLIP_MODEL"); env && *env) chosen = env;
  }
  if (!chosen.empty()) return {load_bundle(chosen), "file:" + chosen, true};
  if (auto embedded = embedded_default_model()) return {std::move(*embedded), "embedded", true};

  spdlog::warn("no trained model is available (no --model, no $IMU2CLIP_MODEL, none embedded at "
               "build time): using an UNTRAINED encoder, so the labels it writes are meaningless. "
               "Pass --model BUNDLE for real tags.");
  EncoderOptions options;
  ResolvedModel r{make_untrained_bundle(options, "lexical-v1", nlohmann::json::object(),
                                        default_activity_labels(), /*seed=*/20221122),
                  "untrained", false};
  return r;
}

ResolvedModel resolve_audio_model(const std::string& path) {
  std::string chosen = path;
  if (chosen.empty()) {
    if (const char* env = std::getenv("IMU2CLIP_AUDIO_MODEL"); env && *env) chosen = env;
  }
  ResolvedModel r;
  if (!chosen.empty()) {
    r = {load_bundle(chosen), "file:" + chosen, true};
  } else if (auto embedded = embedded_audio_model()) {
    r = {std::move(*embedded), "embedded", true};
  } else {
    throw Error(ErrorKind::NotFound,
                "no audio model: pass --audio-model BUNDLE (train one with `imu2clip pretrain --modality audio`) or "
                "build with models/audio_default.safetensors",
                ErrorContext{"", 0, "audio-model"});
  }
  if (!r.bundle.is_audio())
    throw Error(ErrorKind::InvalidInput, "model " + r.bundle.model_id + " (" + r.origin + ") is an IMU model, not an audio model",
                ErrorContext{chosen, 0, "audio-model"});
  return r;
}

}  // namespace imu2clip::cli
