#include "tagger/model/weights_io.h"

#include <sstream>
#include <vector>

#include "common/error.h"

namespace imu2clip {
namespace {

std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) out[item.key()] = item.value();
  for (const auto& item : module.named_buffers(/*recurse=*/true)) out[item.key()] = item.value();
  return out;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << "]";
  return s.str();
}

}  // namespace

std::map<std::string, TensorData> export_weights(const torch::nn::Module& module, DType dtype) {
  if (dtype != DType::F32 && dtype != DType::F16) {
    throw Error(ErrorKind::InvalidInput,
                std::string("encoder weights can be stored as F32 or F16, not ") + dtype_name(dtype));
  }
  torch::NoGradGuard no_grad;
  std::map<std::string, TensorData> out;
  for (const auto& [name, tensor] : module_tensors(module)) {
    auto values = tensor.detach().to(torch::kCPU, torch::kFloat).contiguous();
    std::vector<int64_t> shape(values.sizes().begin(), values.sizes().end());
    out[name] = tensor_from_f32(shape, values.data_ptr<float>(), dtype);
  }
  return out;
}

void import_weights(torch::nn::Module& module, const std::map<std::string, TensorData>& weights) {
  auto targets = module_tensors(module);
  std::vector<std::string> problems;
  for (const auto& [name, tensor] : targets) {
    auto it = weights.find(name);
    if (it == weights.end()) {
      problems.push_back("missing tensor '" + name + "'");
      continue;
    }
    std::vector<int64_t> expected(tensor.sizes().begin(), tensor.sizes().end());
    if (it->second.shape != expected) {
      problems.push_back("tensor '" + name + "' has shape " + shape_string(it->second.shape) +
                         ", the encoder needs " + shape_string(expected));
    }
  }
  for (const auto& [name, data] : weights) {
    if (!targets.count(name)) problems.push_back("unexpected tensor '" + name + "'");
  }
  if (!problems.empty()) {
    std::string message = "encoder weights do not match the architecture: ";
    for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    message += " (was the bundle made for different encoder options?)";
    throw Error(ErrorKind::InvalidInput, message);
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : targets) {
    const TensorData& data = weights.at(name);
    std::vector<float> values = tensor_to_f32(data);
    auto source = torch::from_blob(values.data(), tensor.sizes(), torch::kFloat);
    tensor.copy_(source);
  }
}

}  // namespace imu2clip
