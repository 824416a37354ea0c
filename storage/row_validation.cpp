#include "storage/row_validation.h"

#include <cmath>

#include "common/error.h"

namespace imu2clip::storage_checks {

void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

void require_non_empty(const std::string& value, const std::string& field) {
  if (value.empty()) invalid(field, field + " must not be empty");
}

void require_finite_non_negative(double value, const std::string& field) {
  if (!std::isfinite(value) || value < 0) {
    invalid(field, field + " must be a finite number >= 0 (got " + std::to_string(value) + ")");
  }
}

int64_t to_ms(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1000.0)); }

void validate_window(const WindowTag& w, size_t index) {
  std::string where = "windows[" + std::to_string(index) + "]";
  require_finite_non_negative(w.start_s, where + ".start_s");
  if (!std::isfinite(w.end_s) || w.end_s < w.start_s) {
    invalid(where + ".end_s", "window end " + std::to_string(w.end_s) + " s is before its start " +
                                  std::to_string(w.start_s) + " s");
  }
  require_non_empty(w.modality, where + ".modality");
  if (!w.embedding_f16.empty() && !w.valid) invalid(where + ".embedding_f16", "an invalid window has no embedding");
  for (uint16_t bits : w.embedding_f16) {
    // Exponent all ones: an fp16 infinity or NaN.
    if ((bits & 0x7c00u) == 0x7c00u) invalid(where + ".embedding_f16", "embedding values must be finite numbers");
  }
  for (size_t k = 0; k < w.labels.size(); ++k) {
    if (!std::isfinite(w.labels[k].score)) {
      invalid(where + ".labels[" + std::to_string(k) + "].score", "label scores must be finite numbers");
    }
  }
}

void validate_segment(const Segment& s, size_t index) {
  std::string where = "segments[" + std::to_string(index) + "]";
  require_finite_non_negative(s.start_s, where + ".start_s");
  if (!std::isfinite(s.end_s) || s.end_s < s.start_s) invalid(where + ".end_s", "segment ends before it starts");
  if (!std::isfinite(s.mean_score)) invalid(where + ".mean_score", "mean_score must be a finite number");
  if (s.n_windows < 0) invalid(where + ".n_windows", "n_windows must be >= 0");
  require_non_empty(s.modality, where + ".modality");
}

void validate_log_entry(const LogEntry& e, size_t index) {
  std::string where = "entries[" + std::to_string(index) + "]";
  if (!e.t_utc_ms && !e.offset_ms) invalid(where, "a log entry needs t_utc_ms or offset_ms");
  if (e.offset_ms && !e.recording_id) invalid(where + ".offset_ms", "offset_ms needs a recording_id");
  if (e.offset_ms && *e.offset_ms < 0) invalid(where + ".offset_ms", "offset_ms must be >= 0");
  if (e.duration_ms < 0) invalid(where + ".duration_ms", "duration_ms must be >= 0");
  require_non_empty(e.modality, where + ".modality");
  require_non_empty(e.text, where + ".text");
}

}  // namespace imu2clip::storage_checks
