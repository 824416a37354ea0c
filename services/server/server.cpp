#include "services/server/server.h"

#include <filesystem>
#include <random>
#include <regex>
#include <set>

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/strings.h"
#include "services/server/connection_shutdown.h"
#include "services/server/router.h"
#include "tagger/model/bundle.h"

namespace imu2clip::server {
namespace fs = std::filesystem;

namespace {

std::string default_upload_dir(const std::string& db_path) {
  fs::path parent = fs::path(db_path).parent_path();
  return (parent.empty() ? fs::path("uploads") : parent / "uploads").string();
}

// A refused, unread body: how long and how much of it is still taken in and discarded after the
// answer, so the client reads the answer before the connection closes.
constexpr std::chrono::milliseconds kLingerOnClose{1000};
constexpr size_t kMaxLingerDiscardBytes = 16u << 20;

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

// A crash (or a kill) between a job's end and the removal of its file, or a job row deleted
// with its user, leaves files that no unfinished job names: nothing would ever tag or delete
// them. `keep`: the files of jobs still queued or running ("u<user id>/<name>"), which a restart
// tags. Only files this server names (u<user id>/<ms>-<16 hex><ext>) are removed: --upload-dir
// may point at a folder that also holds other things.
void remove_orphan_uploads(const std::string& upload_dir, const std::set<std::string>& keep) {
  static const std::regex user_dir(R"(u[0-9]+)");
  static const std::regex upload_name(R"([0-9]+-[0-9a-f]{16}\.(csv|csv\.gz|gz))");
  std::error_code ec;
  size_t removed = 0;
  for (fs::directory_iterator users(upload_dir, ec), end; !ec && users != end; users.increment(ec)) {
    if (!users->is_directory() || !std::regex_match(users->path().filename().string(), user_dir)) continue;
    std::error_code inner;
    for (fs::directory_iterator f(users->path(), inner), fend; !inner && f != fend; f.increment(inner)) {
      const std::string name = f->path().filename().string();
      if (keep.count(users->path().filename().string() + "/" + name)) continue;
      std::error_code gone;
      if (f->is_regular_file() && std::regex_match(name, upload_name) && fs::remove(f->path(), gone)) ++removed;
    }
  }
  if (removed > 0) spdlog::info("removed {} upload(s) no unfinished job names (left by an earlier run)", removed);
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
  {
    // Creates/migrates the database before the workers open it.
    auto store = stores->borrow();
    std::set<std::string> unfinished;
    for (const auto& job : store->upload_jobs().unfinished()) unfinished.insert(job.upload_name);
    remove_orphan_uploads(upload_dir, unfinished);
  }
  live = std::make_unique<LiveTagger>(options.db_path, options.bundle, options.live);
  if (options.audio_bundle)
    live_audio = std::make_unique<LiveAudioTagger>(options.db_path, options.audio_bundle, options.live_audio);
  jobs = std::make_unique<RecordingJobs>(options.db_path, options.bundle, upload_dir);
  assistant = std::make_unique<Assistant>(stores, options.llm, options.prompts_dir);
  if (options.retain_detail_days > 0)
    retention = std::make_unique<RetentionSchedule>(stores, RetentionOptions{options.retain_detail_days}, options.clock);
}

Metrics::Extra ServerState::metrics_extra() {
  Metrics::Extra extra;
  const LiveStats stats = live->stats();
  extra.windows_tagged = stats.windows_tagged;
  extra.samples_ingested = stats.samples_ingested;
  extra.live_queue_windows = stats.queue_windows;
  extra.live_lag_seconds = stats.max_lag_s;
  extra.live_failed_passes = stats.failed_passes;
  extra.live_sessions_set_aside = stats.sessions_set_aside;
  extra.live_sessions_set_aside_total = stats.sessions_set_aside_total;
  if (live_audio) {
    const LiveAudioStats audio = live_audio->stats();
    extra.audio_seconds_ingested = audio.seconds_ingested;
    extra.audio_windows_tagged = audio.windows_tagged;
    extra.audio_queue_windows = audio.pending_windows;
  }
  extra.jobs_by_state = jobs->counts_by_state();
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
  // Router::screen refuses a body over its route's limit before httplib reads it, and the
  // routes count chunked bodies; this is httplib's own backstop for declared lengths.
  http.set_payload_max_length(std::max({o.max_json_bytes, o.max_ingest_bytes, o.max_upload_bytes}));
  // Idle keep-alive connections end quickly so a shutdown is not held up by them.
  http.set_keep_alive_timeout(2);
  // Headers and body go out in separate writes; with Nagle the body waits for the client's
  // delayed ACK (40 ms per request).
  http.set_tcp_nodelay(true);
  http.set_read_timeout(30);
  http.set_write_timeout(30);

  // Requests are judged on their headers before httplib reads a body (Router::screen); a
  // refused body is never read and its connection ends after the answer.
  const auto begin_request = [](httplib::Response& res) {
    RequestScope& scope = request_scope();
    scope = RequestScope{};
    scope.active = true;
    scope.start = std::chrono::steady_clock::now();
    scope.id = next_request_id();
    res.set_header("X-Request-Id", scope.id);
    // Every answer is what its Content-Type says; browsers must not guess another type.
    res.set_header("X-Content-Type-Options", "nosniff");
  };
  const auto refuse = [](const Refusal& refusal, httplib::Response& res) {
    send_error(res, refusal.error);
    if (!refusal.allow.empty()) res.set_header("Allow", refusal.allow);
    if (refusal.close_connection) {
      res.set_header("Connection", "close");
      request_scope().close_connection = true;
    }
  };
  http.set_pre_routing_handler([this, begin_request, refuse](const httplib::Request& req, httplib::Response& res) {
    begin_request(res);
    if (const RouteSpec* spec = router.match(req.method, req.path)) request_scope().route = spec->name;
    if (const auto refusal = router.screen(req)) {
      refuse(*refusal, res);
      return httplib::Server::HandlerResponse::Handled;
    }
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
    // httplib logs after the answer is written: the moment to end a connection whose body was
    // left unread (see connection_shutdown.h).
    if (scope.active && scope.close_connection) close_after_answer(req, kLingerOnClose, kMaxLingerDiscardBytes);
    scope.active = false;
  });

  add_system_routes(router);
  add_data_routes(router);
  add_audio_routes(router);
  add_upload_routes(router);
  add_assistant_routes(router);
  add_erasure_routes(router);
  add_search_routes(router);
}

void Server::Impl::shutdown_background() {
  if (finished) return;
  finished = true;
  state.stopping = true;
  if (state.retention) state.retention->stop();
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
