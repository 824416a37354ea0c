// The JSONL life-log import (storage/log_import.h): a bad line is Error(InvalidInput) naming the
// source, the line and (for a field's problem) the field; a good file's entries, written back as
// import lines, read back as the same entries.
#include <cstdint>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/time/time_zone.h"
#include "fuzz_support.h"
#include "storage/log_import.h"

using namespace imu2clip;

namespace {

constexpr int64_t kUser = 7;
const std::string kSource = "fuzz.jsonl";
constexpr int64_t kMaxDurationMs = 86'400'000;

// One import line per entry, as storage/log_export.cpp writes log lines (t as UTC ISO-8601 text:
// epoch seconds stop at 1e11, ISO text reaches the year 9999).
std::string write_back(const std::vector<LogEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    nlohmann::json line = {{"type", "log"},
                           {"t", format_iso8601(*e.t_utc_ms, "UTC")},
                           {"duration_s", static_cast<double>(e.duration_ms) / 1000.0},
                           {"labels", {e.text}},
                           {"modality", e.modality}};
    out += line.dump() + "\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::vector<LogEntry> entries;
  try {
    entries = parse_log_import(in, kUser, kSource);
  } catch (const Error& e) {
    fuzz::check_error(e);
    FUZZ_CHECK(e.kind() == ErrorKind::InvalidInput);
    FUZZ_CHECK(e.context().file == kSource);
    FUZZ_CHECK(e.context().line >= 1);
    return 0;
  }
  for (const auto& e : entries) {
    FUZZ_CHECK(e.user_id == kUser);
    FUZZ_CHECK(e.t_utc_ms.has_value());
    FUZZ_CHECK(!e.recording_id && !e.offset_ms);
    FUZZ_CHECK(e.duration_ms >= 0 && e.duration_ms <= kMaxDurationMs);
    FUZZ_CHECK(!e.modality.empty());
    FUZZ_CHECK(!e.text.empty() && e.text.find('\n') == std::string::npos);
  }
  std::istringstream again(write_back(entries));
  std::vector<LogEntry> reread;
  try {
    reread = parse_log_import(again, kUser, kSource);
  } catch (const Error& e) {
    std::fprintf(stderr, "written back: %s\n", e.what());
    FUZZ_CHECK(!"an imported file written back as import lines does not import");
  }
  FUZZ_CHECK(reread.size() == entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    FUZZ_CHECK(*reread[i].t_utc_ms == *entries[i].t_utc_ms);
    FUZZ_CHECK(reread[i].duration_ms == entries[i].duration_ms);
    FUZZ_CHECK(reread[i].modality == entries[i].modality);
    FUZZ_CHECK(reread[i].text == entries[i].text);
  }
  return 0;
}
