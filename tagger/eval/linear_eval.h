#pragma once
// Supervised evaluation of an encoder (paper Table 3): a linear classifier on top of it,
// trained on a train split with the val split choosing the epoch. Torch-free header; the
// implementation uses libtorch.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tagger/dataset/window_dataset.h"

namespace imu2clip {

struct ModelBundle;

enum class HeadTraining {
  Probe,      // frozen encoder, only the linear layer learns
  Finetune,   // encoder and linear layer learn together
};

struct LinearEvalOptions {
  HeadTraining training = HeadTraining::Probe;
  bool vanilla = false;      // randomly initialised encoder (same architecture) instead of the bundle's weights
  int epochs = 0;            // <= 0: 100 for a probe (cheap: features are computed once), 5 for fine-tuning
  int batch = 64;
  double lr = 1e-3;          // Adam, linear layer
  double encoder_lr = 0;     // Adam, encoder when fine-tuning; <= 0: lr / 10 (pretrained) or lr (vanilla)
  uint64_t seed = 1;
  int threads = 0;           // <= 0: every core
  std::function<void(const std::string&)> log;   // progress lines (may be empty)
};

struct EpochLog {
  int epoch = 0;
  double train_loss = 0, train_accuracy = 0;
  double val_accuracy = 0, val_macro_f1 = 0;   // 0 when there are no val windows
  double seconds = 0;
};

struct LinearEvalResult {
  std::vector<int> predicted;    // one class per window of `eval`
  std::vector<EpochLog> epochs;
  int best_epoch = 0;            // 1-based epoch whose weights made `predicted`
  std::string selected_by;       // "val macro-F1" or "last epoch (no val windows)"
  int epochs_run = 0;
  double encoder_lr = 0, lr = 0;
};

// All three window sets must use the same label list (`classes`, e.g. via filter_labels);
// windows must be labelled. Throws Error(InvalidInput) when `train` is empty.
LinearEvalResult train_linear_eval(const ModelBundle& bundle, const LabelledWindows& train,
                                   const LabelledWindows& val, const LabelledWindows& eval,
                                   const std::vector<std::string>& classes, const LinearEvalOptions& options);

}  // namespace imu2clip
