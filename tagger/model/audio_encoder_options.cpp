#include "tagger/model/audio_encoder_options.h"

#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace imu2clip {
namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

}  // namespace

int AudioEncoderOptions::frames() const { return front_end.frames(window_samples); }

void AudioEncoderOptions::validate() const {
  front_end.validate();
  if (conv_channels.empty()) invalid("conv_channels", "needs at least one conv block");
  for (int c : conv_channels)
    if (c < 1) invalid("conv_channels", "must be at least 1, got " + std::to_string(c));
  if (embed_dim < 1) invalid("embed_dim", "must be at least 1, got " + std::to_string(embed_dim));
  if (!(dropout >= 0 && dropout < 1)) invalid("dropout", "must be in [0, 1)");
  // Every pooling block halves both axes; the stack must leave at least one cell.
  const int pools = static_cast<int>(conv_channels.size()) - 1;
  if (window_samples < 1) invalid("window_samples", "must be at least 1");
  if ((front_end.n_mels >> pools) < 1 || (frames() >> pools) < 1)
    invalid("window_samples", "a window of " + std::to_string(window_samples) + " samples (" +
                                  std::to_string(frames()) + " frames x " + std::to_string(front_end.n_mels) +
                                  " mels) is too small for " + std::to_string(conv_channels.size()) +
                                  " conv blocks");
}

void to_json(nlohmann::json& j, const AudioEncoderOptions& o) {
  nlohmann::json front_end, gate;
  to_json(front_end, o.front_end);
  to_json(gate, o.gate);
  j = {{"front_end", front_end},   {"gate", gate},           {"window_samples", o.window_samples},
       {"conv_channels", o.conv_channels}, {"embed_dim", o.embed_dim}, {"dropout", o.dropout}};
}

void from_json(const nlohmann::json& j, AudioEncoderOptions& o) {
  if (j.contains("front_end")) from_json(j.at("front_end"), o.front_end);
  if (j.contains("gate")) from_json(j.at("gate"), o.gate);
  if (j.contains("window_samples")) o.window_samples = j.at("window_samples").get<int>();
  if (j.contains("conv_channels")) o.conv_channels = j.at("conv_channels").get<std::vector<int>>();
  if (j.contains("embed_dim")) o.embed_dim = j.at("embed_dim").get<int>();
  if (j.contains("dropout")) o.dropout = j.at("dropout").get<double>();
}

}  // namespace imu2clip
