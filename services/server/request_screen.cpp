// Router::screen: the checks that must happen before httplib reads a request body.
//
// httplib 0.11.4 reads the whole body of a POST/PUT/PATCH/DELETE that reaches no handler with
// a content reader (any unknown route or method) into memory, a chunked one without any limit,
// and inflates gzip/brotli bodies as it reads them. Every route of this server streams its body
// through a reader that counts bytes (router.cpp), so what is left to stop here is everything
// that would reach httplib's own reading: requests no route takes, bodies a route does not take,
// declared lengths over the route's limit and encoded bodies.
#include <string>

#include "common/strings.h"
#include "services/server/router.h"

namespace imu2clip::server {

namespace {

bool is_chunked(const httplib::Request& req) {
  return lower(req.get_header_value("Transfer-Encoding")).find("chunked") != std::string::npos;
}

// Methods whose body httplib reads even without Content-Length (until the peer closes).
bool reads_body_by_default(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE" || method == "PRI";
}

}  // namespace

std::optional<Refusal> Router::screen(const httplib::Request& req) const {
  const bool has_length = req.has_header("Content-Length");
  const std::string length_text = req.get_header_value("Content-Length");
  if (has_length && (length_text.empty() || length_text.size() > 18 ||
                     length_text.find_first_not_of("0123456789") != std::string::npos))
    return Refusal{bad_request("malformed Content-Length header"), "", true};
  const size_t declared = has_length ? static_cast<size_t>(std::stoull(length_text)) : 0;
  const bool chunked = is_chunked(req);
  // Could a body follow the headers? Then refusing without reading it must close the connection.
  const bool body_may_follow = declared > 0 || chunked || (!has_length && reads_body_by_default(req.method));

  const RouteSpec* spec = match(req.method, req.path);
  if (!spec) {
    const auto methods = methods_for(req.path);
    if (!methods.empty())
      return Refusal{HttpError(405, "invalid_request_error", "method_not_allowed",
                               "method " + req.method + " is not allowed on " + req.path + "; use " +
                                   join(methods, " or ")),
                     join(methods, ", "), body_may_follow};
    return Refusal{not_found("no such route: " + req.method + " " + req.path + " (see README: HTTP API)"), "",
                   body_may_follow};
  }
  if (spec->body == BodyMode::None) {
    // httplib never reads a GET body: left unread it would be taken for the next request.
    if (declared > 0 || chunked)
      return Refusal{bad_request(req.method + " " + spec->name + " takes no request body"), "", true};
    return std::nullopt;
  }
  const std::string encoding = lower(trim(req.get_header_value("Content-Encoding")));
  if (!encoding.empty() && encoding != "identity")
    return Refusal{HttpError(415, "invalid_request_error", "unsupported_encoding",
                             "Content-Encoding '" + encoding + "' is not accepted; send the body uncompressed "
                             "(gzip files go to POST /v1/recordings as the file itself)"),
                   "", body_may_follow};
  if (declared > spec->max_body_bytes) return Refusal{payload_too_large(spec->max_body_bytes), "", true};
  return std::nullopt;
}

}  // namespace imu2clip::server
