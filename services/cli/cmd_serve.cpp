// imu2clip serve: the HTTP API and web UI over a log database (see services/server/server.h).
// Binds to loopback unless --host says otherwise; SIGINT/SIGTERM stop it gracefully (in-flight
// requests finish, the live taggers flush, exit 0).
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>

#include "common/error.h"
#include "common/time/time_zone.h"
#include "services/cli/commands.h"
#include "services/cli/llm_flags.h"
#include "services/cli/interrupt.h"
#include "services/cli/model_resolver.h"
#include "services/server/server.h"
#include "services/server/user_accounts.h"
#include "storage/log_store.h"
#include "tagger/model/bundle.h"

namespace imu2clip::cli {
namespace {

struct ServeArgs {
  std::string db, host = "127.0.0.1", model, audio_model, prompts, upload_dir;
  bool keep_audio = false;
  LlmFlags llm;
  int port = 8080, threads = 8, encoder_threads = 1, retain_detail_days = 0;
  double rate_limit = 20, rate_burst = 40;
  double max_upload_mb = 512;
  double max_pending_upload_mb = 2048;
  int max_pending_uploads = 8;
};

// First start on a new database: a local user so the person can sign in at once. A database that
// exists with no user had every account deleted: whoever deleted theirs does not expect a new one
// to appear at the next start, so the server says how to add one instead of making one.
void ensure_first_user(const std::string& db, const std::string& url, bool new_database) {
  LogStore store(db);
  if (store.count("users") > 0) return;
  if (!new_database) {
    std::printf("%s has no users (every account was deleted); add one with: imu2clip user add NAME --db %s\n",
                db.c_str(), db.c_str());
    std::fflush(stdout);
    return;
  }
  const auto created = server::create_user_with_token(store, "me", system_time_zone());
  std::printf("created user 'me' (tz %s).\nopen %s and sign in with token: %s\n", created.user.tz.c_str(), url.c_str(),
              created.token.c_str());
  std::fflush(stdout);
}

// The audio model, if any: without one the server still runs and POST /v1/audio answers 503.
// A model asked for by name (--audio-model, $IMU2CLIP_AUDIO_MODEL) that cannot be used is an
// error, not a warning.
std::shared_ptr<const ModelBundle> serve_audio_model(const std::string& path) {
  const char* env = std::getenv("IMU2CLIP_AUDIO_MODEL");
  const bool named = !path.empty() || (env && *env);
  try {
    ResolvedModel audio = resolve_audio_model(path);
    spdlog::info("audio model {} ({})", audio.bundle.model_id, audio.origin);
    return std::make_shared<const ModelBundle>(std::move(audio.bundle));
  } catch (const Error& e) {
    if (named || e.kind() != ErrorKind::NotFound) throw;
    spdlog::warn("{}; serving without sound tagging: POST /v1/audio answers 503", e.message());
    return nullptr;
  }
}

int serve(const ServeArgs& a) {
  // Logs go to stderr so stdout carries only what the person must read (URL, first token).
  auto logger = spdlog::stderr_color_mt("imu2clip-serve");
  logger->set_level(spdlog::get_level());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);

  const std::atomic<bool>& stop_requested = install_stop_handler();
  std::error_code exists_error;
  const bool new_database = !std::filesystem::exists(a.db, exists_error) && !exists_error;
  ResolvedModel model = resolve_model(a.model);
  spdlog::info("model {} ({})", model.bundle.model_id, model.origin);
  std::shared_ptr<const ModelBundle> audio_model = serve_audio_model(a.audio_model);

  server::ServerOptions options;
  options.db_path = a.db;
  options.host = a.host;
  options.port = a.port;
  options.bundle = std::make_shared<const ModelBundle>(std::move(model.bundle));
  options.audio_bundle = std::move(audio_model);
  options.llm = llm_client_options(a.llm);
  options.prompts_dir = a.prompts;
  options.upload_dir = a.upload_dir;
  options.threads = a.threads;
  options.rate_limit = {a.rate_limit, a.rate_burst};
  options.max_upload_bytes = static_cast<size_t>(a.max_upload_mb * 1024 * 1024);
  options.max_pending_upload_bytes = static_cast<size_t>(a.max_pending_upload_mb * 1024 * 1024);
  options.max_pending_uploads = a.max_pending_uploads;
  options.live.encoder_threads = a.encoder_threads;
  options.live.tz = system_time_zone();
  options.live_audio.encoder_threads = a.encoder_threads;
  options.live_audio.keep_audio = a.keep_audio;
  options.retain_detail_days = a.retain_detail_days;
  options.version = IMU2CLIP_VERSION;

