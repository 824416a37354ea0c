#include "tagger/model/encoder_options.h"

#include <string>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace imu2clip {
namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

void require_positive(const std::string& field, int value) {
  if (value < 1) invalid(field, "must be at least 1, got " + std::to_string(value));
}

}  // namespace

int EncoderOptions::gru_steps(int samples) const {
  if (kernel_sizes.size() != conv_channels.size()) {
    invalid("kernel_sizes", "needs one kernel size per conv block");
  }
  long length = samples;
  for (size_t i = 0; i < kernel_sizes.size(); ++i) {
    length -= static_cast<long>(dilation) * (kernel_sizes[i] - 1);
    if (length >= 1) length /= pool;
    if (length < 1) {
      throw Error(ErrorKind::InvalidInput,
                  "a window of " + std::to_string(samples) + " samples is too short: conv block " +
                      std::to_string(i) + " leaves no time steps; use at least " +
                      std::to_string(min_window_samples()) + " samples per window",
                  ErrorContext{"", 0, "window_samples"});
    }
  }
  return static_cast<int>(length);
}

int EncoderOptions::min_window_samples() const {
  // Walk the stack backwards from one GRU step: each pool needs `pool` inputs, each conv
  // needs dilation*(k-1) extra samples.
  long length = 1;
  for (size_t i = kernel_sizes.size(); i-- > 0;) {
    length = length * pool + static_cast<long>(dilation) * (kernel_sizes[i] - 1);
  }
  return static_cast<int>(length);
}

void EncoderOptions::validate() const {
  require_positive("in_channels", in_channels);
  require_positive("input_groups", input_groups);
  if (in_channels % input_groups != 0) {
    invalid("input_groups", "must divide in_channels (" + std::to_string(in_channels) + ")");
  }
  if (conv_channels.empty()) invalid("conv_channels", "needs at least one conv block");
  if (kernel_sizes.size() != conv_channels.size()) {
    invalid("kernel_sizes", "needs one kernel size per conv block (" +
                                std::to_string(conv_channels.size()) + ")");
  }
  for (size_t i = 0; i < conv_channels.size(); ++i) {
    require_positive("conv_channels", conv_channels[i]);
    require_positive("kernel_sizes", kernel_sizes[i]);
  }
  require_positive("dilation", dilation);
  require_positive("pool", pool);
  require_positive("mid_groups", mid_groups);
  if (conv_channels.back() % mid_groups != 0) {
    invalid("mid_groups", "must divide the last conv block's channels (" +
                              std::to_string(conv_channels.back()) + ")");
  }
  require_positive("gru_hidden", gru_hidden);
  require_positive("embed_dim", embed_dim);
  if (!project && embed_dim != gru_hidden) {
    invalid("embed_dim", "must equal gru_hidden when project is false");
  }
  if (!(sample_rate_hz > 0.0)) invalid("sample_rate_hz", "must be positive");
  gru_steps(window_samples);
}

EncoderOptions EncoderOptions::official() {
  EncoderOptions o;
  o.in_channels = 6;
  o.input_groups = 2;
  o.conv_channels = {32, 32, 32};
  o.kernel_sizes = {10, 5, 5};
  o.dilation = 2;
  o.pool = 3;
  o.conv_relu = false;
  o.mid_groups = 4;
  o.gru_hidden = 512;
  o.embed_dim = 512;
  o.project = false;
  o.window_samples = 1000;
  o.sample_rate_hz = 200.0;
  return o;
}

void to_json(nlohmann::json& j, const EncoderOptions& o) {
  j = nlohmann::json{{"in_channels", o.in_channels},   {"input_groups", o.input_groups},
                     {"conv_channels", o.conv_channels}, {"kernel_sizes", o.kernel_sizes},
                     {"dilation", o.dilation},         {"pool", o.pool},
                     {"conv_relu", o.conv_relu},       {"mid_groups", o.mid_groups},
                     {"gru_hidden", o.gru_hidden},     {"embed_dim", o.embed_dim},
                     {"project", o.project},           {"window_samples", o.window_samples},
                     {"sample_rate_hz", o.sample_rate_hz}};
}

namespace {
template <typename T>
void read_key(const nlohmann::json& j, const char* key, T& value) {
  auto it = j.find(key);
  if (it == j.end()) return;
  try {
    value = it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    invalid(key, "has the wrong type: " + it->dump());
  }
}
}  // namespace

void from_json(const nlohmann::json& j, EncoderOptions& o) {
  if (!j.is_object()) invalid("encoder", "encoder options must be a JSON object");
  read_key(j, "in_channels", o.in_channels);
  read_key(j, "input_groups", o.input_groups);
  read_key(j, "conv_channels", o.conv_channels);
  read_key(j, "kernel_sizes", o.kernel_sizes);
  read_key(j, "dilation", o.dilation);
  read_key(j, "pool", o.pool);
  read_key(j, "conv_relu", o.conv_relu);
  read_key(j, "mid_groups", o.mid_groups);
  read_key(j, "gru_hidden", o.gru_hidden);
  read_key(j, "embed_dim", o.embed_dim);
  read_key(j, "project", o.project);
  read_key(j, "window_samples", o.window_samples);
  read_key(j, "sample_rate_hz", o.sample_rate_hz);
}

}  // namespace imu2clip
