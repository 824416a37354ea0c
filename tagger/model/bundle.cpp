#include "tagger/model/bundle.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "common/error.h"
#include "tagger/text/stable_hash.h"
#include "tagger/text/text_tower.h"
#include "tagger/zeroshot/segmenter.h"

namespace imu2clip {
namespace {

constexpr const char* kFormat = "imu2clip-bundle";
constexpr const char* kFormatVersion = "1";
constexpr const char* kEncoderPrefix = "encoder.";
constexpr const char* kLabelBankTensor = "label_bank.embeddings";
constexpr std::string_view kPlaceholder = "{label}";

bool is_float(DType d) { return d == DType::F32 || d == DType::F16 || d == DType::BF16 || d == DType::F64; }

// Index of the first non-finite value, or -1.
int64_t first_non_finite(const TensorData& t) {
  if (!is_float(t.dtype)) return -1;
  const std::vector<float> values = tensor_to_f32(t);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) return static_cast<int64_t>(i);
  }
  return -1;
}

// Hash of everything the bundle stores except the id itself: 16 hex digits of FNV-1a 64 over a
// length-prefixed canonical serialisation (metadata sorted by key, tensors sorted by name).
std::string content_hash(const SafetensorsFile& file) {
  Fnv1a64 h;
  h.update_field("imu2clip-bundle-content-v1");
  for (const auto& [key, value] : file.metadata) {
    if (key == "model_id") continue;
    h.update_field(key).update_field(value);
  }
  h.update_u64(file.tensors.size());
  for (const auto& [name, t] : file.tensors) {
    h.update_field(name).update_field(dtype_name(t.dtype)).update_u64(t.shape.size());
    for (int64_t d : t.shape) h.update_u64(static_cast<uint64_t>(d));
    h.update_u64(t.bytes.size()).update(t.bytes.data(), t.bytes.size());
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h.digest()));
  return hex;
}

// Checks shared by save (errors are the caller's: InvalidInput) and load (the file's: Corrupt).
void check_labels_and_templates(const LabelBank& bank, ErrorKind kind, const std::string& path) {
  if (bank.labels.empty()) throw Error(kind, "the label bank has no labels", ErrorContext{path, 0, "labels"});
  std::set<std::string> seen;
  for (const auto& l : bank.labels) {
    if (l.empty()) throw Error(kind, "a label is empty", ErrorContext{path, 0, "labels"});
    if (!seen.insert(l).second) throw Error(kind, "label '" + l + "' is listed twice", ErrorContext{path, 0, "labels"});
  }
  if (bank.templates.empty()) throw Error(kind, "no prompt templates", ErrorContext{path, 0, "templates"});
  for (const auto& t : bank.templates) {
    if (t.find(kPlaceholder) == std::string::npos) {
      throw Error(kind, "template '" + t + "' does not contain {label}", ErrorContext{path, 0, "templates"});
    }
  }
}

// The tower's dimension: params["dim"] when recorded, else the tower's own when this build
// knows it. Loading a bundle never builds a tower that needs outside files (WordNet, word
// vectors): tagging only needs the stored label bank, so a bundle loads without them.
void check_tower_dim(const std::string& tower_id, const nlohmann::json& params, int bank_dim, ErrorKind kind,
                     const std::string& path) {
  int tower_dim = -1;
  bool known = false;
  for (const auto& id : text_tower_ids()) known = known || id == tower_id;
  if (params.is_object() && params.contains("dim") && params["dim"].is_number_integer()) {
    tower_dim = params["dim"].get<int>();
  } else if (known) {
    try {
      tower_dim = make_text_tower(tower_id, params)->dim();
    } catch (const Error& e) {
      throw Error(kind, "text tower parameters are invalid: " + e.message(), ErrorContext{path, 0, "text_tower"});
    }
  }
  if (tower_dim >= 0 && tower_dim != bank_dim) {
    throw Error(kind,
                "label bank dimension " + std::to_string(bank_dim) + " differs from text tower '" + tower_id +
                    "' dimension " + std::to_string(tower_dim),
                ErrorContext{path, 0, "text_tower"});
  }
}

