// imu2clip: one binary, subcommands for every job (tag, log, bench, model, ...).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>
#include <string>

#include "common/error.h"
#include "services/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"imu2clip: IMU -> text logs -> answers about your day (IMU2CLIP, Moon et al. 2022)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("imu2clip ") + IMU2CLIP_VERSION);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Debug logging");

  // Subcommand name -> what runs it.
  std::map<std::string, imu2clip::cli::Runner> runners{
      {"tag", imu2clip::cli::add_tag_command(app)},
      {"log", imu2clip::cli::add_log_command(app)},
      {"model", imu2clip::cli::add_model_command(app)},
      {"bench", imu2clip::cli::add_bench_command(app)},
      {"pretrain", imu2clip::cli::add_pretrain_command(app)},
      {"eval", imu2clip::cli::add_eval_command(app)},
      {"serve", imu2clip::cli::add_serve_command(app)},
      {"user", imu2clip::cli::add_user_command(app)},
      {"logs", imu2clip::cli::add_logs_command(app)},
      {"ask", imu2clip::cli::add_ask_command(app)},
      {"backup", imu2clip::cli::add_backup_command(app)},
      {"restore", imu2clip::cli::add_restore_command(app)},
      {"export", imu2clip::cli::add_export_command(app)},
      {"prune", imu2clip::cli::add_prune_command(app)},
      {"tokenize", imu2clip::cli::add_tokenize_command(app)},
      {"embed-video", imu2clip::cli::add_embed_video_command(app)},
      {"search", imu2clip::cli::add_search_command(app)},
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_pattern("%^%l%$: %v");
  // A log redirected to a file (a long training run, a service) shows each line as it happens.
  spdlog::flush_on(spdlog::level::info);
  try {
    for (auto* sub : app.get_subcommands()) return runners.at(sub->get_name())();
  } catch (const imu2clip::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.kind() == imu2clip::ErrorKind::Internal ? 70 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 70;
  }
  return 0;
}
