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
Runner add_pretrain_command(CLI::App& app);   // cmd_pretrain.cpp
Runner add_eval_command(CLI::App& app);       // cmd_eval.cpp
Runner add_serve_command(CLI::App& app);      // cmd_serve.cpp
Runner add_user_command(CLI::App& app);       // cmd_user.cpp
Runner add_logs_command(CLI::App& app);       // cmd_logs.cpp (logs import)
Runner add_ask_command(CLI::App& app);        // cmd_ask.cpp
Runner add_backup_command(CLI::App& app);     // cmd_backup.cpp
Runner add_restore_command(CLI::App& app);    // cmd_restore.cpp
Runner add_export_command(CLI::App& app);     // cmd_export.cpp
Runner add_prune_command(CLI::App& app);      // cmd_prune.cpp (retention, offline)
Runner add_tokenize_command(CLI::App& app);   // cmd_tokenize.cpp
Runner add_embed_video_command(CLI::App& app);  // cmd_embed_video.cpp
Runner add_search_command(CLI::App& app);     // cmd_search.cpp

}  // namespace imu2clip::cli
