#pragma once
// CLIP's two towers, loaded from the TorchScript files scripts/export_clip.py writes (DIR/clip.json
// names them). The header is torch-free so any layer that links imu2clip_model can hold a tower.
//   text:  forward(tokens: int64 [N, context_length]) -> [N, embed_dim]; tokens are CLIP's BPE ids
//          (tagger/text/clip_tokenizer.h), <|startoftext|> ... <|endoftext|>, zero padded, as clip.tokenize.
//   image: forward(images: float32 [N, 3, crop, crop]) -> [N, embed_dim]; images preprocessed as
//          clip_preprocess.h does.
// Both return unit-length float embeddings (CLIP compares normalised features).
#include <memory>
#include <string>
#include <vector>

#include "tagger/model/clip_config.h"
#include "tagger/model/clip_preprocess.h"
#include "tagger/text/text_tower.h"

namespace imu2clip {

class ClipTextTower final : public TextTower {
 public:
  static constexpr const char* kId = "clip";

  // params: {"dir": DIR}; params() adds "dim" and "model", and a "dim" that differs from DIR's model throws
  // Error(Corrupt), so a bundle never runs against another CLIP. Error(NotFound) without DIR's files,
  // Error(InvalidInput) for params that are not {"dir": string, ...}.
  explicit ClipTextTower(const nlohmann::json& params);
  ~ClipTextTower() override;
  std::string id() const override { return kId; }
  int dim() const override;
  nlohmann::json params() const override;
  std::vector<float> embed(const std::string& text) const override;
  std::vector<std::vector<float>> embed_batch(const std::vector<std::string>& texts) const override;
  const ClipConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class ClipImageTower {
 public:
  // Loads DIR/clip.json and its image tower. Error(NotFound) / Error(Corrupt) as ClipTextTower.
  explicit ClipImageTower(const std::string& dir);
  ~ClipImageTower();
  int dim() const;
  const ClipConfig& config() const;
  // One unit embedding per image, `batch` images per forward call.
  std::vector<std::vector<float>> embed(const std::vector<RgbImage>& images, int batch = 32) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imu2clip
