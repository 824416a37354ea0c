#pragma once
// Imported life-log lines (JSONL), e.g. converted from another logger or a dataset:
//   {"t": 1440115200 | "2015-08-20T17:00:00-07:00", "duration_s": 60, "labels": ["sitting", "at home"],
//    "modality": "context"}
// Each line becomes ONE LogEntry per label (text = label). duration_s defaults to 60 and modality
// to "context". Blank lines are skipped.
// A line may say what it is with "type": "log" lines are read as above; lines of any other type
// (an export's header, devices, recordings, windows: storage/log_export.h) are skipped and
// counted, so a whole export imports back as its log lines.
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "storage/records.h"

namespace imu2clip {

class LogStore;

struct ImportReport {
  int64_t lines = 0;              // non-blank input lines
  int64_t entries = 0;            // log entries added
  int64_t duplicates = 0;         // entries skipped because the user already had them
  int64_t skipped_records = 0;    // lines whose "type" is not "log" (e.g. an export's recordings)
  std::vector<std::string> errors;
};

// Throws Error(InvalidInput) naming line and field on the first bad line (nothing imported then).
// `source_name` (a file name, "request body") is used in error messages.
std::vector<LogEntry> parse_log_import(std::istream& in, int64_t user_id, const std::string& source_name);

// Parses `in` (as parse_log_import) and stores the entries in one transaction, skipping entries
// that exactly repeat one the user already has (same t_utc_ms, modality and text), so re-importing
// a file adds nothing. report.lines counts the non-blank lines read.
ImportReport import_log_entries(LogStore& store, std::istream& in, int64_t user_id, const std::string& source_name);

}  // namespace imu2clip
