#pragma once
// Torch header. The device a training run uses: "cuda" (fails clearly without one), "cpu", or
// "auto" (CUDA when available). One home for the IMU and the audio trainer.
#include <torch/torch.h>

#include <string>

namespace imu2clip {

// `cuda_index`: the GPU of this process (a data-parallel rank's local rank).
torch::Device pick_training_device(const std::string& wanted, int cuda_index = 0);

}  // namespace imu2clip
