#pragma once
// Label phrases embedded the way a bundle embeds its own labels: its text tower and prompt
// templates (so any phrase works, e.g. another dataset's labels for cross-dataset zero-shot).
// Torch-free.
#include <string>
#include <vector>

#include "tagger/text/label_bank.h"

namespace imu2clip {

struct ModelBundle;

// Throws Error(InvalidInput) when the tower's dimension differs from the encoder's.
LabelBank embed_label_phrases(const ModelBundle& bundle, const std::vector<std::string>& phrases);

}  // namespace imu2clip
