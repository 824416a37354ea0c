// imu2clip prune: the server's retention (serve --retain-detail-days) run once, offline: drops
// windows, scores, segments and tagged raw audio older than N days and keeps every log line
// (storage/retention.h). Safe while `serve` runs: it works in small transactions.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "common/time/time_zone.h"
#include "services/cli/commands.h"
#include "storage/log_store.h"
#include "storage/retention.h"

namespace imu2clip::cli {

Runner add_prune_command(CLI::App& app) {
  struct Args {
    std::string db;
    int days = 0;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "prune", "Drop detail (windows, scores, segments, tagged raw audio) older than N days; log lines stay");
  cmd->add_option("--db", a->db, "SQLite database")->required();
  cmd->add_option("--older-than-days", a->days, "Keep this many days of detail")
      ->required()
      ->check(CLI::Range(1, 36500));
  return [a] {
    DatabaseOptions options;
    options.create = false;  // a mistyped path must not create an empty database
    LogStore store(a->db, options);
    const int64_t cutoff = retention_cutoff(now_utc_ms(), a->days);
    const RetentionCounts dropped = drop_detail_before(store.database(), cutoff);
    std::printf("dropped detail older than %d days: %lld windows, %lld segments, %lld audio chunks; %lld pages "
                "freed; log lines kept\n",
                a->days, static_cast<long long>(dropped.windows), static_cast<long long>(dropped.segments),
                static_cast<long long>(dropped.audio_chunks), static_cast<long long>(dropped.pages_freed));
    return 0;
  };
}

}  // namespace imu2clip::cli
