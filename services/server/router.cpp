#include "services/server/router.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "services/server/api_token.h"
#include "services/server/user_accounts.h"

namespace imu2clip::server {

RequestScope& request_scope() {
  thread_local RequestScope scope;
  return scope;
}

void send_error(httplib::Response& res, const HttpError& error) {
  res.status = error.status();
  res.headers.erase("Content-Type");
  if (error.status() == 401) res.set_header("WWW-Authenticate", "Bearer");
  res.set_content(json_body(error_json(error)), "application/json");
}

bool Call::read_body(const httplib::ContentReceiver& receiver) {
  if (!reader_ || body_read_) return false;
  body_read_ = true;
  body_complete_ = (*reader_)(receiver);
  return body_complete_;
}

bool Call::read_multipart(const httplib::MultipartContentHeader& header, const httplib::ContentReceiver& receiver) {
  if (!reader_ || body_read_) return false;
  body_read_ = true;
  body_complete_ = (*reader_)(header, receiver);
  return body_complete_;
}

bool Call::drain(size_t budget) {
  if (!reader_) return true;  // GET: httplib reads no body, and Router::screen refused any
  if (body_read_) return body_complete_;
  size_t skipped = 0;
  return read_body([&](const char*, size_t size) {
    skipped += size;
    return skipped <= budget;
  });
}

std::optional<std::string> Call::query(const std::string& name) const {
  if (!req.has_param(name.c_str())) return std::nullopt;
  return req.get_param_value(name.c_str());
}

void Call::send_json(int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(json_body(body), "application/json");
}

void Router::add(const RouteSpec& spec, CallHandler handler) {
  routes_.emplace_back(spec, std::regex(spec.pattern));
  if (spec.method == "GET") {
    http_.Get(spec.pattern, [this, spec, handler](const httplib::Request& req, httplib::Response& res) {
      handle(spec, handler, req, res, nullptr);
    });
  } else if (spec.method == "POST") {
    http_.Post(spec.pattern, [this, spec, handler](const httplib::Request& req, httplib::Response& res,
                                                   const httplib::ContentReader& reader) {
      handle(spec, handler, req, res, &reader);
    });
  } else if (spec.method == "DELETE") {
    // With a content reader: DELETE /v1/me carries its confirmation in the body.
    http_.Delete(spec.pattern, [this, spec, handler](const httplib::Request& req, httplib::Response& res,
                                                     const httplib::ContentReader& reader) {
      handle(spec, handler, req, res, &reader);
    });
  } else {
    throw std::logic_error("unsupported method " + spec.method);
  }
}

std::vector<std::string> Router::methods_for(const std::string& path) const {
  std::vector<std::string> methods;
  for (const auto& [spec, re] : routes_)
    if (std::regex_match(path, re) && std::find(methods.begin(), methods.end(), spec.method) == methods.end())
      methods.push_back(spec.method);
  return methods;
}

const RouteSpec* Router::match(const std::string& method, const std::string& path) const {
  const std::string wanted = method == "HEAD" ? "GET" : method;
  for (const auto& [spec, re] : routes_)
    if (spec.method == wanted && std::regex_match(path, re)) return &spec;
  return nullptr;
}

namespace {

// An error answer skips at most this much of an unread body to keep the connection; past it the
// connection closes instead (a refused 500 MiB upload is not read to the end).
constexpr size_t kMaxDrainBytes = 64 * 1024;

UserRow authenticate(const httplib::Request& req, ServerState& state) {
  const std::string header = req.get_header_value("Authorization");
  if (header.empty())
    throw unauthorized("missing 'Authorization: Bearer <token>' header; get a token with 'imu2clip user add NAME'");
  const std::string token = bearer_token(header);
  if (token.empty()) throw unauthorized("the Authorization header must be 'Bearer <token>'");
  auto store = state.stores->borrow();
  auto user = user_for_token(*store, token);
  if (!user) throw unauthorized("unknown or revoked token; 'imu2clip user token NAME' issues a new one");
  return *user;
}

}  // namespace

void Router::handle(const RouteSpec& spec, const CallHandler& handler, const httplib::Request& req,
                    httplib::Response& res, const httplib::ContentReader* reader) {
  RequestScope& scope = request_scope();
  scope.route = spec.name;
  Call call(req, res, state_, reader);
  try {
    if (state_.stopping) throw unavailable("the server is shutting down; retry shortly");
    if (spec.auth) {
      call.user = authenticate(req, state_);
      scope.user = call.user.name;
      const auto decision = state_.limiter.acquire(call.user.id, RateLimiter::now_s());
      if (!decision.allowed) {
        res.set_header("Retry-After", std::to_string(static_cast<int>(std::ceil(decision.retry_after_s))));
        throw too_many_requests("too many requests for user '" + call.user.name + "'; retry after " +
                                std::to_string(static_cast<int>(std::ceil(decision.retry_after_s))) + " s");
      }
    }
    // Router::screen already refused declared lengths over the limit; chunked bodies are counted here.
    if (spec.body == BodyMode::Buffered) {
      bool too_large = false;
      const bool whole = call.read_body([&](const char* data, size_t size) {
        if (call.body.size() + size > spec.max_body_bytes) {
          too_large = true;
          return false;
        }
        call.body.append(data, size);
        return true;
      });
      if (too_large) throw payload_too_large(spec.max_body_bytes);
      if (!whole) throw body_cut_off(call.body.size());
    }
    handler(call);
  } catch (...) {
    const HttpError error = http_error_from_exception(std::current_exception(), scope.id);
    if (!call.drain(kMaxDrainBytes)) {
      res.set_header("Connection", "close");
      scope.close_connection = true;
    }
    // A streaming handler may have set a provider before failing; the error replaces it.
    res.content_provider_ = nullptr;
    res.is_chunked_content_provider_ = false;
    send_error(res, error);
  }
}

}  // namespace imu2clip::server
