#pragma once
// Torch header. Moves a module's parameters and buffers to and from the torch-free tensor
// map a bundle stores (keys = named_parameters() + named_buffers() names).
#include <map>
#include <string>

#include <torch/torch.h>

#include "tagger/model/safetensors.h"

namespace imu2clip {

// `dtype` must be F32 or F16 (F16 halves a bundle; values are rounded to nearest even).
std::map<std::string, TensorData> export_weights(const torch::nn::Module& module,
                                                 DType dtype = DType::F32);

// Copies every tensor into the module. Throws Error(InvalidInput) listing missing and
// unexpected names and every shape mismatch, before changing anything.
void import_weights(torch::nn::Module& module, const std::map<std::string, TensorData>& weights);

}  // namespace imu2clip
