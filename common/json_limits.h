#pragma once
// JSON from clients, parsed with limits. nlohmann's DOM costs tens of bytes per input byte for
// nested arrays ("[[[[..." or "[[],[],[]...") and has no depth bound, so a body within its
// route's byte limit could still cost gigabytes. These limits stop the parse as it reaches them,
// before the values beyond them are built.
#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace imu2clip {

struct JsonLimits {
  int max_depth = 16;            // nesting of arrays and objects
  size_t max_values = 100'000;   // scalars, arrays and objects, all counted
};

// Throws Error(InvalidInput) naming the limit that was reached or for a number too large for a
// double (1e400), and nlohmann::json::parse_error for text that is not JSON (callers word that
// for their input).
nlohmann::json parse_json_limited(std::string_view text, const JsonLimits& limits);

}  // namespace imu2clip
