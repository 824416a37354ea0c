// make_untrained_bundle lives apart from bundle.cpp because it needs torch (random init of
// the encoder module); bundle.cpp stays torch-free.
#include <torch/torch.h>

#include "common/error.h"
#include "tagger/model/bundle.h"
#include "tagger/model/audio_encoder.h"
#include "tagger/model/imu_encoder.h"
#include "tagger/model/weights_io.h"
#include "tagger/model/text_towers.h"

namespace imu2clip {

ModelBundle make_untrained_bundle(const EncoderOptions& options, const std::string& tower_id,
                                  const nlohmann::json& tower_params,
                                  std::vector<std::string> labels, uint64_t seed) {
  options.validate();
  auto tower = build_text_tower(tower_id, tower_params);
  const int encoder_dim = options.project ? options.embed_dim : options.gru_hidden;
  if (tower->dim() != encoder_dim) {
    throw Error(ErrorKind::InvalidInput,
                "text tower '" + tower->id() + "' embeds into " + std::to_string(tower->dim()) +
                    " dimensions but the encoder outputs " + std::to_string(encoder_dim) +
                    "; set embed_dim (with project) to the tower's dimension",
                ErrorContext{"", 0, "embed_dim"});
  }
  ModelBundle bundle;
  bundle.encoder = options;
  bundle.text_tower_id = tower->id();
  bundle.text_tower_params = tower->params();
  bundle.label_bank = LabelBank::build(*tower, std::move(labels), default_prompt_templates());
  torch::manual_seed(seed);
  ImuEncoder module(options);
  bundle.encoder_weights = export_weights(*module);
  bundle.provenance = {{"kind", "untrained"}, {"seed", seed}};
  bundle.model_id = compute_model_id(bundle);
  return bundle;
}

ModelBundle make_untrained_audio_bundle(const AudioEncoderOptions& options, const std::string& tower_id,
                                        const nlohmann::json& tower_params, std::vector<std::string> labels,
                                        uint64_t seed) {
  options.validate();
  auto tower = build_text_tower(tower_id, tower_params);
  if (tower->dim() != options.embed_dim) {
    throw Error(ErrorKind::InvalidInput,
                "text tower '" + tower->id() + "' embeds into " + std::to_string(tower->dim()) +
                    " dimensions but the audio encoder outputs " + std::to_string(options.embed_dim),
                ErrorContext{"", 0, "embed_dim"});
  }
  ModelBundle bundle;
  bundle.modality = "audio";
  bundle.audio = options;
  bundle.text_tower_id = tower->id();
  bundle.text_tower_params = tower->params();
  bundle.label_bank = LabelBank::build(*tower, std::move(labels), default_prompt_templates());
  torch::manual_seed(seed);
  AudioEncoder module(options);
  module->eval();
  bundle.encoder_weights = export_weights(*module);
  bundle.provenance = {{"kind", "untrained"}, {"seed", seed}};
  bundle.model_id = compute_model_id(bundle);
  return bundle;
}

}  // namespace imu2clip
