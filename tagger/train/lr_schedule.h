#pragma once
// The learning rate of a training step: linear warm-up from 0, then cosine decay to 0 over the
// whole run (or constant with schedule "none"). One home for the IMU and the audio trainer.
#include <cstdint>

#include "tagger/train/train_options.h"

namespace imu2clip {

double lr_at(const TrainOptions& options, int64_t step, int64_t total_steps);

}  // namespace imu2clip
