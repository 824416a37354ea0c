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
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "assistant/assistant.h"
#include "services/server/http_error.h"
#include "services/server/metrics.h"
#include "services/server/rate_limiter.h"
#include "services/server/retention_schedule.h"
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
  std::unique_ptr<RetentionSchedule> retention;  // null unless the server drops old detail
  std::atomic<bool> stopping{false};
  std::atomic<int> asks_running{0};  // assistant calls holding a worker thread (routes_assistant.cpp)

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

  // Streamed-body routes read the body themselves, once. False when the body did not arrive
  // whole: the client went away or stalled, or a receiver stopped the read (too large, bad data).
  bool read_body(const httplib::ContentReceiver& receiver);
  bool read_multipart(const httplib::MultipartContentHeader& header, const httplib::ContentReceiver& receiver);
  // On an error path: discards an unread body of at most `budget` bytes so a keep-alive
  // connection stays in step. False when the body cannot be skipped (partly read, larger than
  // the budget): the connection must then close.
  bool drain(size_t budget);

  // A query parameter, if given.
  std::optional<std::string> query(const std::string& name) const;
  void send_json(int status, const nlohmann::json& body);

 private:
  const httplib::ContentReader* reader_;
  bool body_read_ = false;      // a read was attempted
  bool body_complete_ = false;  // and it reached the end of the body
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

// Why a request was refused before httplib read its body, and whether the connection must
// close (a body the server did not read would otherwise be parsed as the next request).
struct Refusal {
  HttpError error;
  std::string allow;            // for 405: the methods the path takes
  bool close_connection = false;
};

class Router {
 public:
  Router(httplib::Server& http, ServerState& state) : http_(http), state_(state) {}
  void add(const RouteSpec& spec, CallHandler handler);
  // Methods registered for paths matching `path` (for 405 + Allow).
  std::vector<std::string> methods_for(const std::string& path) const;
  // The route a method (HEAD counts as GET) and path reach, or null.
  const RouteSpec* match(const std::string& method, const std::string& path) const;
  // Judges a request on its request line and headers alone, before any body byte is read
  // (request_screen.cpp): unknown routes and methods, bodies where a route takes none, bodies
  // declared larger than the route's limit, compressed bodies. nullopt = let it through.
  std::optional<Refusal> screen(const httplib::Request& req) const;
  ServerState& state() { return state_; }

 private:
  void handle(const RouteSpec& spec, const CallHandler& handler, const httplib::Request& req,
              httplib::Response& res, const httplib::ContentReader* reader);
  httplib::Server& http_;
  ServerState& state_;
  std::vector<std::pair<RouteSpec, std::regex>> routes_;
};

// Per-request bookkeeping for the access log and metrics, on the worker thread.
struct RequestScope {
  bool active = false;
  std::chrono::steady_clock::time_point start;
  std::string id;
  std::string route = "unmatched";
  std::string user = "-";
  bool close_connection = false;  // a request body was left unread: end the connection after the answer
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
void add_search_routes(Router& router);

}  // namespace imu2clip::server
