#pragma once
// A model bundle is ONE safetensors file: encoder weights ("encoder.<param>"), the label bank
// ("label_bank.embeddings") and metadata (architecture, rate, window, text tower, labels,
// templates, provenance) as JSON strings under "__metadata__". Torch-free.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tagger/model/audio_encoder_options.h"
#include "tagger/model/encoder_options.h"
#include "tagger/model/safetensors.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/label_map.h"
#include "tagger/zeroshot/calibration.h"

namespace imu2clip {

// The phrase an audio window gets when the gate finds it quiet (it is never encoded).
inline constexpr const char* kQuietSound = "quiet";
// The phrase of an audio stretch the model was not confident about (IMU: "unclear motion").
inline constexpr const char* kUnclearSound = "unclear sound";

struct ModelBundle {
  // Which encoder the bundle holds: "imu" (`encoder`) or "audio" (`audio`). Label bank,
  // calibration and text tower mean the same for both.
  std::string modality = "imu";
  EncoderOptions encoder;         // modality "imu"
  AudioEncoderOptions audio;      // modality "audio"
  std::string text_tower_id;
  nlohmann::json text_tower_params = nlohmann::json::object();
  LabelBank label_bank;
  // How the training datasets' labels map onto the label bank's vocabulary (empty for models
  // trained on raw label phrases); product-mode evaluation reads it from here.
  LabelMap label_map;
  // Confidence calibration of the label bank's scores; not enabled = every window gets a label.
  Calibration calibration;
  nlohmann::json provenance = nlohmann::json::object();   // how it was trained, by whom, when
  std::map<std::string, TensorData> encoder_weights;      // torch parameter/buffer names
  std::string model_id;   // content hash, filled by save/load; tags are keyed by it

  bool is_audio() const { return modality == "audio"; }
  double sample_rate_hz() const { return is_audio() ? audio.sample_rate_hz() : encoder.sample_rate_hz; }
  int window_samples() const { return is_audio() ? audio.window_samples : encoder.window_samples; }
  double window_s() const { return window_samples() / sample_rate_hz(); }
  // Dimension of the encoder's embeddings (= the label bank's).
  int output_dim() const;
  // The phrase a log line gets for a segment label: a label-bank index, kUnclearLabel, or (audio)
  // label_bank.size() for a quiet stretch.
  const std::string& label_text(int label) const;
};

// Writes atomically; fills bundle.model_id.
void save_bundle(const std::string& path, ModelBundle& bundle, DType weight_dtype = DType::F32);
// The model_id save_bundle would give, without writing a file (for bundles built in memory).
std::string compute_model_id(const ModelBundle& bundle, DType weight_dtype = DType::F32);
// Throws Error(Corrupt / InvalidInput) naming the file and the bad key or tensor: wrong
// format tag or version, missing metadata, label bank shape != (labels, embed dim), etc.
ModelBundle load_bundle(const std::string& path);
// The same for a bundle in memory; `name` stands for the path in error messages.
ModelBundle load_bundle_bytes(const unsigned char* data, size_t size, const std::string& name);
// Validates and decodes an already-parsed safetensors file.
ModelBundle bundle_from_safetensors(const SafetensorsFile& file, const std::string& path);

// A bundle whose encoder is randomly initialised (seeded) and whose label bank is built with
// the given tower, for tests and as a starting point for training.
ModelBundle make_untrained_bundle(const EncoderOptions& options, const std::string& tower_id,
                                  const nlohmann::json& tower_params,
                                  std::vector<std::string> labels, uint64_t seed);
// The same for an audio encoder (modality "audio"); tests use tiny conv_channels.
ModelBundle make_untrained_audio_bundle(const AudioEncoderOptions& options, const std::string& tower_id,
                                        const nlohmann::json& tower_params, std::vector<std::string> labels,
                                        uint64_t seed);

}  // namespace imu2clip
