#pragma once
// A model bundle is ONE safetensors file: encoder weights ("encoder.<param>"), the label bank
// ("label_bank.embeddings") and metadata (architecture, rate, window, text tower, labels,
// templates, provenance) as JSON strings under "__metadata__". Torch-free.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tagger/model/encoder_options.h"
#include "tagger/model/safetensors.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/label_map.h"
#include "tagger/zeroshot/calibration.h"

namespace imu2clip {

struct ModelBundle {
  EncoderOptions encoder;
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

  double window_s() const { return encoder.window_samples / encoder.sample_rate_hz; }
  // The phrase a log line gets for a segment label (a label-bank index or kUnclearLabel).
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

}  // namespace imu2clip
