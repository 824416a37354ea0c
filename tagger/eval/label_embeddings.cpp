#include "tagger/eval/label_embeddings.h"

#include "common/error.h"
#include "tagger/model/bundle.h"
#include "tagger/model/text_towers.h"

namespace imu2clip {

LabelBank embed_label_phrases(const ModelBundle& bundle, const std::vector<std::string>& phrases) {
  const auto tower = build_text_tower(bundle.text_tower_id, bundle.text_tower_params);
  const int encoder_dim = bundle.encoder.project ? bundle.encoder.embed_dim : bundle.encoder.gru_hidden;
  if (tower->dim() != encoder_dim) {
    throw Error(ErrorKind::InvalidInput, "the bundle's text tower '" + tower->id() + "' embeds into " +
                                             std::to_string(tower->dim()) + " dimensions but its encoder outputs " +
                                             std::to_string(encoder_dim) + "; the bundle is inconsistent");
  }
  std::vector<std::string> templates = bundle.label_bank.templates;
  if (templates.empty()) templates = default_prompt_templates();
  return LabelBank::build(*tower, phrases, templates);
}

}  // namespace imu2clip
