#include "tagger/train/training_device.h"

#include "common/error.h"

namespace imu2clip {

torch::Device pick_training_device(const std::string& wanted) {
  const bool cuda = torch::cuda::is_available();
  if (wanted == "cuda" && !cuda)
    throw Error(ErrorKind::InvalidInput, "--device cuda was asked for but no CUDA device is available",
                ErrorContext{"", 0, "device"});
  return (wanted == "cuda" || (wanted == "auto" && cuda)) ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
}

}  // namespace imu2clip
