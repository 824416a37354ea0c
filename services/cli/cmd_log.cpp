// imu2clip log: print a user's activity log from the store.
#include <CLI/CLI.hpp>

#include "services/cli/commands.h"
#include "services/cli/log_printer.h"
#include "storage/log_store.h"

namespace imu2clip::cli {

Runner add_log_command(CLI::App& app) {
  struct Args {
    std::string db, user = "local";
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("log", "Print a user's log ([HH:MM] Motion: label) from the database");
  cmd->add_option("--db", a->db, "SQLite database")->required()->check(CLI::ExistingFile);
  cmd->add_option("--user", a->user, "Whose log");
  return [a] {
    LogStore store(a->db);
    print_user_log(store, a->user, stdout);
    return 0;
  };
}

}  // namespace imu2clip::cli
