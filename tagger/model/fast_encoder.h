#pragma once
// Torch-free fused inference engine for the IMU encoder (the fast path behind WindowEncoder).
// The work of one call runs in ONE OpenMP parallel region:
//   1. front end, windows split across threads: input GroupNorm, conv+pool blocks, mid
//      GroupNorm, written time-major as the GRU input X[t][window][channel];
//   2. GRU, hidden units split across threads (each thread owns whole 16-unit panels with all
//      three gates, so its 1/threads slice of W_hh stays in its own L2 cache): the input
//      projection of all steps in one dense pass, then per step one register-blocked product
//      with the gate update fused in, and one barrier;
//   3. projection and L2 normalisation, windows split across threads.
// Buffers are allocated once and reused; large inputs are processed in chunks.
// Several times the torch module's throughput, most of all at batch 1: see docs/BENCHMARKS.md
// ("Encoder throughput").
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tagger/model/encoder_options.h"
#include "tagger/model/fast_kernels.h"
#include "tagger/model/safetensors.h"
#include "tagger/model/spin_barrier.h"

namespace imu2clip::fast {

// 64-byte aligned float storage, zero-initialised.
class FloatBuffer {
 public:
  FloatBuffer() = default;
  explicit FloatBuffer(size_t count);
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(float* p) const;
  };
  std::unique_ptr<float[], Free> data_;
  size_t size_ = 0;
};

class FastEncoder {
 public:
  // weights: the torch module's tensors by name (see imu_encoder.h); throws Error(InvalidInput)
  // naming any missing or mis-shaped tensor. threads >= 1. chunk: windows per internal batch.
  FastEncoder(const EncoderOptions& options, const std::map<std::string, TensorData>& weights,
              int threads, int chunk = 64, const KernelSet& kernels = fast_kernels());

  // x: n windows of [in_channels][window_samples] floats; out: n * dim() floats.
  void encode(const float* x, int64_t n, float* out);

  const EncoderOptions& options() const { return options_; }
  int dim() const { return options_.project ? options_.embed_dim : options_.gru_hidden; }
  int threads() const { return threads_; }
  const char* kernel_name() const { return kernels_.name; }
  const KernelSet& kernels() const { return kernels_; }

 private:
  struct Layer {
    int cin, cout, ksize, lin, lout;   // lout: after pooling
    int64_t ld_in;                      // row stride of this layer's input buffer
    FloatBuffer weights;                // conv panels
  };
  struct ThreadScratch {
    std::vector<FloatBuffer> inputs;    // one per conv layer, plus the final pooled output
    FloatBuffer conv;
  };

  void load_weights(const std::map<std::string, TensorData>& weights);
  void reserve(int64_t n);
  void run_chunk(const float* x, int64_t n, float* out);
  // Front end of one window by one thread.
  void front_end(const float* x, int64_t window, int64_t n, ThreadScratch& scratch);
  // Front end of one window by the whole team (when there are fewer windows than threads):
  // conv output-channel blocks are split across threads, with a barrier between layers.
  void front_end_shared(const float* x, int64_t window, int64_t n, int tid, int team);
  void input_norm(const float* x, float* out);
  void conv_layer(size_t i, const float* in, float* out, float* conv_scratch, int block_begin,
                  int block_end);
  void mid_norm(const float* features, int64_t window, int64_t n);

  EncoderOptions options_;
  int threads_;
  int chunk_;
  const KernelSet& kernels_;

  int steps_ = 0;       // GRU time steps per window
  int gru_in_ = 0;      // GRU input size (last conv channels)
  int hp_ = 0;          // hidden size padded to 16
  int panels_ = 0;      // hp_ / 16
  int dp_ = 0;          // output dim padded to 16
  std::vector<Layer> layers_;
  int64_t ld_final_ = 0;

  std::vector<float> in_gamma_, in_beta_, mid_gamma_, mid_beta_;
  FloatBuffer w_ih_, w_hh_, bias_gi_, b_hn_, w_proj_, b_proj_;

  int64_t capacity_ = 0;
  FloatBuffer x_seq_, gi_, h_[2], proj_;
  std::vector<ThreadScratch> scratch_;
  SpinYieldBarrier barrier_;
};

}  // namespace imu2clip::fast
