#pragma once
// Turning request bodies and query strings into validated values. Every failure is an
// HttpError 400 that names the field ("samples[3][2]", "start", "from") and says what is
// expected, so a client developer can fix the request from the message alone.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "tagger/io/imu_units.h"
#include "tagger/live/live_input.h"

namespace imu2clip::server {

// Client JSON is nested at most this deep (the deepest body, /v1/chat/completions, needs 4).
constexpr int kMaxJsonDepth = 16;
// Values (scalars, arrays, objects) a JSON body may hold: enough for any question or chat.
constexpr size_t kMaxJsonValues = 100'000;

// The body as a JSON object (400 for invalid JSON, another JSON type, or a body deeper or
// larger in values than the limits: refused while parsing, before the excess is built).
nlohmann::json parse_json_object(const std::string& body, size_t max_values = kMaxJsonValues);

// An instant given as ISO-8601 text (an offset, or local time in `tz`) or as integer epoch
// milliseconds (JSON number, or digits in a query string).
int64_t parse_instant(const nlohmann::json& value, const std::string& field, const std::string& tz);
int64_t parse_instant_text(const std::string& text, const std::string& field, const std::string& tz);

// The zone a query's ?tz= names (400 unless it is a real IANA zone), else `fallback` (the
// user's zone).
std::string parse_tz_param(const std::optional<std::string>& tz, const std::string& fallback);

// "true"/"false"/"1"/"0" (query strings).
bool parse_bool_text(const std::string& text, const std::string& field);
// A whole positive integer such as a job id in a path.
int64_t parse_id_text(const std::string& text, const std::string& field);

// Optional string member: absent or null -> nullopt; wrong type, empty, or longer than
// max_length -> 400.
std::optional<std::string> optional_string(const nlohmann::json& object, const std::string& key,
                                           size_t max_length = 200);
// Optional boolean member.
std::optional<bool> optional_bool(const nlohmann::json& object, const std::string& key);

// POST /v1/imu JSON: {"device"?, "device_kind"?, "samples": [[ax,ay,az,gx,gy,gz], ...],
// "units"?: {"accel"?: "m/s^2"|"g", "gyro"?: "rad/s"|"deg/s"}} with either "t_utc_ms": [...]
// (one per sample) or "start" + "rate_hz" (<= 1000 Hz). `tz` reads a "start" given without an
// offset. The samples come back in m/s^2 and rad/s: declared units are converted, undeclared
// ones that are clearly g / deg/s are refused (tagger/io/imu_units.h), field "units.accel" /
// "units.gyro".
ImuSamples parse_imu_json(const nlohmann::json& body, const std::string& tz);

// The units of a CSV body or an uploaded file, from the query parameters (or form fields)
// accel_units and gyro_units; absent = not declared. 400 for an unknown unit.
ImuUnits parse_units_params(const std::optional<std::string>& accel_units, const std::optional<std::string>& gyro_units);
// How query-parameter clients declare units, for the messages of a refused batch or file.
ImuUnitFields query_unit_fields();

// POST /v1/imu text/csv: header with t_ms (or time_ms / timestamp_ms) and ax ay az gx gy gz
// (acc_x / gyro_x style aliases accepted, any order, extra columns ignored); t_ms counts from
// `start_utc_ms`. Values must be finite numbers; time must increase strictly. `units` as for
// JSON, declared by ?accel_units= / ?gyro_units=.
ImuSamples parse_imu_csv(const std::string& body, int64_t start_utc_ms, const std::string& device,
                         const std::string& device_kind, const ImuUnits& units = {});

// The largest batch one request may carry (a day at 50 Hz is 4.3 M; a request is meant to be a
// few seconds to minutes of data).
constexpr size_t kMaxSamplesPerRequest = 1'000'000;
// A /v1/imu JSON body: per sample its array and 6 numbers (and a time), plus the few fields.
constexpr size_t kMaxImuJsonValues = 8 * kMaxSamplesPerRequest + 1024;

}  // namespace imu2clip::server
