// imu2clip logs import: add life-log lines from a JSONL file to a user's log.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>

#include "common/error.h"
#include "common/time/time_zone.h"
#include "services/cli/commands.h"
#include "storage/log_import.h"
#include "storage/log_store.h"

namespace imu2clip::cli {

Runner add_logs_command(CLI::App& app) {
  struct Args {
    std::string db, user = "local", tz, file;
  };
  auto a = std::make_shared<Args>();
  auto* logs = app.add_subcommand("logs", "Manage log lines that do not come from IMU tagging");
  logs->require_subcommand(1);
  auto* import = logs->add_subcommand(
      "import",
      "Import JSONL life-log lines: {\"t\": epoch seconds | ISO-8601, \"duration_s\": 60, \"labels\": [...], "
      "\"modality\": \"context\"}; one log line per label. Lines with a \"type\" other than \"log\" (the rest "
      "of an 'imu2clip export' file) are skipped. Lines already in the log (same user, time, modality and label) "
      "are skipped, so importing a file twice adds nothing.");
  import->add_option("--db", a->db, "SQLite database (created when missing)")->required();
  import->add_option("--user", a->user, "Whose log (created when missing)");
  import->add_option("--tz", a->tz, "IANA time zone for a new user (default: this machine's)");
  import->add_option("FILE", a->file, "JSONL file, or - for standard input")->required();
  return [a] {
    std::ifstream file;
    std::istream* in = &std::cin;
    std::string source = a->file == "-" ? "<stdin>" : a->file;
    if (a->file != "-") {
      file.open(a->file, std::ios::binary);
      if (!file) throw Error(ErrorKind::NotFound, "cannot open the import file", ErrorContext{a->file, 0, ""});
      in = &file;
    }
    LogStore store(a->db);
    std::string tz = a->tz.empty() ? system_time_zone() : a->tz;
    auto existing = store.users().find(a->user);
    int64_t user_id = existing ? existing->id : store.users().ensure(a->user, tz);
    ImportReport report = import_log_entries(store, *in, user_id, source);
    std::printf("imported %lld log entries from %lld lines for user '%s'", static_cast<long long>(report.entries),
                static_cast<long long>(report.lines), a->user.c_str());
    if (report.duplicates > 0) {
      std::printf(" (%lld already present, skipped)", static_cast<long long>(report.duplicates));
    }
    if (report.skipped_records > 0) {
      std::printf(" (%lld records of other types skipped)", static_cast<long long>(report.skipped_records));
    }
    std::printf("%s\n", existing ? "" : (" (new user, time zone " + tz + ")").c_str());
    return 0;
  };
}

}  // namespace imu2clip::cli
