// imu2clip restore: puts a backup made by `imu2clip backup` in place as the log database, after
// checking it (see storage/backup.h). The server must be stopped: a database it has open is
// refused.
#include <CLI/CLI.hpp>

#include "services/cli/commands.h"
#include "services/cli/copy_output.h"
#include "storage/backup.h"

namespace imu2clip::cli {

Runner add_restore_command(CLI::App& app) {
  struct Args {
    std::string from, db;
    CopyOptions options;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("restore", "Check a backup and put it in place as the log database");
  cmd->add_option("--from", a->from, "Backup file made by 'imu2clip backup'")->required();
  cmd->add_option("--db", a->db, "SQLite database to restore into")->required();
  cmd->add_flag("--force", a->options.overwrite, "Replace an existing database (never one a server has open)");
  return [a] {
    print_copy_report(restore_database(a->from, a->db, a->options, terminal_copy_progress("restore")));
    return 0;
  };
}

}  // namespace imu2clip::cli
