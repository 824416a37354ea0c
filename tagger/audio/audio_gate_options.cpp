#include "tagger/audio/audio_gate.h"

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace imu2clip {
namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

}  // namespace

void AudioGateOptions::validate() const {
  if (!std::isfinite(quiet_below_dbfs)) invalid("quiet_below_dbfs", "must be a finite level in dBFS");
  if (!std::isfinite(noise_floor_dbfs) || noise_floor_dbfs > quiet_below_dbfs) {
    invalid("noise_floor_dbfs", "must be a finite level at most quiet_below_dbfs (" +
                                    std::to_string(quiet_below_dbfs) + "), got " +
                                    std::to_string(noise_floor_dbfs));
  }
  if (!(quiet_min_flatness >= 0 && quiet_min_flatness <= 1)) {
    invalid("quiet_min_flatness", "must be in [0, 1], got " + std::to_string(quiet_min_flatness));
  }
  if (!(quiet_max_level_spread_db >= 0) || !std::isfinite(quiet_max_level_spread_db)) {
    invalid("quiet_max_level_spread_db",
            "must be a finite number of dB >= 0, got " + std::to_string(quiet_max_level_spread_db));
  }
}

void to_json(nlohmann::json& j, const AudioGateOptions& o) {
  j = nlohmann::json{{"quiet_below_dbfs", o.quiet_below_dbfs},
                     {"noise_floor_dbfs", o.noise_floor_dbfs},
                     {"quiet_min_flatness", o.quiet_min_flatness},
                     {"quiet_max_level_spread_db", o.quiet_max_level_spread_db}};
}

void from_json(const nlohmann::json& j, AudioGateOptions& o) {
  if (!j.is_object()) invalid("audio_gate", "audio gate options must be a JSON object");
  auto read = [&](const char* key, double& value) {
    auto it = j.find(key);
    if (it == j.end()) return;
    if (!it->is_number()) invalid(key, "must be a number, got " + it->dump());
    value = it->get<double>();
  };
  read("quiet_below_dbfs", o.quiet_below_dbfs);
  read("noise_floor_dbfs", o.noise_floor_dbfs);
  read("quiet_min_flatness", o.quiet_min_flatness);
  read("quiet_max_level_spread_db", o.quiet_max_level_spread_db);
}

}  // namespace imu2clip
