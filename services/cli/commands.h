#pragma once
// Each subcommand registers its options on the CLI11 app and returns the function that runs it.
#include <functional>

namespace CLI { class App; }

namespace imu2clip::cli {

using Runner = std::function<int()>;

Runner add_tag_command(CLI::App& app);
Runner add_log_command(CLI::App& app);
Runner add_bench_command(CLI::App& app);
Runner add_model_command(CLI::App& app);

}  // namespace imu2clip::cli
