#pragma once
// Checks the stores run on rows before writing them, so a bad row fails with the field that is
// wrong (e.g. "windows[4].end_s") instead of a bare CHECK-constraint failure from SQLite.
// Internal to storage/.
#include <cstdint>
#include <string>

#include "storage/records.h"

namespace imu2clip::storage_checks {

// Throws Error(InvalidInput) naming the field.
[[noreturn]] void invalid(const std::string& field, const std::string& message);
void require_non_empty(const std::string& value, const std::string& field);
void require_finite_non_negative(double value, const std::string& field);

// Seconds to whole milliseconds: the integer key that makes window inserts idempotent despite
// float noise, and the unit of log-line offsets.
int64_t to_ms(double seconds);

// `index` is the row's position in its batch, used in the field name.
void validate_window(const WindowTag& window, size_t index);
void validate_segment(const Segment& segment, size_t index);
void validate_log_entry(const LogEntry& entry, size_t index);

}  // namespace imu2clip::storage_checks
