#pragma once
// Export of one user's whole log as NDJSON (one JSON object a line), format version 1:
//   {"type":"imu2clip-export","version":1,"user":{"name","tz","created_utc"},"exported_utc"}
//   {"type":"device","id","name","kind"}
//   {"type":"recording","id","device_id","source_key","source_path","start_utc","tz","duration_s",
//    "modality","model_id","status","meta","segments":[{"start_s","end_s","label","mean_score",
//    "n_windows","modality"}]}
//   {"type":"window","recording_id","start_s","end_s","modality","valid","invalid_reason",
//    "labels":[{"label","score"}]}
//   {"type":"log","t","duration_s","labels":[text],"modality"}
//   {"type":"untimed_log","recording_id","offset_s","duration_s","labels":[text],"modality"}
// "log" lines are exactly what storage/log_import reads (import skips the other types), so an
// export imports back into any user's log. Lines of a recording whose start time is unknown
// have no wall-clock time; they are "untimed_log" lines, which import skips.
// Every table is read in pages (keyset queries of page_size rows) inside one read transaction:
// memory stays flat however long the log is, and the file is one consistent snapshot.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace imu2clip {

class LogStore;

inline constexpr int kExportFormatVersion = 1;
inline constexpr char kExportFormatTag[] = "imu2clip-export";

struct ExportCounts {
  int64_t devices = 0;
  int64_t recordings = 0;
  int64_t windows = 0;
  int64_t log_lines = 0;      // "log" lines (importable)
  int64_t untimed_lines = 0;  // "untimed_log" lines
  size_t largest_page = 0;    // most rows one query returned: never more than the page size
};

// Receives one NDJSON line (with its '\n'); returns false to stop (e.g. the client has gone).
using ExportSink = std::function<bool(const std::string& line)>;
// Called after each page with the counts so far (progress display); may be empty.
using ExportProgress = std::function<void(const ExportCounts&)>;

class LogExporter {
 public:
  explicit LogExporter(LogStore& store, size_t page_size = 1000);

  // Writes the user's export through `sink`; throws NotFound for an unknown user. Returns what
  // was written; stops early (counts so far) when the sink returns false.
  ExportCounts run(int64_t user_id, const ExportSink& sink, const ExportProgress& progress = {});

  size_t page_size() const { return page_size_; }

 private:
  LogStore& store_;
  size_t page_size_;
};

}  // namespace imu2clip