class MetadataReader {
 public:
  MetadataReader(const std::string& path, const std::map<std::string, std::string>& meta) : path_(path), meta_(meta) {}

  const std::string& string(const std::string& key) const {
    auto it = meta_.find(key);
    if (it == meta_.end()) fail(key, "required metadata key is missing");
    return it->second;
  }
  nlohmann::json json(const std::string& key) const {
    try {
      return nlohmann::json::parse(string(key));
    } catch (const nlohmann::json::exception& e) {
      fail(key, std::string("metadata value is not valid JSON: ") + e.what());
    }
  }
  std::vector<std::string> string_array(const std::string& key) const {
    const nlohmann::json j = json(key);
    if (!j.is_array()) fail(key, "must be a JSON array of strings");
    std::vector<std::string> out;
    for (const auto& v : j) {
      if (!v.is_string()) fail(key, "must be a JSON array of strings, found " + v.dump());
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw Error(ErrorKind::Corrupt, what + " (not a valid imu2clip bundle; re-export it)", ErrorContext{path_, 0, key});
  }

 private:
  const std::string& path_;
  const std::map<std::string, std::string>& meta_;
};

std::string dump_json(const nlohmann::json& j, const std::string& path, const std::string& key) {
  try {
    return j.dump();
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::InvalidInput, std::string("value is not valid UTF-8: ") + e.what(), ErrorContext{path, 0, key});
  }
}

SafetensorsFile bundle_to_safetensors(const std::string& path, const ModelBundle& bundle, DType weight_dtype) {
  auto invalid = [&path](const std::string& key, const std::string& what) {
    throw Error(ErrorKind::InvalidInput, what, ErrorContext{path, 0, key});
  };
  if (!is_float(weight_dtype)) invalid("weight_dtype", std::string("weights cannot be stored as ") + dtype_name(weight_dtype));
  if (bundle.modality == "imu") {
    bundle.encoder.validate();
  } else if (bundle.modality == "audio") {
    bundle.audio.validate();
  } else {
    invalid("modality", "must be 'imu' or 'audio', got '" + bundle.modality + "'");
  }
  if (bundle.text_tower_id.empty()) invalid("text_tower", "the bundle names no text tower");
  if (!bundle.text_tower_params.is_object()) invalid("text_tower", "text tower params must be a JSON object");
  if (!bundle.provenance.is_object()) invalid("provenance", "provenance must be a JSON object");
  const LabelBank& bank = bundle.label_bank;
  check_labels_and_templates(bank, ErrorKind::InvalidInput, path);
  const int dim = bundle.output_dim();
  if (bank.dim != dim || bank.embeddings.size() != bank.labels.size() * static_cast<size_t>(dim)) {
    invalid(kLabelBankTensor, "label bank is " + std::to_string(bank.embeddings.size()) + " values of dim " +
                                  std::to_string(bank.dim) + "; expected " + std::to_string(bank.labels.size()) +
                                  " labels x encoder output dim " + std::to_string(dim));
  }
  check_tower_dim(bundle.text_tower_id, bundle.text_tower_params, bank.dim, ErrorKind::InvalidInput, path);
  if (bundle.encoder_weights.empty()) invalid("encoder", "the bundle has no encoder weights");

  SafetensorsFile file;
  for (const auto& [name, t] : bundle.encoder_weights) {
    const std::string key = kEncoderPrefix + name;
    if (name.empty()) invalid(key, "encoder weight with an empty name");
    if (first_non_finite(t) >= 0) invalid(key, "weight contains NaN or infinity");
    if (is_float(t.dtype) && t.dtype != weight_dtype) {
      file.tensors[key] = tensor_from_f32(t.shape, tensor_to_f32(t).data(), weight_dtype);
    } else {
      file.tensors[key] = t;
    }
    if (first_non_finite(file.tensors[key]) >= 0) {
      invalid(key, std::string("weight overflows when stored as ") + dtype_name(weight_dtype));
    }
  }
  TensorData embeddings = tensor_from_f32({static_cast<int64_t>(bank.labels.size()), dim}, bank.embeddings.data(), DType::F32);
  if (first_non_finite(embeddings) >= 0) invalid(kLabelBankTensor, "label bank contains NaN or infinity");
  file.tensors[kLabelBankTensor] = std::move(embeddings);

  nlohmann::json encoder_json;
  if (bundle.is_audio()) {
    to_json(encoder_json, bundle.audio);
  } else {
    to_json(encoder_json, bundle.encoder);
  }
  file.metadata = {
      {"format", kFormat},
      {"format_version", kFormatVersion},
      {"encoder", dump_json(encoder_json, path, "encoder")},
      {"sample_rate_hz", nlohmann::json(bundle.sample_rate_hz()).dump()},
      {"window_samples", std::to_string(bundle.window_samples())},
      {"text_tower", dump_json({{"id", bundle.text_tower_id}, {"params", bundle.text_tower_params}}, path, "text_tower")},
      {"labels", dump_json(bank.labels, path, "labels")},
      {"templates", dump_json(bank.templates, path, "templates")},
      {"provenance", dump_json(bundle.provenance, path, "provenance")},
  };
  // Optional keys are written only when set, so bundles without them keep their model_id.
  if (bundle.modality != "imu") file.metadata["modality"] = bundle.modality;
  if (!bundle.label_map.empty()) file.metadata["label_map"] = dump_json(bundle.label_map.to_json(), path, "label_map");
  if (bundle.calibration.enabled())
    file.metadata["calibration"] = dump_json(bundle.calibration.to_json(), path, "calibration");
  file.metadata["model_id"] = content_hash(file);
  return file;
}
}  // namespace

