#pragma once
// Every failure the HTTP API reports, as one exception type and one JSON shape:
//   {"error": {"message": "...", "type": "invalid_request_error", "code": "invalid_field", "field": "..."}}
// (OpenAI's error object, so OpenAI clients show our messages). Handlers throw HttpError or
// imu2clip::Error; the server turns either into a response with the right status.
#include <exception>
#include <stdexcept>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace imu2clip::server {

class HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string type, std::string code, const std::string& message, std::string field = {});

  int status() const { return status_; }
  const std::string& type() const { return type_; }
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }

 private:
  int status_;
  std::string type_, code_, field_;
};

// The common ones. `field` names the offending JSON key / query parameter.
HttpError bad_request(const std::string& message, const std::string& field = {});
HttpError not_found(const std::string& message);
HttpError unauthorized(const std::string& message);
HttpError payload_too_large(size_t limit_bytes);
// 400 for a body that ended before its declared end (client gone or stalled): never processed.
HttpError body_cut_off(size_t received_bytes);
HttpError too_many_requests(const std::string& message);
HttpError unavailable(const std::string& message);

// What the client gets for an exception thrown by a handler:
// HttpError as is; imu2clip::Error InvalidInput/Corrupt -> 400, NotFound -> 404, others -> 500;
// llm::LlmError -> 503; BusyError -> 429; anything else -> 500 with a generic message that
// quotes `request_id` (the details go to the server log only, never to the client).
HttpError http_error_from_exception(const std::exception_ptr& error, const std::string& request_id);

nlohmann::json error_json(const HttpError& error);

// JSON text for a response body; invalid UTF-8 (e.g. from an LLM) is replaced, not thrown on.
std::string json_body(const nlohmann::json& value);

// The default type/code for a status that has no handler-provided body (404 unknown route,
// 413 from the HTTP layer, 400 malformed request...).
HttpError http_error_for_status(int status, const std::string& message);

}  // namespace imu2clip::server
