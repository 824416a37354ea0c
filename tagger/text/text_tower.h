#pragma once
// A text tower maps a phrase into the frozen embedding space the IMU encoder is aligned to.
// Interface kept ready for semantic and CLIP towers: tokenizer + encoder + dim + id.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace imu2clip {

class TextTower {
 public:
  virtual ~TextTower() = default;
  virtual std::string id() const = 0;             // e.g. "lexical-v1"
  virtual int dim() const = 0;
  virtual nlohmann::json params() const = 0;      // enough to rebuild the tower exactly
  // Unit-length embedding; deterministic across runs and machines.
  virtual std::vector<float> embed(const std::string& text) const = 0;
  // Several texts at once; towers that run a network override it to batch. The default embeds one by one.
  virtual std::vector<std::vector<float>> embed_batch(const std::vector<std::string>& texts) const;
};

// Builds a tower from a bundle's (id, params); throws Error(InvalidInput) for an unknown id.
std::unique_ptr<TextTower> make_text_tower(const std::string& id, const nlohmann::json& params);
// Ids make_text_tower accepts, for help texts and error messages.
std::vector<std::string> text_tower_ids();

}  // namespace imu2clip
