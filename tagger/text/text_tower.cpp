#include "tagger/text/text_tower.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "tagger/text/lexical_tower.h"
#include "tagger/text/wordnet_tower.h"
#include "tagger/text/wordvec_tower.h"

namespace imu2clip {

std::vector<std::vector<float>> TextTower::embed_batch(const std::vector<std::string>& texts) const {
  std::vector<std::vector<float>> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(embed(t));
  return out;
}

std::vector<std::string> text_tower_ids() { return {LexicalTower::kId, WordNetTower::kId, WordVecTower::kId}; }

std::unique_ptr<TextTower> make_text_tower(const std::string& id, const nlohmann::json& params) {
  if (id == LexicalTower::kId) return std::make_unique<LexicalTower>(LexicalTowerParams::from_json(params));
  if (id == WordNetTower::kId) return std::make_unique<WordNetTower>(WordNetTowerParams::from_json(params));
  if (id == WordVecTower::kId) return std::make_unique<WordVecTower>(WordVecTowerParams::from_json(params));
  throw Error(ErrorKind::InvalidInput, "unknown text tower '" + id + "' (known: " + join(text_tower_ids(), ", ") + ")",
              ErrorContext{"", 0, "text_tower"});
}

}  // namespace imu2clip
