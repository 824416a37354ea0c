#include "common/json_limits.h"

#include <string>

#include "common/error.h"

namespace imu2clip {

nlohmann::json parse_json_limited(std::string_view text, const JsonLimits& limits) {
  size_t values = 0;
  const auto guard = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start || event == Event::array_start) {
      // `depth` is that of the container being opened's parent.
      if (depth + 1 > limits.max_depth)
        throw Error(ErrorKind::InvalidInput,
                    "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels");
    }
    if (event == Event::object_start || event == Event::array_start || event == Event::value) {
      if (++values > limits.max_values)
        throw Error(ErrorKind::InvalidInput,
                    "JSON with more than " + std::to_string(limits.max_values) + " values; send less per request");
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), guard);
  } catch (const nlohmann::json::out_of_range& e) {
    // The parser's only out_of_range is a number beyond a double (1e400): valid JSON syntax, so
    // not a parse_error, but no value this program can hold.
    throw Error(ErrorKind::InvalidInput,
                std::string("JSON number too large for a double: ") + e.what());
  }
}

}  // namespace imu2clip
