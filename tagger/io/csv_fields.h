#pragma once
// Small, allocation-free helpers for the comma-separated files the tagger reads. The IMU and
// label files never quote or escape commas, so a field is simply the text between commas: a
// line splits with split_views(line, ',', fields) from common/strings.h.
#include <string>
#include <string_view>

namespace imu2clip::csv {

// The field's text: without surrounding whitespace and one pair of surrounding double quotes
// (and the whitespace inside them).
std::string_view unquote_field(std::string_view s);

// Header name normalised for alias matching: trimmed, lowercase, ' ', '-', '.' -> '_'.
std::string normalize_header_name(std::string_view s);

enum class Parse { Ok, Empty, NotNumber };

// Whole (trimmed) field must be a number; "nan", "inf", "infinity" (any case) parse as such.
// A leading '+' is accepted. Out-of-range values are NotNumber.
Parse parse_double(std::string_view field, double& out);
Parse parse_float(std::string_view field, float& out);

// "NULL", "None", "NA", "N/A" (any case) or empty: the value is missing rather than malformed.
bool is_null_literal(std::string_view trimmed_field);

}  // namespace imu2clip::csv
