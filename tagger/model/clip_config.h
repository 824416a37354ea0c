#pragma once
// The description scripts/export_clip.py writes next to a CLIP model's TorchScript towers
// (DIR/clip.json): which files hold the towers and the vocabulary, the embedding dimension, the
// text context length, and the image preprocessing CLIP was trained with. Torch-free.
#include <array>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace imu2clip {

struct ClipImagePreprocess {
  int resize = 224;                  // the shorter side is resized to this
  std::string interpolation = "bicubic";  // "bicubic" or "bilinear" (PIL's, with antialiasing)
  int crop = 224;                    // then a centred crop x crop
  std::array<float, 3> mean{0.48145466f, 0.4578275f, 0.40821073f};
  std::array<float, 3> std{0.26862954f, 0.26130258f, 0.27577711f};
};

struct ClipConfig {
  static constexpr const char* kFileName = "clip.json";
  std::string dir;                   // the folder the paths below are relative to
  std::string model;                 // e.g. "ViT-B/32", informational
  int embed_dim = 0;
  int context_length = 77;
  std::string vocab = "bpe_simple_vocab_16e6.txt.gz";
  std::string text_tower = "text.pt";
  std::string image_tower = "image.pt";
  ClipImagePreprocess image;

  std::string path(const std::string& file) const { return dir + "/" + file; }

  // Reads DIR/clip.json. Throws Error(NotFound) without it, Error(Corrupt) for a missing or bad key.
  static ClipConfig read(const std::string& dir);
  static ClipConfig from_json(const nlohmann::json& j, const std::string& dir, const std::string& source);
  nlohmann::json to_json() const;
};

}  // namespace imu2clip
