#include "storage/log_export.h"

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/time/time_zone.h"
#include "storage/log_store.h"
#include "storage/sqlite_db.h"

namespace imu2clip {
namespace {

// Instants in the file are ISO-8601 UTC: readable, and what log import accepts for 't'.
std::string utc_text(int64_t utc_ms) { return format_iso8601(utc_ms, "UTC"); }

nlohmann::json optional_utc(const std::optional<int64_t>& utc_ms) {
  return utc_ms ? nlohmann::json(utc_text(*utc_ms)) : nlohmann::json(nullptr);
}

// Writes lines until the sink refuses one; counts pages so the caller can prove they are bounded.
class Writer {
 public:
  Writer(const ExportSink& sink, const ExportProgress& progress, ExportCounts& counts)
      : sink_(sink), progress_(progress), counts_(counts) {}
  bool ok() const { return ok_; }
  void line(const nlohmann::json& j) {
    if (ok_) ok_ = sink_(j.dump() + "\n");
  }
  void page_done(size_t rows) {
    counts_.largest_page = std::max(counts_.largest_page, rows);
    if (progress_) progress_(counts_);
  }

 private:
  const ExportSink& sink_;
  const ExportProgress& progress_;
  ExportCounts& counts_;
  bool ok_ = true;
};

void export_devices(Database& db, int64_t user_id, int64_t page, Writer& out, ExportCounts& counts) {
  int64_t after = 0;
  for (size_t rows = page; rows == static_cast<size_t>(page) && out.ok();) {
    Statement s = db.prepare("SELECT id, name, kind FROM devices WHERE user_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
    s.bind_all(user_id, after, page);
    rows = 0;
    while (s.step() && out.ok()) {
      ++rows;
      after = s.column_int64(0);
      out.line({{"type", "device"}, {"id", after}, {"name", s.column_text(1)}, {"kind", s.column_text(2)}});
      ++counts.devices;
    }
    out.page_done(rows);
  }
}

nlohmann::json recording_segments(Database& db, int64_t recording_id) {
  Statement s = db.prepare(
      "SELECT start_s, end_s, label, mean_score, n_windows, modality FROM segments "
      "WHERE recording_id = ?1 ORDER BY start_s, id");
  s.bind_all(recording_id);
  nlohmann::json out = nlohmann::json::array();
  while (s.step()) {
    out.push_back({{"start_s", s.column_double(0)},
                   {"end_s", s.column_double(1)},
                   {"label", s.column_text(2)},
                   {"mean_score", s.column_double(3)},
                   {"n_windows", s.column_int64(4)},
                   {"modality", s.column_text(5)}});
  }
  return out;
}

void export_recordings(Database& db, int64_t user_id, int64_t page, Writer& out, ExportCounts& counts) {
  int64_t after = 0;
  for (size_t rows = page; rows == static_cast<size_t>(page) && out.ok();) {
    std::vector<nlohmann::json> lines;
    {
      Statement s = db.prepare(
          "SELECT id, device_id, source_key, source_path, start_utc_ms, tz, duration_s, modality, model_id, "
          "status, meta_json FROM recordings WHERE user_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
      s.bind_all(user_id, after, page);
      while (s.step()) {
        after = s.column_int64(0);
        auto device = s.column_optional_int64(1);
        lines.push_back({{"type", "recording"},
                         {"id", after},
                         {"device_id", device ? nlohmann::json(*device) : nlohmann::json(nullptr)},
                         {"source_key", s.column_text(2)},
                         {"source_path", s.column_text(3)},
                         {"start_utc", optional_utc(s.column_optional_int64(4))},
                         {"tz", s.column_text(5)},
                         {"duration_s", s.column_double(6)},
                         {"modality", s.column_text(7)},
                         {"model_id", s.column_text(8)},
                         {"status", s.column_text(9)},
                         {"meta", nlohmann::json::parse(s.column_text(10))}});
      }
    }
    rows = lines.size();
    for (auto& line : lines) {
      if (!out.ok()) break;
      line["segments"] = recording_segments(db, line["id"].get<int64_t>());
      out.line(line);
      ++counts.recordings;
    }
    out.page_done(rows);
  }
}

void export_windows(Database& db, int64_t user_id, int64_t page, Writer& out, ExportCounts& counts) {
  int64_t after = 0;
  for (size_t rows = page; rows == static_cast<size_t>(page) && out.ok();) {
    // A page of windows (by id), joined with their labels best first.
    Statement s = db.prepare(
        "SELECT w.id, w.recording_id, w.start_s, w.end_s, w.modality, w.valid, w.invalid_reason, l.label, l.score "
        "FROM (SELECT w.* FROM windows w JOIN recordings r ON r.id = w.recording_id "
        "      WHERE r.user_id = ?1 AND w.id > ?2 ORDER BY w.id LIMIT ?3) w "
        "LEFT JOIN window_labels l ON l.window_id = w.id ORDER BY w.id, l.rank");
    s.bind_all(user_id, after, page);
    rows = 0;
    nlohmann::json current;
    auto flush = [&] {
      if (current.is_null()) return;
      out.line(current);
      ++counts.windows;
      current = nullptr;
    };
    while (s.step() && out.ok()) {
      const int64_t id = s.column_int64(0);
      if (id != after || current.is_null()) {
        flush();
        ++rows;
        after = id;
        current = {{"type", "window"},
                   {"recording_id", s.column_int64(1)},
                   {"start_s", s.column_double(2)},
                   {"end_s", s.column_double(3)},
                   {"modality", s.column_text(4)},
                   {"valid", s.column_int64(5) != 0},
                   {"invalid_reason", s.column_text(6)},
                   {"labels", nlohmann::json::array()}};
      }
      if (!s.column_is_null(7))
        current["labels"].push_back({{"label", s.column_text(7)}, {"score", s.column_double(8)}});
    }
    flush();
    out.page_done(rows);
  }
}

// Lines with a wall-clock time, in time order (keyset on (t_utc_ms, id): the user/time index).
void export_timed_lines(Database& db, int64_t user_id, int64_t page, Writer& out, ExportCounts& counts) {
  int64_t after_t = INT64_MIN, after_id = 0;
  for (size_t rows = page; rows == static_cast<size_t>(page) && out.ok();) {
    Statement s = db.prepare(
        "SELECT id, t_utc_ms, duration_ms, modality, text FROM log_entries "
        "WHERE user_id = ?1 AND t_utc_ms IS NOT NULL AND (t_utc_ms > ?2 OR (t_utc_ms = ?2 AND id > ?3)) "
        "ORDER BY t_utc_ms, id LIMIT ?4");
    s.bind_all(user_id, after_t, after_id, page);
    rows = 0;
    while (s.step() && out.ok()) {
      ++rows;
      after_id = s.column_int64(0);
      after_t = s.column_int64(1);
      out.line({{"type", "log"},
                {"t", utc_text(after_t)},
                {"duration_s", s.column_int64(2) / 1000.0},
                {"labels", {s.column_text(4)}},
                {"modality", s.column_text(3)}});
      ++counts.log_lines;
    }
    out.page_done(rows);
  }
}

// Lines of recordings whose start time is unknown: by recording and offset.
void export_untimed_lines(Database& db, int64_t user_id, int64_t page, Writer& out, ExportCounts& counts) {
  int64_t after_id = 0;
  for (size_t rows = page; rows == static_cast<size_t>(page) && out.ok();) {
    Statement s = db.prepare(
        "SELECT id, recording_id, offset_ms, duration_ms, modality, text FROM log_entries "
        "WHERE user_id = ?1 AND t_utc_ms IS NULL AND id > ?2 ORDER BY id LIMIT ?3");
    s.bind_all(user_id, after_id, page);
    rows = 0;
    while (s.step() && out.ok()) {
      ++rows;
      after_id = s.column_int64(0);
      auto recording = s.column_optional_int64(1);
      auto offset = s.column_optional_int64(2);
      out.line({{"type", "untimed_log"},
                {"recording_id", recording ? nlohmann::json(*recording) : nlohmann::json(nullptr)},
                {"offset_s", offset ? nlohmann::json(*offset / 1000.0) : nlohmann::json(nullptr)},
                {"duration_s", s.column_int64(3) / 1000.0},
                {"labels", {s.column_text(5)}},
                {"modality", s.column_text(4)}});
      ++counts.untimed_lines;
    }
    out.page_done(rows);
  }
}

}  // namespace

LogExporter::LogExporter(LogStore& store, size_t page_size) : store_(store), page_size_(page_size) {
  if (page_size_ == 0) throw Error(ErrorKind::InvalidInput, "the export page size must be at least 1 row");
}

ExportCounts LogExporter::run(int64_t user_id, const ExportSink& sink, const ExportProgress& progress) {
  Database& db = store_.database();
  // One read transaction: every page sees the same snapshot, so a line written meanwhile
  // cannot appear twice or half.
  Transaction snapshot(db, Transaction::Mode::Deferred);
  const UserRow user = store_.users().get(user_id);
  ExportCounts counts;
  Writer out(sink, progress, counts);
  out.line({{"type", kExportFormatTag},
            {"version", kExportFormatVersion},
            {"user", {{"name", user.name}, {"tz", user.tz}, {"created_utc", utc_text(user.created_utc_ms)}}},
            {"exported_utc", utc_text(now_utc_ms())}});
  const auto page = static_cast<int64_t>(page_size_);
  export_devices(db, user_id, page, out, counts);
  export_recordings(db, user_id, page, out, counts);
  export_windows(db, user_id, page, out, counts);
  export_timed_lines(db, user_id, page, out, counts);
  export_untimed_lines(db, user_id, page, out, counts);
  return counts;
}

}  // namespace imu2clip
