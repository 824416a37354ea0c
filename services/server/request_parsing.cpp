#include "services/server/request_parsing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_limits.h"
#include "common/strings.h"
#include "common/time/instant.h"
#include "common/time/time_zone.h"
#include "services/server/http_error.h"
#include "tagger/io/csv_fields.h"
#include "tagger/io/csv_header_spec.h"
#include "tagger/io/imu_series.h"

namespace imu2clip::server {
namespace {

std::string type_name(const nlohmann::json& v) { return v.type_name(); }

// The common parser's InvalidInput as a 400 naming the field.
[[noreturn]] void rethrow_as_bad_request(const Error& e, const std::string& field) {
  throw bad_request("'" + field + "': " + e.message(), field);
}

int64_t checked_epoch_ms(double value, const std::string& field) {
  try {
    return epoch_to_utc_ms(value, EpochUnit::Milliseconds, field);
  } catch (const Error& e) {
    rethrow_as_bad_request(e, field);
  }
}

float checked_value(const nlohmann::json& v, const std::string& field) {
  if (!v.is_number())
    throw bad_request("'" + field + "' must be a number, got " + type_name(v), field);
  const double d = v.get<double>();
  if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max())
    throw bad_request("'" + field + "' must be a finite number", field);
  return static_cast<float>(d);
}

std::string sample_field(size_t i) { return "samples[" + std::to_string(i) + "]"; }

// Converts declared units to m/s^2 and rad/s; refuses undeclared g / deg/s with a 400.
void to_canonical_units(std::vector<std::array<float, 6>>& values, const ImuUnits& units, const ImuUnitFields& fields) {
  try {
    apply_imu_units(values, units, fields);
  } catch (const Error& e) {
    throw bad_request(e.message(), e.context().field);
  }
}

ImuUnits parse_units_json(const nlohmann::json& body) {
  ImuUnits units;
  auto it = body.find("units");
  if (it == body.end() || it->is_null()) return units;
  if (!it->is_object())
    throw bad_request("'units' must be an object such as {\"accel\": \"g\", \"gyro\": \"deg/s\"}", "units");
  for (const auto& [key, value] : it->items()) {
    const std::string field = "units." + key;
    if (key != "accel" && key != "gyro") throw bad_request("unknown key '" + field + "'; use 'accel' and 'gyro'", field);
    if (!value.is_string()) throw bad_request("'" + field + "' must be a string, got " + type_name(value), field);
    try {
      if (key == "accel") units.accel = parse_accel_unit(value.get<std::string>(), field);
      else units.gyro = parse_gyro_unit(value.get<std::string>(), field);
    } catch (const Error& e) {
      throw bad_request(e.message(), field);
    }
  }
  return units;
}

std::vector<std::array<float, 6>> parse_sample_rows(const nlohmann::json& body) {
  if (!body.contains("samples")) throw bad_request("missing 'samples': an array of [ax,ay,az,gx,gy,gz] rows", "samples");
  const auto& rows = body["samples"];
  if (!rows.is_array()) throw bad_request("'samples' must be an array of [ax,ay,az,gx,gy,gz] rows", "samples");
  if (rows.empty()) throw bad_request("'samples' is empty: send at least one sample", "samples");
  if (rows.size() > kMaxSamplesPerRequest)
    throw bad_request("'samples' has " + std::to_string(rows.size()) + " rows; send at most " +
                          std::to_string(kMaxSamplesPerRequest) + " per request",
                      "samples");
  std::vector<std::array<float, 6>> values(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (!row.is_array() || row.size() != 6)
      throw bad_request("'" + sample_field(i) + "' must be an array of 6 numbers [ax,ay,az,gx,gy,gz]", sample_field(i));
    for (size_t c = 0; c < 6; ++c) values[i][c] = checked_value(row[c], sample_field(i) + "[" + std::to_string(c) + "]");
  }
  return values;
}

}  // namespace

nlohmann::json parse_json_object(const std::string& body, size_t max_values) {
  nlohmann::json parsed;
  try {
    parsed = parse_json_limited(body, JsonLimits{kMaxJsonDepth, max_values});
  } catch (const Error& e) {
    throw bad_request("request body refused: " + e.message());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte says where; the library's full text repeats the id and is noisy.
    throw bad_request("request body is not valid JSON (near byte " + std::to_string(e.byte) + ")");
  }
  if (!parsed.is_object()) throw bad_request("request body must be a JSON object, got " + type_name(parsed));
  return parsed;
}

int64_t parse_instant_text(const std::string& text, const std::string& field, const std::string& tz) {
  try {
    return parse_instant_utc_ms(text, EpochUnit::Milliseconds,
                                tz.empty() ? std::nullopt : std::optional<std::string>(tz), field);
  } catch (const Error& e) {
    rethrow_as_bad_request(e, field);
  }
}

