#include "tagger/audio/log_mel.h"

#include <climits>
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace imu2clip {
namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

void require_positive(const char* field, int value) {
  if (value < 1) invalid(field, "must be at least 1, got " + std::to_string(value));
}

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

void LogMelOptions::validate() const {
  if (!std::isfinite(sample_rate_hz) || sample_rate_hz <= 0) {
    invalid("sample_rate_hz", "must be a positive rate, got " + std::to_string(sample_rate_hz));
  }
  require_positive("n_fft", n_fft);
  if (n_fft < 2 || n_fft % 2 != 0) {
    invalid("n_fft", "must be even and at least 2 (a real FFT), got " + std::to_string(n_fft));
  }
  require_positive("win_length", win_length);
  if (win_length > n_fft) {
    invalid("win_length", "must be at most n_fft (" + std::to_string(n_fft) + "), got " +
                              std::to_string(win_length));
  }
  require_positive("hop", hop);
  require_positive("n_mels", n_mels);
  if (!std::isfinite(f_min) || f_min < 0) invalid("f_min", "must be >= 0, got " + std::to_string(f_min));
  if (!std::isfinite(f_max) || f_max <= f_min) {
    invalid("f_max", "must be above f_min (" + std::to_string(f_min) + "), got " + std::to_string(f_max));
  }
  if (f_max > sample_rate_hz / 2 + 1e-9) {
    invalid("f_max", "must be at most the Nyquist frequency (" + std::to_string(sample_rate_hz / 2) +
                         " Hz), got " + std::to_string(f_max));
  }
  if (!std::isfinite(log_floor) || log_floor <= 0) {
    invalid("log_floor", "must be positive, got " + std::to_string(log_floor));
  }
}

void to_json(nlohmann::json& j, const LogMelOptions& o) {
  j = nlohmann::json{{"sample_rate_hz", o.sample_rate_hz}, {"n_fft", o.n_fft},
                     {"win_length", o.win_length},         {"hop", o.hop},
                     {"n_mels", o.n_mels},                 {"f_min", o.f_min},
                     {"f_max", o.f_max},                   {"log_floor", o.log_floor}};
}

void from_json(const nlohmann::json& j, LogMelOptions& o) {
  if (!j.is_object()) invalid("log_mel", "log-mel options must be a JSON object");
  read_key(j, "sample_rate_hz", o.sample_rate_hz);
  read_key(j, "n_fft", o.n_fft);
  read_key(j, "win_length", o.win_length);
  read_key(j, "hop", o.hop);
  read_key(j, "n_mels", o.n_mels);
  read_key(j, "f_min", o.f_min);
  read_key(j, "f_max", o.f_max);
  read_key(j, "log_floor", o.log_floor);
}

int LogMelOptions::frames(int64_t n_samples) const {
  if (n_samples < 0) invalid("n_samples", "must be >= 0, got " + std::to_string(n_samples));
  if (hop < 1) invalid("hop", "must be at least 1, got " + std::to_string(hop));
  const int64_t f = 1 + n_samples / hop;
  if (f > INT_MAX) invalid("n_samples", "gives more frames than an int holds");
  return static_cast<int>(f);
}

}  // namespace imu2clip
