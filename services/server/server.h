#pragma once
// The imu2clip HTTP service: the REST API over the log store, the live taggers (IMU, and audio
// when an audio model is given), upload jobs and the assistant, plus the embedded web UI.
// Torch-free header.
//
// Lifecycle: construct (opens the store, starts the live tagger, the job worker and the
// assistant), bind() (port 0 picks a free one), run() blocks serving; stop() from any thread
// (a signal watcher) makes run() stop accepting, let in-flight requests finish, then flush
// the live taggers and stop the jobs before returning.
#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "llm/openai_client.h"
#include "services/server/rate_limiter.h"
#include "services/server/wall_clock.h"
#include "tagger/live/live_audio_tagger.h"
#include "tagger/live/live_tagger.h"

namespace imu2clip {
struct ModelBundle;
}

namespace imu2clip::server {

struct ServerOptions {
  std::string db_path;
  std::string host = "127.0.0.1";
  int port = 8080;                                 // 0 = any free port (see bind())
  std::shared_ptr<const ModelBundle> bundle;       // required
  std::shared_ptr<const ModelBundle> audio_bundle; // null = no sound tagging: POST /v1/audio answers 503
  std::optional<llm::ClientOptions> llm;           // nullopt = built-in answerer only
  std::string prompts_dir;                         // "" = templates compiled into the binary
  std::string upload_dir;                          // "" = <db folder>/uploads
  int threads = 8;                                 // HTTP worker threads (each SSE stream holds one)
  int max_concurrent_asks = 0;                     // /v1/ask + chat completions at once; 0 = threads - 2 (>= 1)
  RateLimit rate_limit;                            // per user, on /v1 routes
  size_t max_json_bytes = 1 << 20;                 // /v1/ask, /v1/chat/completions
  size_t max_ingest_bytes = 32u << 20;             // /v1/imu, /v1/logs/import
  size_t max_upload_bytes = 512u << 20;            // /v1/recordings
  size_t max_pending_upload_bytes = 2048u << 20;   // per user: uploaded files not yet tagged (429 beyond)
  int max_pending_uploads = 8;                     // per user: upload jobs queued or running (429 beyond)
  LiveTaggerOptions live;
  LiveAudioTaggerOptions live_audio;               // keep_audio: keep raw audio after tagging (default no)
  int retain_detail_days = 0;                      // > 0: drop older detail hourly (services/server/retention_schedule.h)
  std::shared_ptr<WallClock> clock;                // null = the system clock (the retention schedule's)
  std::string version = "unknown";
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port. Throws Error(Io) when it cannot.
  int bind();
  // Serves until stop(); then drains and shuts the background parts down. Call after bind().
  void run();
  // Asks run() to finish; safe from any thread, idempotent. New requests get 503 meanwhile.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imu2clip::server
