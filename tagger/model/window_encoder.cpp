#include "tagger/model/window_encoder.h"

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include "common/error.h"
#include "tagger/model/bundle.h"
#include "tagger/model/fast_encoder.h"
#include "tagger/model/imu_encoder.h"
#include "tagger/model/weights_io.h"

namespace imu2clip {
namespace {

int resolve_threads(int threads) {
  if (threads > 0) at::set_num_threads(threads);
  return at::get_num_threads();
}

class FastWindowEncoder final : public WindowEncoder {
 public:
  FastWindowEncoder(const EncoderOptions& options, const std::map<std::string, TensorData>& weights,
                    int threads)
      : engine_(options, weights, threads) {}
  const EncoderOptions& options() const override { return engine_.options(); }
  void encode(const float* x, int64_t n, float* out) override { engine_.encode(x, n, out); }
  const fast::KernelSet* kernel_set() const override { return &engine_.kernels(); }

 private:
  fast::FastEncoder engine_;
};

class ModuleWindowEncoder final : public WindowEncoder {
 public:
  ModuleWindowEncoder(const EncoderOptions& options, const std::map<std::string, TensorData>& weights)
      : module_(options) {
    import_weights(*module_, weights);
    module_->eval();
  }
  const EncoderOptions& options() const override { return module_->options(); }
  void encode(const float* x, int64_t n, float* out) override {
    if (n == 0) return;
    c10::InferenceMode guard;
    const auto& o = module_->options();
    auto input = torch::from_blob(const_cast<float*>(x), {n, o.in_channels, o.window_samples},
                                  torch::kFloat);
    auto result = module_->forward(input).contiguous();
    std::memcpy(out, result.data_ptr<float>(), sizeof(float) * n * dim());
  }

 private:
  ImuEncoder module_;
};

std::map<std::string, TensorData> random_weights(const EncoderOptions& options, uint64_t seed) {
  torch::manual_seed(seed);
  ImuEncoder module(options);
  return export_weights(*module);
}

}  // namespace

std::unique_ptr<WindowEncoder> make_window_encoder(const EncoderOptions& options,
                                                   const std::map<std::string, TensorData>& weights,
                                                   int threads) {
  return std::make_unique<FastWindowEncoder>(options, weights, resolve_threads(threads));
}

std::unique_ptr<WindowEncoder> make_module_window_encoder(
    const EncoderOptions& options, const std::map<std::string, TensorData>& weights, int threads) {
  resolve_threads(threads);
  return std::make_unique<ModuleWindowEncoder>(options, weights);
}

std::unique_ptr<WindowEncoder> make_window_encoder(const ModelBundle& bundle, int threads) {
  if (bundle.modality != "imu")
    throw Error(ErrorKind::InvalidInput,
                "model " + bundle.model_id + " is an " + bundle.modality + " model; IMU data needs an IMU model",
                ErrorContext{"", 0, "model"});
  return make_window_encoder(bundle.encoder, bundle.encoder_weights, threads);
}

std::unique_ptr<WindowEncoder> make_random_window_encoder(const EncoderOptions& options,
                                                          uint64_t seed, int threads) {
  return make_window_encoder(options, random_weights(options, seed), threads);
}

}  // namespace imu2clip
