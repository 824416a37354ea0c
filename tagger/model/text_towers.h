#pragma once
// Every text tower this build can run: the offline ones of tagger/text (make_text_tower) and CLIP's
// TorchScript text tower ("clip", clip_towers.h), which needs torch and so lives here. Code that builds
// a tower from a bundle or a command line calls this; torch-free code keeps make_text_tower.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagger/text/text_tower.h"

namespace imu2clip {

// The command line's short form "clip:DIR" -> ("clip", params with "dir": DIR); any other id unchanged.
std::pair<std::string, nlohmann::json> parse_text_tower_spec(const std::string& spec, nlohmann::json params);

// Accepts "clip:DIR" too. Throws like make_text_tower / ClipTextTower.
std::unique_ptr<TextTower> build_text_tower(const std::string& id, const nlohmann::json& params);

// text_tower_ids() plus "clip:DIR", for help texts.
std::vector<std::string> buildable_text_tower_ids();

}  // namespace imu2clip
