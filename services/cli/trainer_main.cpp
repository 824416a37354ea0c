// imu2clip-train: the `pretrain` subcommand of imu2clip on its own, built by
// -DIMU2CLIP_TRAINER_ONLY=ON for machines that only train (e.g. a GPU box with a pip PyTorch).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "common/error.h"
#include "services/cli/commands.h"

namespace imu2clip::cli {
extern bool g_pretrain_verbose;  // cmd_pretrain.cpp
}

int main(int argc, char** argv) {
  CLI::App app{"imu2clip-train: contrastive IMU2CLIP pretraining (the trainer of imu2clip, alone)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("imu2clip-train ") + IMU2CLIP_VERSION);
  app.add_flag("-v,--verbose", imu2clip::cli::g_pretrain_verbose, "Debug logging");
  const imu2clip::cli::Runner pretrain = imu2clip::cli::add_pretrain_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return pretrain();
  } catch (const imu2clip::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.kind() == imu2clip::ErrorKind::Internal ? 70 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 70;
  }
}
