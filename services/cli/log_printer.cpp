#include "services/cli/log_printer.h"

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "common/time/duration_format.h"
#include "common/time/time_zone.h"
#include "storage/log_format.h"
#include "storage/log_store.h"

namespace imu2clip::cli {
namespace {

struct Recorded {
  RecordingRow recording;
  std::vector<LogEntry> entries;
  // Wall-clock end: the recording's length, or its last line's end while it is still growing
  // (a live recording's length is only known when it completes).
  int64_t end_utc_ms() const {
    int64_t end = *recording.start_utc_ms + static_cast<int64_t>(recording.duration_s * 1000);
    for (const auto& e : entries) {
      if (e.t_utc_ms) end = std::max(end, *e.t_utc_ms + e.duration_ms);
    }
    return end;
  }
};

// Where an entry sits on the block's one clock (recordings without a wall-clock start are
// blocks of their own, so offsets are never compared with instants).
int64_t shown_at(const LogEntry& e) { return e.t_utc_ms ? *e.t_utc_ms : e.offset_ms.value_or(0); }

}  // namespace

int64_t print_user_log(LogStore& store, const std::string& user, std::FILE* out) {
  auto u = store.users().find(user);
  if (!u) throw Error(ErrorKind::NotFound, "no user called '" + user + "' in this database", {"", 0, "--user"});
  std::vector<Recorded> recorded;
  for (auto& rec : store.recordings().for_user(u->id)) {
    auto entries = store.log().for_recording(rec.id);
    recorded.push_back({std::move(rec), std::move(entries)});
  }
  auto tz_of = [&](const RecordingRow& rec) { return rec.tz.empty() ? u->tz : rec.tz; };
  int64_t lines = 0;
  // Recordings of overlapping wall-clock spans (a watch's motion and a phone's audio of one
  // afternoon) are one block: their headers, then their lines merged minute by minute in the
  // first one's zone.
  for (size_t first = 0; first < recorded.size();) {
    size_t last = first + 1;
    if (recorded[first].recording.start_utc_ms) {
      int64_t end = recorded[first].end_utc_ms();
      while (last < recorded.size() && recorded[last].recording.start_utc_ms &&
             *recorded[last].recording.start_utc_ms < end) {
        end = std::max(end, recorded[last].end_utc_ms());
        ++last;
      }
    }
    const std::string tz = tz_of(recorded[first].recording);
    std::vector<LogEntry> entries;
    for (size_t k = first; k < last; ++k) {
      const RecordingRow& rec = recorded[k].recording;
      const std::string rec_tz = tz_of(rec);
      const std::string when = rec.start_utc_ms ? format_local_datetime(*rec.start_utc_ms, rec_tz) + " " + rec_tz
                                                : std::string("start time unknown");
      std::fprintf(out, "== %s  %s  (%s, %s)\n", rec.source_key.c_str(), when.c_str(),
                   format_duration_compact(rec.duration_s).c_str(), rec.status.c_str());
      entries.insert(entries.end(), recorded[k].entries.begin(), recorded[k].entries.end());
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const LogEntry& a, const LogEntry& b) { return shown_at(a) < shown_at(b); });
    for (const auto& line : merge_log_lines(entries, tz)) {
      std::fprintf(out, "%s\n", line.text.c_str());
      ++lines;
    }
    first = last;
  }
  return lines;
}

}  // namespace imu2clip::cli
