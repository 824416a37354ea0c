#pragma once
// Internal to the server library (includes httplib): the shared state handlers use, and the
// Router that wraps every handler with the same pipeline:
//   503 while shutting down -> bearer auth (401) -> per-user rate limit (429) -> body size
//   limit (413, checked on Content-Length before reading) -> handler -> exceptions mapped to
//   JSON errors (an unread request body is drained so keep-alive connections stay in sync).
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "assistant/assistant.h"
#include "services/server/http_error.h"
#include "services/server/metrics.h"
#include "services/server/rate_limiter.h"
#include "services/server/server.h"
#include "storage/records.h"
#include "storage/store_pool.h"
#include "tagger/live/live_tagger.h"
#include "tagger/live/recording_jobs.h"

namespace imu2clip::server {

struct ServerState {
  explicit ServerState(ServerOptions opts);
  ServerOptions options;
  std::string model_id;
  std::string upload_dir;
  std::shared_ptr<StorePool> stores;  // shared with the assistant
  Metrics metrics;
  RateLimiter limiter;
  std::unique_ptr<LiveTagger> live;
  std::unique_ptr<LiveAudioTagger> live_audio;   // null without an audio model
  std::unique_ptr<RecordingJobs> jobs;
  std::unique_ptr<Assistant> assistant;
  std::atomic<bool> stopping{false};

  std::mutex job_ids_mutex;
  std::vector<int64_t> job_ids;  // for the jobs-by-state gauge
  Metrics::Extra metrics_extra();
};

// What a handler works with for one request.
class Call {
 public:
  Call(const httplib::Request& req, httplib::Response& res, ServerState& state, const httplib::ContentReader* reader)
      : req(req), res(res), state(state), reader_(reader) {}
  const httplib::Request& req;
  httplib::Response& res;
  ServerState& state;
  UserRow user;      // the authenticated user (routes with auth)
  std::string body;  // the request body (routes with BodyMode::Buffered)

  // Streamed-body routes read the body themselves, once.
  bool read_body(const httplib::ContentReceiver& receiver);
  bool read_multipart(const httplib::MultipartContentHeader& header, const httplib::ContentReceiver& receiver);
  // Discards an unread body (error paths).
  void drain();

  // A query parameter, if given.
  std::optional<std::string> query(const std::string& name) const;
  void send_json(int status, const nlohmann::json& body);

 private:
  const httplib::ContentReader* reader_;
  bool body_read_ = false;
};

enum class BodyMode { None, Buffered, Streamed };

struct RouteSpec {
  std::string method;   // "GET", "POST" or "DELETE"
  std::string pattern;  // httplib regex, e.g. R"(/v1/jobs/([^/]+))"
  std::string name;     // metrics/log label, e.g. "/v1/jobs/{id}"
  bool auth = true;
  BodyMode body = BodyMode::None;
  size_t max_body_bytes = 0;  // for Buffered/Streamed
};

using CallHandler = std::function<void(Call&)>;

class Router {
 public:
  Router(httplib::Server& http, ServerState& state) : http_(http), state_(state) {}
  void add(const RouteSpec& spec, CallHandler handler);
  // Methods registered for paths matching `path` (for 405 + Allow).
  std::vector<std::string> methods_for(const std::string& path) const;
  ServerState& state() { return state_; }

 private:
  void handle(const RouteSpec& spec, const CallHandler& handler, const httplib::Request& req,
              httplib::Response& res, const httplib::ContentReader* reader);
  httplib::Server& http_;
  ServerState& state_;
  std::vector<std::pair<std::string, std::regex>> routes_;
};

// Per-request bookkeeping for the access log and metrics, on the worker thread.
struct RequestScope {
  bool active = false;
  std::chrono::steady_clock::time_point start;
  std::string id;
  std::string route = "unmatched";
  std::string user = "-";
};
RequestScope& request_scope();

void send_error(httplib::Response& res, const HttpError& error);

// Route groups (routes_*.cpp).
void add_system_routes(Router& router);
void add_data_routes(Router& router);
void add_audio_routes(Router& router);
void add_upload_routes(Router& router);
void add_assistant_routes(Router& router);
void add_erasure_routes(Router& router);

}  // namespace imu2clip::server
