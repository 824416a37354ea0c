#include "storage/log_import.h"

#include <cmath>
#include <algorithm>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_limits.h"
#include "common/strings.h"
#include "common/time/instant.h"
#include "storage/log_store.h"

namespace imu2clip {
namespace {

constexpr double kDefaultDurationS = 60.0;
// Log lines written per transaction by an import.
constexpr size_t kEntriesPerTransaction = 2'000;
// A log line describes at most a day; longer would overflow the ms arithmetic of queries
// over absurd spans and means a broken exporter.
constexpr double kMaxDurationS = 86'400.0;
// One log line is a small object; anything deeper or larger is not one.
constexpr JsonLimits kLineLimits{8, 10'000};
constexpr const char* kDefaultModality = "context";

[[noreturn]] void bad_line(const std::string& source, int64_t line, const std::string& field,
                           const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{source, line, field});
}

// The import format documents 't' as epoch SECONDS or ISO-8601 with a UTC offset (the file
// says nothing about the writer's zone, so local times are refused).
int64_t parse_time(const nlohmann::json& t, const std::string& source, int64_t line) {
  try {
    if (t.is_number() && !t.is_boolean()) return epoch_to_utc_ms(t.get<double>(), EpochUnit::Seconds, "t");
    if (t.is_string()) return parse_instant_utc_ms(t.get<std::string>(), EpochUnit::Seconds, std::nullopt, "t");
  } catch (const Error& e) {
    bad_line(source, line, "t", e.message());
  }
  bad_line(source, line, "t", "'t' must be epoch seconds or an ISO-8601 string with a UTC offset");
}

// Returns false for a line of another record type, which adds nothing.
bool parse_line(const std::string& text, int64_t line, int64_t user_id, const std::string& source,
                std::vector<LogEntry>& out) {
  nlohmann::json j;
  try {
    j = parse_json_limited(text, kLineLimits);
  } catch (const Error& e) {
    bad_line(source, line, "", e.message());
  } catch (const nlohmann::json::parse_error& e) {
    bad_line(source, line, "", std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) bad_line(source, line, "", "each line must be a JSON object like {\"t\": ..., \"labels\": [...]}");
  if (j.contains("type")) {
    if (!j["type"].is_string()) bad_line(source, line, "type", "'type' must be a string such as \"log\"");
    if (j["type"].get<std::string>() != "log") return false;
  }
  for (const auto& item : j.items()) {
    const auto& key = item.key();
    if (key != "type" && key != "t" && key != "duration_s" && key != "labels" && key != "modality") {
      bad_line(source, line, key, "unknown field '" + key + "'; the fields are type, t, duration_s, labels, modality");
    }
  }
  if (!j.contains("t")) bad_line(source, line, "t", "missing 't' (epoch seconds or ISO-8601 time)");
  int64_t t_utc_ms = parse_time(j["t"], source, line);

  double duration_s = kDefaultDurationS;
  if (j.contains("duration_s")) {
    const auto& d = j["duration_s"];
    if (!d.is_number() || d.is_boolean() || !std::isfinite(d.get<double>()) || d.get<double>() < 0 ||
        d.get<double>() > kMaxDurationS) {
      bad_line(source, line, "duration_s", "'duration_s' must be a number of seconds from 0 to 86400 (one day)");
    }
    duration_s = d.get<double>();
  }

  std::string modality = kDefaultModality;
  if (j.contains("modality")) {
    if (!j["modality"].is_string() || j["modality"].get<std::string>().empty()) {
      bad_line(source, line, "modality", "'modality' must be a non-empty string such as \"context\"");
    }
    modality = j["modality"].get<std::string>();
  }

  if (!j.contains("labels")) bad_line(source, line, "labels", "missing 'labels' (a list of label strings)");
  const auto& labels = j["labels"];
  if (!labels.is_array()) bad_line(source, line, "labels", "'labels' must be a list of strings");
  std::set<std::string> seen;
  for (size_t k = 0; k < labels.size(); ++k) {
    std::string field = "labels[" + std::to_string(k) + "]";
    if (!labels[k].is_string()) bad_line(source, line, field, "each label must be a string");
    std::string label = labels[k].get<std::string>();
    if (trim_view(label).empty()) bad_line(source, line, field, "a label must not be empty");
    if (label.find('\n') != std::string::npos) bad_line(source, line, field, "a label must be one line");
    if (!seen.insert(label).second) continue;  // the same label twice on one line is one entry
    LogEntry e;
    e.user_id = user_id;
    e.t_utc_ms = t_utc_ms;
    e.duration_ms = static_cast<int64_t>(std::llround(duration_s * 1000.0));
    e.modality = modality;
    e.text = label;
    out.push_back(std::move(e));
  }
  return true;
}

std::vector<LogEntry> parse_lines(std::istream& in, int64_t user_id, const std::string& source_name,
                                  int64_t& non_blank_lines, int64_t& skipped_records) {
  std::vector<LogEntry> out;
  std::string text;
  int64_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (trim_view(text).empty()) continue;
    ++non_blank_lines;
    if (!parse_line(text, line, user_id, source_name, out)) ++skipped_records;
  }
  if (in.bad()) throw Error(ErrorKind::Io, "could not read the import input", ErrorContext{source_name, line, ""});
  return out;
}

}  // namespace

std::vector<LogEntry> parse_log_import(std::istream& in, int64_t user_id, const std::string& source_name) {
  int64_t lines = 0, skipped = 0;
  return parse_lines(in, user_id, source_name, lines, skipped);
}

ImportReport import_log_entries(LogStore& store, std::istream& in, int64_t user_id, const std::string& source_name) {
  ImportReport report;
  std::vector<LogEntry> parsed = parse_lines(in, user_id, source_name, report.lines, report.skipped_records);
  if (parsed.empty()) return report;

  // In time order and in chunks, each its own transaction: a large import never holds the
  // write lock for long (other users' writes would time out waiting), and an import cut off
  // midway leaves whole chunks that a retry recognises as duplicates.
  std::stable_sort(parsed.begin(), parsed.end(),
                   [](const LogEntry& a, const LogEntry& b) { return *a.t_utc_ms < *b.t_utc_ms; });
  using Key = std::tuple<int64_t, std::string, std::string>;
  for (size_t begin = 0; begin < parsed.size(); begin += kEntriesPerTransaction) {
    const size_t end = std::min(parsed.size(), begin + kEntriesPerTransaction);
    // One indexed range query finds what the user already has in the chunk's time span
    // (including what earlier chunks just added).
    std::set<Key> existing;
    for (const auto& e : store.log().between(user_id, *parsed[begin].t_utc_ms, *parsed[end - 1].t_utc_ms + 1))
      existing.emplace(*e.t_utc_ms, e.modality, e.text);
    std::vector<LogEntry> fresh;
    fresh.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      LogEntry& e = parsed[i];
      if (existing.emplace(*e.t_utc_ms, e.modality, e.text).second) {
        fresh.push_back(std::move(e));
      } else {
        ++report.duplicates;
      }
    }
    if (!fresh.empty()) report.entries += store.log().add(fresh);
  }
  return report;
}

}  // namespace imu2clip
