#include "services/cli/log_printer.h"

#include "common/error.h"
#include "common/time/duration_format.h"
#include "common/time/time_zone.h"
#include "services/cli/progress_bar.h"
#include "storage/log_format.h"
#include "storage/log_store.h"

namespace imu2clip::cli {

int64_t print_user_log(LogStore& store, const std::string& user, std::FILE* out) {
  auto u = store.users().find(user);
  if (!u) throw Error(ErrorKind::NotFound, "no user called '" + user + "' in this database", {"", 0, "--user"});
  int64_t lines = 0;
  for (const auto& rec : store.recordings().for_user(u->id)) {
    const std::string tz = rec.tz.empty() ? u->tz : rec.tz;
    const std::string when = rec.start_utc_ms ? format_local_datetime(*rec.start_utc_ms, tz) + " " + tz
                                              : std::string("start time unknown");
    std::fprintf(out, "== %s  %s  (%s, %s)\n", rec.source_key.c_str(), when.c_str(),
                 format_duration_compact(rec.duration_s).c_str(), rec.status.c_str());
    for (const auto& e : store.log().for_recording(rec.id)) {
      std::fprintf(out, "%s\n", format_log_line(e, tz).c_str());
      ++lines;
    }
  }
  return lines;
}

}  // namespace imu2clip::cli