int ModelBundle::output_dim() const {
  if (is_audio()) return audio.embed_dim;
  return encoder.project ? encoder.embed_dim : encoder.gru_hidden;
}

const std::string& ModelBundle::label_text(int label) const {
  static const std::string unclear_motion = kUnclearActivity, unclear_sound = kUnclearSound, quiet = kQuietSound;
  if (label == kUnclearLabel) return is_audio() ? unclear_sound : unclear_motion;
  if (is_audio() && label == static_cast<int>(label_bank.size())) return quiet;
  return label_bank.labels.at(static_cast<size_t>(label));
}

void save_bundle(const std::string& path, ModelBundle& bundle, DType weight_dtype) {
  SafetensorsFile file = bundle_to_safetensors(path, bundle, weight_dtype);
  write_safetensors(path, file);
  bundle.model_id = file.metadata.at("model_id");
}

std::string compute_model_id(const ModelBundle& bundle, DType weight_dtype) {
  return bundle_to_safetensors("<in-memory bundle>", bundle, weight_dtype).metadata.at("model_id");
}

ModelBundle load_bundle(const std::string& path) { return bundle_from_safetensors(read_safetensors(path), path); }

ModelBundle load_bundle_bytes(const unsigned char* data, size_t size, const std::string& name) {
  return bundle_from_safetensors(
      read_safetensors_bytes(std::string_view(reinterpret_cast<const char*>(data), size), name), name);
}