int64_t parse_instant(const nlohmann::json& value, const std::string& field, const std::string& tz) {
  if (value.is_string()) return parse_instant_text(value.get<std::string>(), field, tz);
  if (value.is_number()) return checked_epoch_ms(value.get<double>(), field);
  throw bad_request("'" + field + "' must be an ISO-8601 string or epoch milliseconds, got " + type_name(value), field);
}

std::string parse_tz_param(const std::optional<std::string>& tz, const std::string& fallback) {
  if (!tz) return fallback;
  if (!is_valid_time_zone(*tz)) {
    try {
      validate_time_zone(*tz);
    } catch (const Error& e) {
      throw bad_request("'tz': " + e.message(), "tz");
    }
  }
  return *tz;
}

bool parse_bool_text(const std::string& text, const std::string& field) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw bad_request("'" + field + "' must be true or false", field);
}

int64_t parse_id_text(const std::string& text, const std::string& field) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    throw bad_request("'" + field + "' must be a positive integer", field);
  const int64_t id = std::stoll(text);
  if (id <= 0) throw bad_request("'" + field + "' must be a positive integer", field);
  return id;
}

std::optional<std::string> optional_string(const nlohmann::json& object, const std::string& key, size_t max_length) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw bad_request("'" + key + "' must be a string, got " + type_name(*it), key);
  auto value = it->get<std::string>();
  if (value.empty()) throw bad_request("'" + key + "' must not be empty", key);
  if (value.size() > max_length)
    throw bad_request("'" + key + "' is longer than " + std::to_string(max_length) + " characters", key);
  return value;
}

std::optional<bool> optional_bool(const nlohmann::json& object, const std::string& key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) throw bad_request("'" + key + "' must be true or false, got " + type_name(*it), key);
  return it->get<bool>();
}

ImuSamples parse_imu_json(const nlohmann::json& body, const std::string& tz) {
  ImuSamples out;
  out.device = optional_string(body, "device").value_or("default");
  out.device_kind = optional_string(body, "device_kind").value_or("unknown");
  out.values = parse_sample_rows(body);
  const size_t n = out.values.size();

  const bool has_times = body.contains("t_utc_ms") && !body["t_utc_ms"].is_null();
  const bool has_start = body.contains("start") && !body["start"].is_null();
  if (has_times == has_start)
    throw bad_request("give either 't_utc_ms' (one time per sample) or 'start' with 'rate_hz'",
                      has_times ? "start" : "t_utc_ms");
  out.t_utc_ms.resize(n);
  if (has_times) {
    const auto& times = body["t_utc_ms"];
    if (!times.is_array()) throw bad_request("'t_utc_ms' must be an array of epoch milliseconds", "t_utc_ms");
    if (times.size() != n)
      throw bad_request("'t_utc_ms' has " + std::to_string(times.size()) + " times for " + std::to_string(n) +
                            " samples; give one per sample",
                        "t_utc_ms");
    for (size_t i = 0; i < n; ++i) {
      const std::string field = "t_utc_ms[" + std::to_string(i) + "]";
      if (!times[i].is_number()) throw bad_request("'" + field + "' must be a number", field);
      out.t_utc_ms[i] = checked_epoch_ms(times[i].get<double>(), field);
      if (i > 0 && out.t_utc_ms[i] <= out.t_utc_ms[i - 1])
        throw bad_request("'" + field + "' is not after the previous time: times must increase strictly", field);
    }
  } else {
    const int64_t start = parse_instant(body["start"], "start", tz);
    // ISO text reaches back to year 0; sample times, like t_utc_ms, start in 1970.
    if (start < 0) throw bad_request("'start' is before 1970; give the time the samples were recorded", "start");
    if (!body.contains("rate_hz")) throw bad_request("'start' needs 'rate_hz' (samples per second)", "rate_hz");
    const auto& rate = body["rate_hz"];
    if (!rate.is_number()) throw bad_request("'rate_hz' must be a number", "rate_hz");
    const double hz = rate.get<double>();
    // Above 1 kHz consecutive samples would share a millisecond.
    // Below 1 Hz there is no motion to tag, and the sample times would leave any range.
    if (!std::isfinite(hz) || hz < 1 || hz > 1000)
      throw bad_request("'rate_hz' must be from 1 to 1000", "rate_hz");
    for (size_t i = 0; i < n; ++i) out.t_utc_ms[i] = start + std::llround(static_cast<double>(i) * 1000.0 / hz);
    if (out.t_utc_ms.back() > kMaxEpochMs) throw bad_request("'start' plus the samples runs past year 9999", "start");
  }
  to_canonical_units(out.values, parse_units_json(body),
                     {"units.accel", "\"units\": {\"accel\": \"g\"}", "units.gyro", "\"units\": {\"gyro\": \"deg/s\"}"});
  return out;
}

