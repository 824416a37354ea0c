#include "tagger/model/fast_encoder.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "common/error.h"

namespace imu2clip::fast {
namespace {

constexpr float kGroupNormEps = 1e-5f;  // torch.nn.GroupNorm's default

int64_t round_up(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

class WeightTable {
 public:
  explicit WeightTable(const std::map<std::string, TensorData>& weights) : weights_(weights) {}

  // The tensor as floats; records a problem (and returns zeros) when missing or mis-shaped.
  std::vector<float> take(const std::string& name, const std::vector<int64_t>& shape) {
    used_.push_back(name);
    auto it = weights_.find(name);
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    if (it == weights_.end()) {
      problems_.push_back("missing tensor '" + name + "'");
      return std::vector<float>(count, 0.0f);
    }
    if (it->second.shape != shape) {
      problems_.push_back("tensor '" + name + "' has the wrong shape for these encoder options");
      return std::vector<float>(count, 0.0f);
    }
    return tensor_to_f32(it->second);
  }

  void check() const {
    std::vector<std::string> problems = problems_;
    for (const auto& [name, data] : weights_) {
      if (std::find(used_.begin(), used_.end(), name) == used_.end()) {
        problems.push_back("unexpected tensor '" + name + "'");
      }
    }
    if (problems.empty()) return;
    std::string message = "encoder weights do not match the architecture: ";
    for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    throw Error(ErrorKind::InvalidInput, message);
  }

 private:
  const std::map<std::string, TensorData>& weights_;
  std::vector<std::string> used_;
  std::vector<std::string> problems_;
};

// Mean and 1/std of `count` values in `rows` rows of stride `ld` (two passes: accurate when
// the signal has a large offset, e.g. gravity on the accelerometer).
void group_stats(const float* x, int rows, int count, int64_t ld, float& mean, float& rstd) {
  double sum = 0.0;
  for (int r = 0; r < rows; ++r)
    for (int t = 0; t < count; ++t) sum += x[r * ld + t];
  const double m = sum / (static_cast<double>(rows) * count);
  double var = 0.0;
  for (int r = 0; r < rows; ++r)
    for (int t = 0; t < count; ++t) {
      const double d = x[r * ld + t] - m;
      var += d * d;
    }
  var /= static_cast<double>(rows) * count;
  mean = static_cast<float>(m);
  rstd = static_cast<float>(1.0 / std::sqrt(var + kGroupNormEps));
}

}  // namespace

FloatBuffer::FloatBuffer(size_t count) : size_(count) {
  const size_t bytes = round_up(static_cast<int64_t>(std::max<size_t>(count, 1) * sizeof(float)), 64);
  void* p = std::aligned_alloc(64, bytes);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, bytes);
  data_.reset(static_cast<float*>(p));
}

void FloatBuffer::Free::operator()(float* p) const { std::free(p); }

FastEncoder::FastEncoder(const EncoderOptions& options,
                         const std::map<std::string, TensorData>& weights, int threads, int chunk,
                         const KernelSet& kernels)
    : options_(options), threads_(std::max(1, threads)), chunk_(std::max(1, chunk)), kernels_(kernels) {
  options_.validate();
  steps_ = options_.gru_steps(options_.window_samples);
  gru_in_ = options_.conv_channels.back();
  hp_ = static_cast<int>(round_up(options_.gru_hidden, 16));
  panels_ = hp_ / 16;
  dp_ = static_cast<int>(round_up(dim(), 16));

  int lin = options_.window_samples;
  int cin = options_.in_channels;
  for (size_t i = 0; i < options_.conv_channels.size(); ++i) {
    Layer layer;
    layer.cin = cin;
    layer.cout = options_.conv_channels[i];
    layer.ksize = options_.kernel_sizes[i];
    layer.lin = lin;
    layer.lout = (lin - options_.dilation * (layer.ksize - 1)) / options_.pool;
    layer.ld_in = round_up(lin + 32, 16);
    layers_.push_back(std::move(layer));
    lin = layers_.back().lout;
    cin = layers_.back().cout;
  }
  ld_final_ = round_up(lin + 32, 16);
  load_weights(weights);
}

void FastEncoder::load_weights(const std::map<std::string, TensorData>& weights) {
  const auto& o = options_;
  WeightTable table(weights);
  in_gamma_ = table.take("input_norm.weight", {o.in_channels});
  in_beta_ = table.take("input_norm.bias", {o.in_channels});
  for (size_t i = 0; i < layers_.size(); ++i) {
    Layer& layer = layers_[i];
    auto w = table.take("conv" + std::to_string(i) + ".weight", {layer.cout, layer.cin, layer.ksize});
    const int blocks = (layer.cout + 7) / 8;
    layer.weights = FloatBuffer(static_cast<size_t>(blocks) * layer.cin * layer.ksize * 8);
    float* dst = layer.weights.data();
    for (int oc = 0; oc < layer.cout; ++oc)
      for (int c = 0; c < layer.cin; ++c)
        for (int k = 0; k < layer.ksize; ++k)
          dst[((static_cast<int64_t>(oc / 8) * layer.cin + c) * layer.ksize + k) * 8 + oc % 8] =
              w[(static_cast<int64_t>(oc) * layer.cin + c) * layer.ksize + k];
  }
  mid_gamma_ = table.take("mid_norm.weight", {gru_in_});
  mid_beta_ = table.take("mid_norm.bias", {gru_in_});

  const int h = o.gru_hidden;
  auto w_ih = table.take("gru.weight_ih_l0", {3 * h, gru_in_});
  auto w_hh = table.take("gru.weight_hh_l0", {3 * h, h});
  auto b_ih = table.take("gru.bias_ih_l0", {3 * h});
  auto b_hh = table.take("gru.bias_hh_l0", {3 * h});
  // Panel p holds units [16p, 16p+16) of all three gates: [k][gate*16 + unit].
  w_ih_ = FloatBuffer(static_cast<size_t>(panels_) * gru_in_ * 48);
  w_hh_ = FloatBuffer(static_cast<size_t>(panels_) * hp_ * 48);
  bias_gi_ = FloatBuffer(static_cast<size_t>(panels_) * 48);
  b_hn_ = FloatBuffer(static_cast<size_t>(hp_));
  for (int unit = 0; unit < h; ++unit) {
    const int p = unit / 16, u = unit % 16;
    for (int g = 0; g < 3; ++g) {
      const int64_t row = static_cast<int64_t>(g) * h + unit;
      for (int k = 0; k < gru_in_; ++k)
        w_ih_.data()[(static_cast<int64_t>(p) * gru_in_ + k) * 48 + g * 16 + u] = w_ih[row * gru_in_ + k];
      for (int k = 0; k < h; ++k)
        w_hh_.data()[(static_cast<int64_t>(p) * hp_ + k) * 48 + g * 16 + u] = w_hh[row * h + k];
      // b_hr and b_hz simply add to the input projection; b_hn is scaled by the reset gate.
      bias_gi_.data()[p * 48 + g * 16 + u] = b_ih[row] + (g < 2 ? b_hh[row] : 0.0f);
    }
    b_hn_.data()[unit] = b_hh[2 * static_cast<int64_t>(h) + unit];
  }

  if (o.project) {
    const int d = o.embed_dim;
    auto w = table.take("projection.weight", {d, h});
    auto b = table.take("projection.bias", {d});
    w_proj_ = FloatBuffer(static_cast<size_t>(dp_) * hp_);
    b_proj_ = FloatBuffer(static_cast<size_t>(dp_));
    for (int out = 0; out < d; ++out) {
      for (int k = 0; k < h; ++k)
        w_proj_.data()[(static_cast<int64_t>(out / 16) * hp_ + k) * 16 + out % 16] = w[static_cast<int64_t>(out) * h + k];
      b_proj_.data()[out] = b[out];
    }
  }
  table.check();
}

void FastEncoder::reserve(int64_t n) {
  if (n <= capacity_) return;
  x_seq_ = FloatBuffer(static_cast<size_t>(steps_) * n * gru_in_);
  gi_ = FloatBuffer(static_cast<size_t>(steps_) * n * panels_ * 48);
  h_[0] = FloatBuffer(static_cast<size_t>(n) * hp_);
  h_[1] = FloatBuffer(static_cast<size_t>(n) * hp_);
  if (options_.project) proj_ = FloatBuffer(static_cast<size_t>(n) * dp_);
  if (scratch_.empty()) {
    scratch_.resize(threads_);
    for (auto& s : scratch_) {
      int64_t conv = 0;
      for (const Layer& layer : layers_) {
        s.inputs.emplace_back(static_cast<size_t>(layer.cin * layer.ld_in + 64));
        conv = std::max(conv, round_up(layer.lin, 32) * 8);
      }
      s.inputs.emplace_back(static_cast<size_t>(gru_in_ * ld_final_ + 64));
      s.conv = FloatBuffer(static_cast<size_t>(conv));
    }
  }
  capacity_ = n;
}

void FastEncoder::encode(const float* x, int64_t n, float* out) {
  if (n < 0) throw Error(ErrorKind::InvalidInput, "window count must not be negative");
  const int64_t window_floats = static_cast<int64_t>(options_.in_channels) * options_.window_samples;
  for (int64_t start = 0; start < n; start += chunk_) {
    const int64_t count = std::min<int64_t>(chunk_, n - start);
    run_chunk(x + start * window_floats, count, out + start * dim());
  }
}

void FastEncoder::input_norm(const float* x, float* out) {
  const auto& o = options_;
  const int samples = o.window_samples;
  const int64_t ld0 = layers_[0].ld_in;
  const int per_group = o.in_channels / o.input_groups;
  for (int g = 0; g < o.input_groups; ++g) {
    float mean, rstd;
    group_stats(x + static_cast<int64_t>(g) * per_group * samples, per_group, samples, samples,
                mean, rstd);
    for (int c = g * per_group; c < (g + 1) * per_group; ++c) {
      const float scale = rstd * in_gamma_[c];
      const float shift = in_beta_[c] - mean * scale;
      const float* src = x + static_cast<int64_t>(c) * samples;
      float* dst = out + c * ld0;
      for (int t = 0; t < samples; ++t) dst[t] = src[t] * scale + shift;
    }
  }
}

void FastEncoder::conv_layer(size_t i, const float* in, float* out, float* conv_scratch,
                             int block_begin, int block_end) {
  const Layer& layer = layers_[i];
  const int c0 = block_begin * 8;
  const int c1 = std::min(layer.cout, block_end * 8);
  if (c1 <= c0) return;
  const int64_t ld_out = i + 1 < layers_.size() ? layers_[i + 1].ld_in : ld_final_;
  kernels_.conv_pool(in, layer.ld_in, layer.cin, layer.lin,
                     layer.weights.data() + static_cast<int64_t>(block_begin) * layer.cin * layer.ksize * 8,
                     c1 - c0, layer.ksize, options_.dilation, options_.pool, options_.conv_relu,
                     conv_scratch, out + c0 * ld_out, ld_out);
}

void FastEncoder::mid_norm(const float* features, int64_t window, int64_t n) {
  // Written time-major for the GRU: X[t][window][c].
  const int per_mid = gru_in_ / options_.mid_groups;
  for (int g = 0; g < options_.mid_groups; ++g) {
    float mean, rstd;
    group_stats(features + g * per_mid * ld_final_, per_mid, steps_, ld_final_, mean, rstd);
    for (int c = g * per_mid; c < (g + 1) * per_mid; ++c) {
      const float scale = rstd * mid_gamma_[c];
      const float shift = mid_beta_[c] - mean * scale;
      const float* src = features + c * ld_final_;
      for (int t = 0; t < steps_; ++t) {
        x_seq_.data()[(static_cast<int64_t>(t) * n + window) * gru_in_ + c] = src[t] * scale + shift;
      }
    }
  }
}

void FastEncoder::front_end(const float* x, int64_t window, int64_t n, ThreadScratch& scratch) {
  input_norm(x, scratch.inputs[0].data());
  for (size_t i = 0; i < layers_.size(); ++i) {
    conv_layer(i, scratch.inputs[i].data(), scratch.inputs[i + 1].data(), scratch.conv.data(), 0,
               (layers_[i].cout + 7) / 8);
  }
  mid_norm(scratch.inputs.back().data(), window, n);
}

void FastEncoder::front_end_shared(const float* x, int64_t window, int64_t n, int tid, int team) {
  // Thread 0's layer buffers are the shared ones; every thread keeps its own conv scratch.
  auto& buffers = scratch_[0].inputs;
  if (tid == 0) input_norm(x, buffers[0].data());
  barrier_.wait();
  for (size_t i = 0; i < layers_.size(); ++i) {
    const int blocks = (layers_[i].cout + 7) / 8;
    conv_layer(i, buffers[i].data(), buffers[i + 1].data(), scratch_[tid].conv.data(),
               blocks * tid / team, blocks * (tid + 1) / team);
    barrier_.wait();
  }
  if (tid == 0) mid_norm(buffers.back().data(), window, n);
}

void FastEncoder::run_chunk(const float* x, int64_t n, float* out) {
  reserve(n);
  const int64_t window_floats = static_cast<int64_t>(options_.in_channels) * options_.window_samples;
  const int64_t ldgi = static_cast<int64_t>(panels_) * 48;
  const int out_dim = dim();
#pragma omp parallel num_threads(threads_)
  {
    // The team may be smaller than asked (nested parallelism): partition by the real size.
    const int tid = omp_get_thread_num();
    const int team = omp_get_num_threads();
#pragma omp single
    barrier_.reset(team);  // the single's implicit barrier publishes it
    // Whole windows per thread while there are enough; the few left over are shared.
    const int64_t whole = n - n % team;
    for (int64_t w = tid; w < whole; w += team) front_end(x + w * window_floats, w, n, scratch_[tid]);
    for (int64_t w = whole; w < n; ++w) front_end_shared(x + w * window_floats, w, n, tid, team);
    barrier_.wait();
    const int p0 = panels_ * tid / team, p1 = panels_ * (tid + 1) / team;
    if (p1 > p0) {
      kernels_.dense(steps_ * n, x_seq_.data(), gru_in_, gru_in_,
                     w_ih_.data() + static_cast<int64_t>(p0) * gru_in_ * 48, p1 - p0, 3,
                     bias_gi_.data() + p0 * 48, gi_.data() + p0 * 48, ldgi);
    }
    // Each thread reads only its own columns of gi_, so no barrier before the first step.
    for (int s = 0; s < steps_; ++s) {
      const float* h_old = h_[s % 2].data();
      float* h_new = h_[(s + 1) % 2].data();
      if (p1 > p0) {
        kernels_.gru_step(n, h_old, h_old + p0 * 16, h_new + p0 * 16, hp_, hp_,
                          w_hh_.data() + static_cast<int64_t>(p0) * hp_ * 48, p1 - p0,
                          gi_.data() + s * n * ldgi + p0 * 48, ldgi, b_hn_.data() + p0 * 16,
                          s == 0);
      }
      barrier_.wait();
    }
    const float* h_last = h_[steps_ % 2].data();
    const int64_t r0 = n * tid / team, r1 = n * (tid + 1) / team;
    if (r1 > r0) {
      if (options_.project) {
        kernels_.dense(r1 - r0, h_last + r0 * hp_, hp_, hp_, w_proj_.data(), dp_ / 16, 1,
                       b_proj_.data(), proj_.data() + r0 * dp_, dp_);
        kernels_.l2_normalise(r1 - r0, proj_.data() + r0 * dp_, dp_, out_dim, out + r0 * out_dim);
      } else {
        kernels_.l2_normalise(r1 - r0, h_last + r0 * hp_, hp_, out_dim, out + r0 * out_dim);
      }
    }
  }
}

}  // namespace imu2clip::fast
