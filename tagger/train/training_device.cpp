#include "tagger/train/training_device.h"

#include "common/error.h"

namespace imu2clip {

torch::Device pick_training_device(const std::string& wanted, int cuda_index) {
  const bool cuda = torch::cuda::is_available();
  if (wanted == "cuda" && !cuda)
    throw Error(ErrorKind::InvalidInput, "--device cuda was asked for but no CUDA device is available",
                ErrorContext{"", 0, "device"});
  const bool use_cuda = wanted == "cuda" || (wanted == "auto" && cuda);
  if (use_cuda && cuda_index >= static_cast<int>(torch::cuda::device_count()))
    throw Error(ErrorKind::InvalidInput,
                "local rank " + std::to_string(cuda_index) + " has no GPU: this machine has " +
                    std::to_string(torch::cuda::device_count()) + "; start at most that many ranks per machine",
                ErrorContext{"", 0, "local-rank"});
  return use_cuda ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(cuda_index)) : torch::Device(torch::kCPU);
}

}  // namespace imu2clip