  auto service = std::make_unique<server::Server>(std::move(options));
  int port = 0;
  try {
    port = service->bind();
  } catch (...) {
    // A first start that cannot listen leaves no database behind: the next start is a first
    // start too, and creates the first user.
    service.reset();
    if (new_database) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(a.db + suffix, exists_error);
    }
    throw;
  }
  const std::string url = "http://" + (a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host) + ":" +
                          std::to_string(port) + "/";
  ensure_first_user(a.db, url, new_database);
  std::printf("imu2clip serving on %s\n", url.c_str());
  std::fflush(stdout);
  if (a.host != "127.0.0.1" && a.host != "localhost" && a.host != "::1")
    spdlog::warn("listening on {}: reachable from other machines; tokens travel in clear text without TLS", a.host);

  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    while (!stop_requested && !finished) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (finished) return;
    spdlog::info("stopping: finishing requests in flight and flushing the live tagger");
    // Repeated because a stop that lands before the accept loop starts would be lost.
    while (!finished) {
      service->stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  service->run();
  finished = true;
  watcher.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

Runner add_serve_command(CLI::App& app) {
  auto a = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Serve the HTTP API and the chat web UI over a log database");
  cmd->add_option("--db", a->db, "SQLite database (created if missing)")->required();
  cmd->add_option("--host", a->host, "Address to listen on (default loopback only)");
  cmd->add_option("--port", a->port, "TCP port (0 = any free port; the URL is printed)")->check(CLI::Range(0, 65535));
  cmd->add_option("--model", a->model, "Model bundle (.safetensors); default $IMU2CLIP_MODEL, then the built-in one");
  cmd->add_option("--audio-model", a->audio_model,
                  "Audio model bundle for POST /v1/audio; default $IMU2CLIP_AUDIO_MODEL, then the built-in one "
                  "(none: the route answers 503)");
  cmd->add_flag("--keep-audio", a->keep_audio,
                "Keep live audio after it is tagged (default: raw audio is deleted once tagged)");
  cmd->add_option("--retain-detail-days", a->retain_detail_days,
                  "Keep windows, scores, segments and tagged raw audio this many days, then drop them (at start "
                  "and hourly); log lines are kept. 0 = keep everything (default)")
      ->check(CLI::Range(0, 36500));
  cmd->add_option("--llm-url", a->llm.url, "OpenAI-compatible endpoint for answers (e.g. http://127.0.0.1:8081/v1)");
  cmd->add_option("--llm-model", a->llm.model, "Model name at --llm-url");
  cmd->add_option("--llm-api-key-env", a->llm.api_key_env, "Environment variable holding the endpoint's API key");
  cmd->add_option("--prompts", a->prompts, "Folder with prompt templates (default: built in)")->check(CLI::ExistingDirectory);
  cmd->add_option("--upload-dir", a->upload_dir, "Where uploaded recordings are kept (default: <db folder>/uploads)");
  cmd->add_option("--threads", a->threads, "HTTP worker threads (each streaming answer holds one)")->check(CLI::Range(1, 256));
  cmd->add_option("--encoder-threads", a->encoder_threads, "Threads of the live tagger's encoder")->check(CLI::Range(1, 64));
  cmd->add_option("--rate-limit", a->rate_limit, "Requests per second per user (0 = unlimited)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--rate-burst", a->rate_burst, "Requests a user may make at once before --rate-limit applies")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-upload-mb", a->max_upload_mb, "Largest POST /v1/recordings body")->check(CLI::PositiveNumber);
  cmd->add_option("--max-pending-upload-mb", a->max_pending_upload_mb,
                  "Per user: uploaded files waiting to be tagged, in MiB (429 beyond)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-pending-uploads", a->max_pending_uploads,
                  "Per user: upload jobs queued or being tagged (429 beyond)")
      ->check(CLI::Range(1, 10000));
  return [a] { return serve(*a); };
}

}  // namespace imu2clip::cli