ModelBundle bundle_from_safetensors(const SafetensorsFile& file, const std::string& path) {
  const MetadataReader meta(path, file.metadata);

  if (meta.string("format") != kFormat) {
    meta.fail("format", "format is '" + meta.string("format") + "', expected '" + kFormat + "'");
  }
  if (meta.string("format_version") != kFormatVersion) {
    meta.fail("format_version", "format_version '" + meta.string("format_version") + "' is not supported (this build reads version " +
                                    kFormatVersion + "; upgrade imu2clip)");
  }

  ModelBundle bundle;
  if (file.metadata.count("modality")) {
    bundle.modality = meta.string("modality");
    if (bundle.modality != "imu" && bundle.modality != "audio")
      meta.fail("modality", "modality '" + bundle.modality + "' is not supported (imu or audio)");
  }
  try {
    if (bundle.is_audio()) {
      from_json(meta.json("encoder"), bundle.audio);
      bundle.audio.validate();
    } else {
      from_json(meta.json("encoder"), bundle.encoder);
      bundle.encoder.validate();
    }
  } catch (const nlohmann::json::exception& e) {
    meta.fail("encoder", std::string("encoder options are malformed: ") + e.what());
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Corrupt) throw;
    meta.fail("encoder", "encoder options are invalid: " + e.message());
  }
  const nlohmann::json rate = meta.json("sample_rate_hz");
  if (!rate.is_number() || rate.get<double>() != bundle.sample_rate_hz()) {
    meta.fail("sample_rate_hz", "'" + meta.string("sample_rate_hz") + "' disagrees with the encoder's sample_rate_hz");
  }
  const nlohmann::json window = meta.json("window_samples");
  if (!window.is_number_integer() || window.get<int64_t>() != bundle.window_samples()) {
    meta.fail("window_samples", "'" + meta.string("window_samples") + "' disagrees with the encoder's window_samples");
  }

  const nlohmann::json tower = meta.json("text_tower");
  if (!tower.is_object() || !tower.contains("id") || !tower["id"].is_string() || tower["id"].get<std::string>().empty() ||
      !tower.contains("params") || !tower["params"].is_object()) {
    meta.fail("text_tower", "must be {\"id\": string, \"params\": object}");
  }
  bundle.text_tower_id = tower["id"].get<std::string>();
  bundle.text_tower_params = tower["params"];

  bundle.label_bank.labels = meta.string_array("labels");
  bundle.label_bank.templates = meta.string_array("templates");
  check_labels_and_templates(bundle.label_bank, ErrorKind::Corrupt, path);
  bundle.provenance = meta.json("provenance");
  if (!bundle.provenance.is_object()) meta.fail("provenance", "must be a JSON object");
  if (file.metadata.count("label_map")) {
    bundle.label_map = LabelMap::from_json(meta.json("label_map"), path);
    for (const auto& [key, activity] : bundle.label_map.entries)
      if (!activity.empty() && std::find(bundle.label_bank.labels.begin(), bundle.label_bank.labels.end(), activity) ==
                                   bundle.label_bank.labels.end())
        meta.fail("label_map", "activity '" + activity + "' is not a label of the bundle");
  }
  if (file.metadata.count("calibration")) bundle.calibration = Calibration::from_json(meta.json("calibration"), path);
  bundle.model_id = meta.string("model_id");

  const int dim = bundle.output_dim();
  auto bank_it = file.tensors.find(kLabelBankTensor);
  if (bank_it == file.tensors.end()) meta.fail(kLabelBankTensor, "the label bank tensor is missing");
  const TensorData& bank = bank_it->second;
  const std::vector<int64_t> expected_shape = {static_cast<int64_t>(bundle.label_bank.labels.size()), dim};
  if (bank.dtype != DType::F32 || bank.shape != expected_shape) {
    meta.fail(kLabelBankTensor, std::string("label bank is ") + dtype_name(bank.dtype) + " " + nlohmann::json(bank.shape).dump() +
                                    ", expected F32 " + nlohmann::json(expected_shape).dump() +
                                    " (labels x encoder output dim)");
  }
  if (first_non_finite(bank) >= 0) meta.fail(kLabelBankTensor, "label bank contains NaN or infinity");
  bundle.label_bank.dim = dim;
  bundle.label_bank.embeddings = tensor_to_f32(bank);
  check_tower_dim(bundle.text_tower_id, bundle.text_tower_params, dim, ErrorKind::Corrupt, path);

  const std::string prefix = kEncoderPrefix;
  for (const auto& [name, t] : file.tensors) {
    if (name == kLabelBankTensor) continue;
    if (name.compare(0, prefix.size(), prefix) != 0 || name.size() == prefix.size()) {
      meta.fail(name, "unexpected tensor (a bundle holds only encoder.* and label_bank.embeddings)");
    }
    if (first_non_finite(t) >= 0) meta.fail(name, "weight contains NaN or infinity");
    bundle.encoder_weights[name.substr(prefix.size())] = t;
  }
  if (bundle.encoder_weights.empty()) meta.fail("encoder", "the bundle has no encoder.* weights");

  if (content_hash(file) != bundle.model_id) {
    meta.fail("model_id", "content does not match model_id " + bundle.model_id + " (the file was damaged or edited)");
  }
  return bundle;
}

}  // namespace imu2clip
