// imu2clip export: a user's whole log as NDJSON (storage/log_export.h), to stdout or a file;
// `imu2clip logs import` reads it back.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/error.h"
#include "services/cli/commands.h"
#include "storage/log_export.h"
#include "storage/log_store.h"

namespace imu2clip::cli {
namespace {

// Progress on a terminal only: a redirected stderr (scripts, CI) stays clean.
ExportProgress terminal_export_progress() {
  if (::isatty(STDERR_FILENO) != 1) return {};
  return [](const ExportCounts& c) {
    std::fprintf(stderr, "\rexport: %lld recordings, %lld windows, %lld log lines",
                 static_cast<long long>(c.recordings), static_cast<long long>(c.windows),
                 static_cast<long long>(c.log_lines + c.untimed_lines));
  };
}

}  // namespace

Runner add_export_command(CLI::App& app) {
  struct Args {
    std::string db, user, out;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "export",
      "Write a user's whole log as NDJSON (format version 1: a header, devices, recordings with segments, windows "
      "with labels, log lines); 'imu2clip logs import' reads its log lines back");
  cmd->add_option("--db", a->db, "SQLite database")->required();
  cmd->add_option("--user", a->user, "Whose log")->required();
  cmd->add_option("--out", a->out, "File to write (written to FILE.tmp, then renamed); default standard output");
  return [a] {
    DatabaseOptions options;
    options.create = false;  // a mistyped path must not export an empty new database
    LogStore store(a->db, options);
    const auto user = store.users().find(a->user);
    if (!user)
      throw Error(ErrorKind::NotFound, "no user '" + a->user + "' in the database", ErrorContext{a->db, 0, "user"});

    std::ofstream file;
    std::ostream* out = &std::cout;
    const std::string tmp = a->out + ".tmp";
    if (!a->out.empty()) {
      file.open(tmp, std::ios::binary | std::ios::trunc);
      if (!file) throw Error(ErrorKind::Io, "cannot create the export file", ErrorContext{tmp, 0, ""});
      out = &file;
    }
    const ExportProgress progress = terminal_export_progress();
    const ExportCounts counts = LogExporter(store).run(
        user->id,
        [out](const std::string& line) {
          out->write(line.data(), static_cast<std::streamsize>(line.size()));
          return static_cast<bool>(*out);
        },
        progress);
    out->flush();
    if (!*out)
      throw Error(ErrorKind::Io, "could not write the export", ErrorContext{a->out.empty() ? "<stdout>" : tmp, 0, ""});
    if (progress) std::fprintf(stderr, "\n");
    if (!a->out.empty()) {
      file.close();
      std::filesystem::rename(tmp, a->out);
      std::printf("exported %lld log lines, %lld recordings, %lld windows of user '%s' to %s\n",
                  static_cast<long long>(counts.log_lines + counts.untimed_lines),
                  static_cast<long long>(counts.recordings), static_cast<long long>(counts.windows), a->user.c_str(),
                  a->out.c_str());
    }
    return 0;
  };
}

}  // namespace imu2clip::cli