ImuUnits parse_units_params(const std::optional<std::string>& accel_units, const std::optional<std::string>& gyro_units) {
  ImuUnits units;
  try {
    if (accel_units) units.accel = parse_accel_unit(*accel_units, "accel_units");
    if (gyro_units) units.gyro = parse_gyro_unit(*gyro_units, "gyro_units");
  } catch (const Error& e) {
    throw bad_request(e.message(), e.context().field);
  }
  return units;
}

ImuUnitFields query_unit_fields() { return {"accel_units", "accel_units=g", "gyro_units", "gyro_units=deg/s"}; }

ImuSamples parse_imu_csv(const std::string& body, int64_t start_utc_ms, const std::string& device,
                         const std::string& device_kind, const ImuUnits& units) {
  ImuSamples out;
  out.device = device;
  out.device_kind = device_kind;
  std::istringstream in(body);
  std::string line;
  std::vector<std::string_view> fields;
  int time_col = -1;
  double time_to_ms = 1.0;
  int channel_col[6] = {-1, -1, -1, -1, -1, -1};
  size_t needed_fields = 0;
  int64_t line_no = 0;
  auto fail = [&](const std::string& message, const std::string& field) -> HttpError {
    return bad_request("CSV line " + std::to_string(line_no) + ": " + message, field);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (trim_view(line).empty()) continue;
    split_views(line, ',', fields);
    if (time_col < 0) {
      for (size_t i = 0; i < fields.size(); ++i) {
        const std::string name = csv::normalize_header_name(fields[i]);
        if (const double to_ms = csv::time_column_to_ms(name); to_ms > 0) {
          time_col = static_cast<int>(i);
          time_to_ms = to_ms;
        }
        const int c = csv::channel_of_name(name);
        if (c >= 0) channel_col[c] = static_cast<int>(i);
      }
      if (time_col < 0) {
        std::vector<std::string> names;
        for (const auto& n : csv::time_column_names()) names.emplace_back(n.name);
        throw fail("the header needs a time column (t_ms,ax,ay,az,gx,gy,gz); accepted names: " + join(names, ", "),
                   "t_ms");
      }
      needed_fields = static_cast<size_t>(time_col) + 1;
      for (int c = 0; c < 6; ++c) {
        if (channel_col[c] < 0) throw fail(std::string("the header has no '") + imu_channel_name(c) + "' column", imu_channel_name(c));
        needed_fields = std::max(needed_fields, static_cast<size_t>(channel_col[c]) + 1);
      }
      continue;
    }
    if (fields.size() < needed_fields)
      throw fail("has " + std::to_string(fields.size()) + " fields, the header needs " + std::to_string(needed_fields), "");
    double t_value = 0;
    if (csv::parse_double(fields[time_col], t_value) != csv::Parse::Ok || !std::isfinite(t_value))
      throw fail("the time is not a number", "t_ms");
    // The same range as JSON times (1970 to 9999), checked before any integer arithmetic.
    const double t_abs = static_cast<double>(start_utc_ms) + t_value * time_to_ms;
    if (!(t_abs >= 0.0 && t_abs <= static_cast<double>(kMaxEpochMs)))
      throw fail("the time puts the sample outside 1970 to 9999 (relative to 'start')", "t_ms");
    const int64_t t = std::llround(t_abs);
    if (!out.t_utc_ms.empty() && t <= out.t_utc_ms.back()) throw fail("t_ms does not increase", "t_ms");
    std::array<float, 6> row{};
    for (int c = 0; c < 6; ++c) {
      float v = 0;
      if (csv::parse_float(fields[channel_col[c]], v) != csv::Parse::Ok || !std::isfinite(v))
        throw fail(std::string(imu_channel_name(c)) + " must be a finite number", imu_channel_name(c));
      row[c] = v;
    }
    out.t_utc_ms.push_back(t);
    out.values.push_back(row);
    if (out.values.size() > kMaxSamplesPerRequest)
      throw bad_request("more than " + std::to_string(kMaxSamplesPerRequest) + " samples; split the upload", "body");
  }
  if (time_col < 0) throw bad_request("CSV body is empty: send a header t_ms,ax,ay,az,gx,gy,gz and rows", "body");
  if (out.values.empty()) throw bad_request("CSV body has a header but no samples", "body");
  to_canonical_units(out.values, units, query_unit_fields());
  return out;
}

}  // namespace imu2clip::server
