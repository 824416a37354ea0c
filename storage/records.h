#pragma once
// The rows the log store reads and writes, as plain structs. Instants are UTC milliseconds
// since the Unix epoch (*_utc_ms); times inside a recording are seconds from its start (*_s).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace imu2clip {

struct UserRow {
  int64_t id = 0;
  std::string name;
  std::string tz;                         // IANA zone used to display this user's log
  std::optional<std::string> token_hash;  // for API authentication; never the token itself
  int64_t created_utc_ms = 0;
};

struct DeviceRow {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;  // e.g. "left wrist watch"
  std::string kind;  // e.g. "watch", "glasses", "phone"
};

struct RecordingRow {
  int64_t id = 0;  // assigned by create_recording
  int64_t user_id = 0;
  std::optional<int64_t> device_id;
  std::string source_key;   // stable identity of the input (e.g. a content hash or dataset key)
  std::string source_path;  // where it was read from, for the user's reference
  std::optional<int64_t> start_utc_ms;  // wall-clock start; nullopt when the file does not say
  std::string tz;                       // IANA zone the recording was made in
  double duration_s = 0;
  std::string modality = "imu";
  std::string model_id;
  std::string status = "tagging";  // "tagging" until complete_recording, then "complete"
  double tagged_until_s = 0;       // windows up to here are stored: resume point after a crash
  nlohmann::json meta = nlohmann::json::object();
  int64_t created_utc_ms = 0;  // set by the store
  int64_t updated_utc_ms = 0;  // set by the store
};

struct WindowLabel {
  std::string label;
  float score = 0;
};

struct WindowTag {
  double start_s = 0;
  double end_s = 0;
  std::string modality = "imu";
  bool valid = true;           // false when the window could not be tagged (gap, clipping, ...)
  std::string invalid_reason;  // why, when !valid
  std::vector<WindowLabel> labels;  // best first (top-k)
  // The encoder's unit embedding as IEEE fp16 bits (tagger/model/float16.h), kept for search;
  // empty when the window was not encoded (invalid, quiet audio). Valid windows only.
  std::vector<uint16_t> embedding_f16;
};

// Consecutive windows that share their best label, merged.
struct Segment {
  double start_s = 0;
  double end_s = 0;
  std::string label;
  float mean_score = 0;
  int64_t n_windows = 0;
  std::string modality = "imu";
};

// LogEntry::modality of what the microphone heard ("[15:50] Audio: person speaking"); motion is
// "imu", imported lines default to "context".
inline constexpr char kAudioModality[] = "audio";

// One line of the user's log: "[15:50] Motion: sitting".
struct LogEntry {
  int64_t id = 0;  // assigned by the store
  int64_t user_id = 0;
  std::optional<int64_t> recording_id;  // set for lines derived from a recording
  // Wall-clock instant; nullopt for a recording whose start time is unknown.
  std::optional<int64_t> t_utc_ms;
  // Time since the recording's start; set for lines derived from a recording.
  std::optional<int64_t> offset_ms;
  int64_t duration_ms = 0;
  std::string modality = "imu";
  std::string text;
};

}  // namespace imu2clip
