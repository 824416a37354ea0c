#pragma once
// `imu2clip pretrain --modality audio`: the audio encoder trained against the same text tower
// as the IMU encoder, from a folder in the layout of ../shared/data/audio. Only the full build
// has it (libsndfile decodes the clips); imu2clip-train answers that it needs the full build.
#include <functional>
#include <string>
#include <vector>

#include "tagger/train/train_options.h"

namespace imu2clip::cli {

struct AudioPretrainArgs {
  std::vector<std::string> data;     // clip folders (clips/ + labels.csv + manifest.json)
  std::string out, tower, tower_params, augment, val_split, metrics, command;
  std::vector<int> val_folds;        // training clips of these folds validate instead
  bool fp16 = false;
  TrainOptions train;
};

int run_audio_pretrain(const AudioPretrainArgs& args, const std::function<void(const std::string&)>& info);

}  // namespace imu2clip::cli
