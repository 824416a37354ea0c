#include "services/server/http_error.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "llm/openai_client.h"
#include "tagger/live/live_input.h"

namespace imu2clip::server {

HttpError::HttpError(int status, std::string type, std::string code, const std::string& message, std::string field)
    : std::runtime_error(message), status_(status), type_(std::move(type)), code_(std::move(code)),
      field_(std::move(field)) {}

HttpError bad_request(const std::string& message, const std::string& field) {
  return HttpError(400, "invalid_request_error", field.empty() ? "invalid_request" : "invalid_field", message, field);
}
HttpError not_found(const std::string& message) { return HttpError(404, "not_found_error", "not_found", message); }
HttpError unauthorized(const std::string& message) {
  return HttpError(401, "authentication_error", "invalid_api_key", message);
}
HttpError payload_too_large(size_t limit_bytes) {
  return HttpError(413, "invalid_request_error", "payload_too_large",
                   "request body is larger than this route accepts (" + std::to_string(limit_bytes) +
                       " bytes); send it in smaller parts");
}
HttpError body_cut_off(size_t received_bytes) {
  return HttpError(400, "invalid_request_error", "incomplete_body",
                   "the request body ended before its end (" + std::to_string(received_bytes) +
                       " bytes arrived); nothing of it was kept, send it again");
}
HttpError too_many_requests(const std::string& message) {
  return HttpError(429, "rate_limit_error", "rate_limited", message);
}
HttpError unavailable(const std::string& message) {
  return HttpError(503, "server_error", "unavailable", message);
}

HttpError http_error_from_exception(const std::exception_ptr& error, const std::string& request_id) {
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    return e;
  } catch (const Error& e) {
    const std::string message = format_error(e.message(), e.context());
    switch (e.kind()) {
      case ErrorKind::InvalidInput:
        return bad_request(message, e.context().field);
      case ErrorKind::Corrupt:
        return HttpError(400, "invalid_request_error", "corrupt_input", message, e.context().field);
      case ErrorKind::NotFound:
        return not_found(message);
      default:
        spdlog::error("request {}: {} error: {}", request_id, to_string(e.kind()), e.what());
        return HttpError(500, "server_error", "internal_error",
                         "internal server error (request id " + request_id + "); see the server log");
    }
  } catch (const BusyError& e) {
    return too_many_requests(std::string("the live tagger is busy: ") + e.what() + "; retry in a few seconds");
  } catch (const llm::LlmError& e) {
    spdlog::warn("request {}: language model failed: {}", request_id, e.what());
    return HttpError(503, "server_error", "llm_unavailable",
                     "the language model endpoint failed: " + llm::public_message(e));
  } catch (const std::exception& e) {
    spdlog::error("request {}: unexpected exception: {}", request_id, e.what());
  } catch (...) {
    spdlog::error("request {}: unexpected non-standard exception", request_id);
  }
  return HttpError(500, "server_error", "internal_error",
                   "internal server error (request id " + request_id + "); see the server log");
}

nlohmann::json error_json(const HttpError& error) {
  nlohmann::json body = {{"message", error.what()}, {"type", error.type()}, {"code", error.code()}};
  if (!error.field().empty()) body["field"] = error.field();
  return {{"error", body}};
}

std::string json_body(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpError http_error_for_status(int status, const std::string& message) {
  switch (status) {
    case 400: return bad_request(message);
    case 401: return unauthorized(message);
    case 403: return HttpError(403, "permission_error", "forbidden", message);
    case 404: return not_found(message);
    case 405: return HttpError(405, "invalid_request_error", "method_not_allowed", message);
    case 413: return HttpError(413, "invalid_request_error", "payload_too_large", message);
    case 414: return HttpError(414, "invalid_request_error", "uri_too_long", message);
    case 429: return too_many_requests(message);
    case 503: return unavailable(message);
    default:
      return HttpError(status, status >= 500 ? "server_error" : "invalid_request_error",
                       status >= 500 ? "internal_error" : "invalid_request", message);
  }
}

}  // namespace imu2clip::server
