#include "tagger/model/text_towers.h"

#include "tagger/model/clip_towers.h"

namespace imu2clip {

std::pair<std::string, nlohmann::json> parse_text_tower_spec(const std::string& spec, nlohmann::json params) {
  const std::string prefix = std::string(ClipTextTower::kId) + ":";
  if (spec.rfind(prefix, 0) != 0) return {spec, std::move(params)};
  if (params.is_null()) params = nlohmann::json::object();
  if (params.is_object()) params["dir"] = spec.substr(prefix.size());
  return {ClipTextTower::kId, std::move(params)};
}

std::unique_ptr<TextTower> build_text_tower(const std::string& id, const nlohmann::json& params) {
  auto [tower_id, tower_params] = parse_text_tower_spec(id, params);
  if (tower_id == ClipTextTower::kId) return std::make_unique<ClipTextTower>(tower_params);
  return make_text_tower(tower_id, tower_params);
}

std::vector<std::string> buildable_text_tower_ids() {
  auto ids = text_tower_ids();
  ids.push_back(std::string(ClipTextTower::kId) + ":DIR");
  return ids;
}

}  // namespace imu2clip
