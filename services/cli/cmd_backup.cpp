// imu2clip backup: a consistent copy of the log database, safe to take while `serve` is writing
// to it (SQLite's online backup API; see storage/backup.h).
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>

#include "services/cli/commands.h"
#include "services/cli/copy_output.h"
#include "storage/backup.h"

namespace imu2clip::cli {

CopyProgress terminal_copy_progress(const char* verb) {
  if (::isatty(STDERR_FILENO) != 1) return {};
  // Redrawn only when the percentage changes: a step may be a single page.
  return [verb, shown = -1](int64_t done, int64_t total) mutable {
    const int percent = total > 0 ? static_cast<int>(100 * done / total) : 100;
    if (percent == shown) return;
    shown = percent;
    std::fprintf(stderr, "\r%s: %3d%% (%lld/%lld pages)", verb, percent, static_cast<long long>(done),
                 static_cast<long long>(total));
    if (done >= total) std::fprintf(stderr, "\n");
  };
}

void print_copy_report(const CopyReport& report) {
  std::printf("%s: integrity ok, schema v%d, %lld bytes; %lld users, %lld recordings, %lld log lines\n",
              report.path.c_str(), report.schema_version, static_cast<long long>(report.bytes),
              static_cast<long long>(report.users), static_cast<long long>(report.recordings),
              static_cast<long long>(report.log_entries));
}

Runner add_backup_command(CLI::App& app) {
  struct Args {
    std::string db, out;
    CopyOptions options;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("backup", "Copy the log database consistently, even while 'serve' is writing to it");
  cmd->add_option("--db", a->db, "SQLite database to back up")->required();
  cmd->add_option("--out", a->out, "Backup file to write (written to FILE.tmp, then renamed)")->required();
  cmd->add_flag("--force", a->options.overwrite, "Replace an existing backup file");
  cmd->add_option("--pages-per-step", a->options.pages_per_step, "Pages copied per step")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  return [a] {
    print_copy_report(backup_database(a->db, a->out, a->options, terminal_copy_progress("backup")));
    return 0;
  };
}

}  // namespace imu2clip::cli
