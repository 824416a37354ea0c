#pragma once
// Torch-free face of the IMU encoder: the tagger hands it windows as plain floats and gets
// unit-length embeddings back. The implementation (torch, fused inference path) lives in
// window_encoder.cpp so callers never include libtorch.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "tagger/model/encoder_options.h"
#include "tagger/model/safetensors.h"

namespace imu2clip {

struct ModelBundle;
namespace fast {
struct KernelSet;
}

class WindowEncoder {
 public:
  virtual ~WindowEncoder() = default;
  virtual const EncoderOptions& options() const = 0;
  int dim() const { return options().project ? options().embed_dim : options().gru_hidden; }
  int window_samples() const { return options().window_samples; }

  // x: n windows, each [6][window_samples] channel-major, contiguous (n * 6 * T floats).
  // out: n * dim() floats, each row L2-normalised. Thread-compatible, not thread-safe:
  // one encoder per thread, or serialise calls.
  virtual void encode(const float* x, int64_t n, float* out) = 0;
  // The CPU kernel set the fused path computes with; nullptr for the torch module forward.
  virtual const fast::KernelSet* kernel_set() const { return nullptr; }
};

// Encoder with the bundle's weights; `threads` <= 0 keeps the current intra-op setting.
std::unique_ptr<WindowEncoder> make_window_encoder(const ModelBundle& bundle, int threads = 0);
// Randomly initialised encoder (seeded), for benchmarks of an architecture without weights.
std::unique_ptr<WindowEncoder> make_random_window_encoder(const EncoderOptions& options,
                                                          uint64_t seed, int threads = 0);

// Encoder with explicit weights (torch parameter names, as exported by export_weights).
// Throws Error(InvalidInput) naming missing, unexpected or mis-shaped tensors.
std::unique_ptr<WindowEncoder> make_window_encoder(const EncoderOptions& options,
                                                   const std::map<std::string, TensorData>& weights,
                                                   int threads = 0);
// The same model through the plain torch module forward (InferenceMode): the reference the
// fast path is tested and benchmarked against. Much slower; not for production use.
std::unique_ptr<WindowEncoder> make_module_window_encoder(
    const EncoderOptions& options, const std::map<std::string, TensorData>& weights,
    int threads = 0);

}  // namespace imu2clip
