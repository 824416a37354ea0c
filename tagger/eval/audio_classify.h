#pragma once
// `imu2clip eval classify --modality audio`: zero-shot, linear-probe and fine-tune
// classification of labelled audio clips (a folder in the layout of ../shared/data/audio),
// with the same report as for IMU windows. Torch-free header.
#include <vector>

#include "tagger/eval/classify_eval.h"

namespace imu2clip {

struct ModelBundle;

// options.dataset_dir is the clip folder; options.split a labels.csv split or "all".
// Probe/fine-tune train on the "train" split minus `val_folds` and choose the epoch on the
// "val" split plus those folds. Zero-shot windows the gate calls quiet count as predicted
// "quiet" (always wrong on labelled sounds) and are counted in details.gate_quiet.
ClassifyResult run_audio_classify(const ModelBundle& bundle, const ClassifyOptions& options,
                                  const std::vector<int>& val_folds = {});

}  // namespace imu2clip
