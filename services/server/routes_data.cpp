// The user's data: who am I, live IMU ingest, log import and export, log lines and the day
// timeline.
#include <cctype>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "common/time/local_calendar.h"
#include "common/time/time_zone.h"
#include "services/server/log_listing.h"
#include "services/server/request_parsing.h"
#include "services/server/router.h"
#include "services/server/timeline.h"
#include "storage/log_export.h"
#include "storage/log_import.h"

namespace imu2clip::server {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int64_t kMaxLogSpanMs = 400 * kDayMs;
constexpr int64_t kMaxClockAheadMs = kDayMs;

// ?tz= overrides the user's zone for display; it must be a real zone.
std::string display_tz(const Call& call) { return parse_tz_param(call.query("tz"), call.user.tz); }

bool is_csv(const std::string& content_type) { return starts_with(content_type, "text/csv"); }

void ingest_imu(Call& call) {
  const std::string content_type = call.req.get_header_value("Content-Type");
  ImuSamples samples;
  if (is_csv(content_type)) {
    auto start = call.query("start");
    if (!start) throw bad_request("a CSV upload needs ?start=ISO-8601 (or epoch ms): the time of t_ms = 0", "start");
    const int64_t start_ms = parse_instant_text(*start, "start", call.user.tz);
    auto device = call.query("device").value_or("default");
    auto kind = call.query("device_kind").value_or("unknown");
    if (device.empty() || device.size() > 200) throw bad_request("'device' must have 1 to 200 characters", "device");
    if (kind.empty() || kind.size() > 200) throw bad_request("'device_kind' must have 1 to 200 characters", "device_kind");
    const ImuUnits units = parse_units_params(call.query("accel_units"), call.query("gyro_units"));
    samples = parse_imu_csv(call.body, start_ms, device, kind, units);
  } else if (content_type.empty() || content_type.find("json") != std::string::npos) {
    samples = parse_imu_json(parse_json_object(call.body, kMaxImuJsonValues), call.user.tz);
  } else {
    throw bad_request("Content-Type must be application/json or text/csv, got '" + content_type + "'", "Content-Type");
  }
  // Live samples come from a clock near the server's. One far in the future would block the
  // device: each later batch must continue after it.
  if (!samples.t_utc_ms.empty() && samples.t_utc_ms.back() > now_utc_ms() + kMaxClockAheadMs)
    throw bad_request("the samples end more than a day after the server's clock (" +
                          format_iso8601(samples.t_utc_ms.back(), "UTC") +
                          "); check the device's clock, or upload a file with POST /v1/recordings",
                      "t_utc_ms");
  const IngestResult result = call.state.live->ingest(call.user.id, samples);
  call.send_json(202, {{"accepted", result.accepted},
                       {"recording_id", result.recording_id},
                       {"pending_windows", result.pending_windows}});
}

void import_logs(Call& call) {
  const std::string name = call.query("name").value_or("request body");
  std::istringstream in(call.body);
  auto store = call.state.stores->borrow();
  const ImportReport report = import_log_entries(*store, in, call.user.id, name);
  call.send_json(200, {{"imported", report.entries}, {"lines", report.lines}, {"duplicates", report.duplicates},
                       {"skipped_records", report.skipped_records}});
}

void list_logs(Call& call) {
  const std::string tz = display_tz(call);
  const auto to_text = call.query("to");
  const int64_t to = to_text ? parse_instant_text(*to_text, "to", tz) : now_utc_ms() + 1;
  const auto from_text = call.query("from");
  const int64_t from = from_text ? parse_instant_text(*from_text, "from", tz) : to - kDayMs;
  if (from >= to) throw bad_request("'from' must be before 'to'", "from");
  if (to - from > kMaxLogSpanMs) throw bad_request("ask for at most 400 days at a time", "from");
  int64_t limit = 100000;
  if (auto l = call.query("limit")) {
    limit = parse_id_text(*l, "limit");
    if (limit > 100000) throw bad_request("'limit' is at most 100000", "limit");
  }

  std::vector<LogEntry> entries;
  {
    auto store = call.state.stores->borrow();
    // One more than asked for tells whether the listing was cut.
    entries = store->log().between(call.user.id, from, to, limit + 1);
  }
  const bool truncated = static_cast<int64_t>(entries.size()) > limit;
  if (truncated) entries.resize(static_cast<size_t>(limit));
  call.send_json(200, log_listing_json(entries, tz, truncated));
}

void timeline(Call& call) {
  const std::string tz = display_tz(call);
  const std::string date = call.query("date").value_or(to_iso(local_date_of(now_utc_ms(), tz)));
  int64_t day_start = 0, day_end = 0;
  try {
    const LocalDate day = parse_local_date(date);
    day_start = day_start_utc_ms(day, tz);
    day_end = day_end_utc_ms(day, tz);
  } catch (const Error& e) {
    throw bad_request("'date' must be YYYY-MM-DD: " + e.message(), "date");
  }
  std::vector<LogEntry> entries;
  {
    auto store = call.state.stores->borrow();
    // Lines that started the evening before may run past midnight.
    entries = store->log().between(call.user.id, day_start - kDayMs, day_end);
  }
  call.send_json(200, timeline_json(date, tz, day_start, build_timeline(entries, day_start, day_end)));
}

// A file name for the export that any browser or shell takes: the user's name reduced to
// [A-Za-z0-9_-].
std::string export_file_name(const std::string& user) {
  std::string safe;
  for (char c : user) safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return "imu2clip-export-" + safe + ".ndjson";
}

// Streams the user's whole log (storage/log_export.h) as chunks of about kExportChunkBytes: the
// exporter reads pages and the socket write blocks, so memory stays flat for any log size.
constexpr size_t kExportChunkBytes = 64 * 1024;

void export_log(Call& call) {
  // The stream's own connection, held until the last chunk: the worker's other borrowings
  // are short, and this one spans the whole (possibly slow) download.
  auto store = std::make_shared<StorePool::Lease>(call.state.stores->borrow());
  const int64_t user_id = call.user.id;
  const std::string request_id = request_scope().id;
  call.res.status = 200;
  call.res.set_header("Content-Disposition", "attachment; filename=\"" + export_file_name(call.user.name) + "\"");
  call.res.set_header("Cache-Control", "no-store");
  call.res.set_chunked_content_provider(
      "application/x-ndjson", [store, user_id, request_id](size_t, httplib::DataSink& sink) {
        std::string chunk;
        bool connected = true;
        auto flush = [&] {
          connected = connected && (chunk.empty() || sink.write(chunk.data(), chunk.size()));
          chunk.clear();
          return connected;
        };
        try {
          LogExporter(**store).run(user_id, [&](const std::string& line) {
            chunk += line;
            return chunk.size() < kExportChunkBytes || flush();
          });
        } catch (...) {
          // The status line is gone: a last line says the file is incomplete.
          const HttpError error = http_error_from_exception(std::current_exception(), request_id);
          nlohmann::json line = error_json(error);
          line["type"] = "error";
          chunk += line.dump() + "\n";
        }
        if (flush()) sink.done();
        return connected;
      });
}

}  // namespace

void add_data_routes(Router& router) {
  const ServerOptions& o = router.state().options;
  router.add({"GET", "/v1/me", "/v1/me"}, [](Call& call) {
    call.send_json(200, {{"user", call.user.name}, {"id", call.user.id}, {"tz", call.user.tz}});
  });
  router.add({"POST", "/v1/imu", "/v1/imu", true, BodyMode::Buffered, o.max_ingest_bytes}, ingest_imu);
  router.add({"POST", "/v1/logs/import", "/v1/logs/import", true, BodyMode::Buffered, o.max_ingest_bytes}, import_logs);
  router.add({"GET", "/v1/logs", "/v1/logs"}, list_logs);
  router.add({"GET", "/v1/export", "/v1/export"}, export_log);
  router.add({"GET", "/v1/timeline", "/v1/timeline"}, timeline);
}

}  // namespace imu2clip::server
