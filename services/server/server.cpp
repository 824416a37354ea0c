#include "services/server/server.h"

#include <filesystem>
#include <random>

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/strings.h"
#include "services/server/router.h"
#include "tagger/model/bundle.h"

namespace imu2clip::server {
namespace fs = std::filesystem;

namespace {

std::string default_upload_dir(const std::string& db_path) {
  fs::path parent = fs::path(db_path).parent_path();
  return (parent.empty() ? fs::path("uploads") : parent / "uploads").string();
}

// Request ids: a per-process random prefix and a counter, so ids from two server runs in
// one log do not collide and within a run they sort.
std::string next_request_id() {
  static const std::string prefix = [] {
    std::random_device rd;
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", rd());
    return std::string(buf);
  }();
  static std::atomic<uint64_t> counter{0};
  return prefix + "-" + std::to_string(++counter);
}

}  // namespace

ServerState::ServerState(ServerOptions opts)
    : options(std::move(opts)),
      model_id(options.bundle ? options.bundle->model_id : ""),
      upload_dir(options.upload_dir.empty() ? default_upload_dir(options.db_path) : options.upload_dir),
      stores(std::make_shared<StorePool>(options.db_path)),
      limiter(options.rate_limit) {
  if (!options.bundle) throw Error(ErrorKind::Internal, "the server needs a model bundle");
  fs::create_directories(upload_dir);
  { auto store = stores->borrow(); }  // creates/migrates the database before the workers open it
  live = std::make_unique<LiveTagger>(options.db_path, options.bundle, options.live);
  if (options.audio_bundle)
    live_audio = std::make_unique<LiveAudioTagger>(options.db_path, options.audio_bundle, options.live_audio);
  jobs = std::make_unique<RecordingJobs>(options.db_path, options.bundle, upload_dir);
  assistant = std::make_unique<Assistant>(stores, options.llm, options.prompts_dir);
}

Metrics::Extra ServerState::metrics_extra() {
  Metrics::Extra extra;
  const LiveStats stats = live->stats();
  extra.windows_tagged = stats.windows_tagged;
  extra.samples_ingested = stats.samples_ingested;
  extra.live_queue_windows = stats.queue_windows;
  if (live_audio) {
    const LiveAudioStats audio = live_audio->stats();
    extra.audio_seconds_ingested = audio.seconds_ingested;
    extra.audio_windows_tagged = audio.windows_tagged;
    extra.audio_queue_windows = audio.pending_windows;
  }
  std::lock_guard<std::mutex> lock(job_ids_mutex);
  for (int64_t id : job_ids)
    if (auto status = jobs->status(id)) ++extra.jobs_by_state[status->state];
  return extra;
}

struct Server::Impl {
  explicit Impl(ServerOptions options) : state(std::move(options)), router(http, state) {}
  ServerState state;
  httplib::Server http;
  Router router;
  bool bound = false;
  bool finished = false;

  void configure();
  void shutdown_background();
};

void Server::Impl::configure() {
  const ServerOptions& o = state.options;
  const int threads = std::max(1, o.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // httplib refuses (and skips) bodies above this before any handler runs; routes enforce
  // their own smaller limits.
  http.set_payload_max_length(std::max({o.max_json_bytes, o.max_ingest_bytes, o.max_upload_bytes}));
  // Idle keep-alive connections end quickly so a shutdown is not held up by them.
  http.set_keep_alive_timeout(2);
  // Headers and body go out in separate writes; with Nagle the body waits for the client's
  // delayed ACK (40 ms per request).
  http.set_tcp_nodelay(true);
  http.set_read_timeout(30);
  http.set_write_timeout(30);

  http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    RequestScope& scope = request_scope();
    scope = RequestScope{};
    scope.active = true;
    scope.start = std::chrono::steady_clock::now();
    scope.id = next_request_id();
    res.set_header("X-Request-Id", scope.id);
    return httplib::Server::HandlerResponse::Unhandled;
  });

  http.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                     httplib::Response& res) {
    if (!res.body.empty() || res.content_provider_) return httplib::Server::HandlerResponse::Unhandled;
    std::string message;
    if (res.status == 404) {
      const auto methods = router.methods_for(req.path);
      if (!methods.empty()) {
        res.status = 405;
        res.set_header("Allow", join(methods, ", "));
        message = "method " + req.method + " is not allowed on " + req.path + "; use " + join(methods, " or ");
      } else {
        message = "no such route: " + req.method + " " + req.path + " (see README: HTTP API)";
      }
    } else if (res.status == 413) {
      message = "request body is larger than the server accepts (" +
                std::to_string(std::max({state.options.max_json_bytes, state.options.max_ingest_bytes,
                                         state.options.max_upload_bytes})) +
                " bytes)";
    } else if (res.status == 400) {
      message = "malformed HTTP request";
    } else {
      message = "request failed with HTTP status " + std::to_string(res.status);
    }
    send_error(res, http_error_for_status(res.status, message));
    return httplib::Server::HandlerResponse::Handled;
  }));

  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    send_error(res, http_error_from_exception(error, request_scope().id));
  });

  // The access log: never the query string (it may carry secrets) nor any header.
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    RequestScope& scope = request_scope();
    const double seconds =
        scope.active ? std::chrono::duration<double>(std::chrono::steady_clock::now() - scope.start).count() : 0.0;
    const std::string route = scope.active ? scope.route : "unmatched";
    state.metrics.observe_request(route, req.method, res.status, seconds);
    const auto level = res.status >= 500 ? spdlog::level::warn : spdlog::level::info;
    spdlog::log(level, "{} {} {} {} {:.1f}ms user={}", scope.active ? scope.id : "-", req.method, req.path,
                res.status, seconds * 1000, scope.active ? scope.user : "-");
    scope.active = false;
  });

  add_system_routes(router);
  add_data_routes(router);
  add_audio_routes(router);
  add_upload_routes(router);
  add_assistant_routes(router);
  add_erasure_routes(router);
}

void Server::Impl::shutdown_background() {
  if (finished) return;
  finished = true;
  state.stopping = true;
  state.jobs->stop();
  state.live->stop();  // flushes: everything acknowledged gets tagged and logged
  if (state.live_audio) state.live_audio->stop();
  state.stores->close_idle();
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) { impl_->configure(); }

Server::~Server() {
  stop();
  impl_->shutdown_background();
}

int Server::bind() {
  const auto& o = impl_->state.options;
  int port = o.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(o.host);
    if (port < 0) throw Error(ErrorKind::Io, "cannot listen on " + o.host + " (any port)");
  } else if (!impl_->http.bind_to_port(o.host, port)) {
    throw Error(ErrorKind::Io, "cannot listen on " + o.host + ":" + std::to_string(port) +
                                   " (in use, or not an address of this machine); pick another --port");
  }
  impl_->bound = true;
  return port;
}

void Server::run() {
  if (!impl_->bound) bind();
  if (!impl_->state.stopping) impl_->http.listen_after_bind();  // returns after stop(), workers joined
  impl_->shutdown_background();
}

void Server::stop() {
  impl_->state.stopping = true;
  impl_->http.stop();
}

}  // namespace imu2clip::server
