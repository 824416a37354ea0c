// imu2clip user add|list|token|delete: the people who may use the HTTP API, and their bearer
// tokens. A token is printed once, when it is made; the database keeps only its SHA-256.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "common/error.h"
#include "common/time/time_zone.h"
#include "services/cli/commands.h"
#include "services/server/user_accounts.h"
#include "storage/log_store.h"

namespace imu2clip::cli {

Runner add_user_command(CLI::App& app) {
  struct Args {
    std::string db, name, tz;
    bool yes = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("user", "Manage API users and their bearer tokens");
  cmd->require_subcommand(1);

  auto* add = cmd->add_subcommand("add", "Create a user and print their API token (shown once)");
  add->add_option("name", a->name, "User name (no spaces)")->required();
  add->add_option("--tz", a->tz, "IANA time zone of the user's log (default: this machine's)");
  add->add_option("--db", a->db, "SQLite database")->required();

  auto* list = cmd->add_subcommand("list", "List users");
  list->add_option("--db", a->db, "SQLite database")->required()->check(CLI::ExistingFile);

  auto* token = cmd->add_subcommand("token", "Issue a new token for a user (the old one stops working)");
  token->add_option("name", a->name, "User name")->required();
  token->add_option("--db", a->db, "SQLite database")->required()->check(CLI::ExistingFile);

  auto* remove = cmd->add_subcommand("delete", "Delete a user with all their data (recordings, log, token)");
  remove->add_option("name", a->name, "User name")->required();
  remove->add_option("--db", a->db, "SQLite database")->required()->check(CLI::ExistingFile);
  remove->add_flag("--yes", a->yes, "Confirm: the data cannot be recovered");

  return [a, add, list, token, remove]() -> int {
    if (remove->parsed() && !a->yes) {
      // Checked before opening the database: without --yes nothing is touched.
      throw Error(ErrorKind::InvalidInput, "deleting user '" + a->name +
                                               "' removes all their recordings and log for good; add --yes to confirm");
    }
    LogStore store(a->db);
    if (add->parsed()) {
      const auto created = server::create_user_with_token(store, a->name, a->tz.empty() ? system_time_zone() : a->tz);
      std::fprintf(stderr, "created user '%s' (tz %s); their API token (shown only now):\n", created.user.name.c_str(),
                   created.user.tz.c_str());
      std::printf("%s\n", created.token.c_str());
      return 0;
    }
    if (list->parsed()) {
      std::printf("%-24s %-28s %s\n", "NAME", "TZ", "TOKEN");
      for (const auto& user : store.users().all())
        std::printf("%-24s %-28s %s\n", user.name.c_str(), user.tz.c_str(), user.token_hash ? "set" : "none");
      return 0;
    }
    if (token->parsed()) {
      const auto user = store.users().find(a->name);
      if (!user) throw Error(ErrorKind::NotFound, "no user '" + a->name + "'; create one with 'imu2clip user add'");
      std::fprintf(stderr, "new API token for '%s' (the previous one no longer works):\n", user->name.c_str());
      std::printf("%s\n", server::rotate_user_token(store, user->id).c_str());
      return 0;
    }
    if (remove->parsed()) {
      server::delete_user(store, a->name);
      std::fprintf(stderr, "deleted user '%s' and all their data\n", a->name.c_str());
      return 0;
    }
    return 1;
  };
}

}  // namespace imu2clip::cli
