#include <catch2/catch.hpp>

#include "common/error.h"
#include "llm/openai_client.h"
#include "services/server/http_error.h"
#include "tagger/live/live_input.h"

using namespace imu2clip;
using namespace imu2clip::server;

namespace {
template <class E>
HttpError map(const E& e) {
  return http_error_from_exception(std::make_exception_ptr(e), "req-7");
}
}  // namespace

TEST_CASE("library error kinds map to HTTP statuses", "[server][errors]") {
  CHECK(map(Error(ErrorKind::InvalidInput, "bad", {"", 0, "tz"})).status() == 400);
  CHECK(map(Error(ErrorKind::InvalidInput, "bad", {"", 0, "tz"})).field() == "tz");
  CHECK(map(Error(ErrorKind::Corrupt, "damaged")).status() == 400);
  CHECK(map(Error(ErrorKind::NotFound, "gone")).status() == 404);
  CHECK(map(Error(ErrorKind::Io, "disk")).status() == 500);
  CHECK(map(Error(ErrorKind::Database, "locked")).status() == 500);
  CHECK(map(Error(ErrorKind::Internal, "bug")).status() == 500);
  CHECK(map(BusyError("queue full")).status() == 429);
  CHECK(map(llm::LlmError(llm::LlmErrorKind::Connect, 0, "", "", "refused")).status() == 503);
  CHECK(map(bad_request("x", "f")).status() == 400);
}

TEST_CASE("an unexpected exception gives a generic 500 naming the request id but not the details", "[server][errors]") {
  const HttpError e = map(std::runtime_error("secret internal path /etc/x"));
  CHECK(e.status() == 500);
  const std::string message = e.what();
  CHECK(message.find("req-7") != std::string::npos);
  CHECK(message.find("/etc/x") == std::string::npos);
  const HttpError io = map(Error(ErrorKind::Io, "cannot write /var/secret"));
  CHECK(std::string(io.what()).find("/var/secret") == std::string::npos);
}

TEST_CASE("errors serialise as the OpenAI-style error object", "[server][errors]") {
  const auto body = error_json(bad_request("'samples' is empty", "samples"));
  REQUIRE(body.contains("error"));
  CHECK(body["error"]["message"] == "'samples' is empty");
  CHECK(body["error"]["type"] == "invalid_request_error");
  CHECK(body["error"]["code"] == "invalid_field");
  CHECK(body["error"]["field"] == "samples");
  CHECK(http_error_for_status(404, "no route").status() == 404);
  CHECK(http_error_for_status(413, "big").code() == "payload_too_large");
  CHECK(http_error_for_status(405, "method").code() == "method_not_allowed");
}

TEST_CASE("json_body replaces invalid UTF-8 instead of throwing", "[server][errors]") {
  const std::string text = json_body({{"delta", std::string("caf\xc3", 4)}});
  CHECK(text.find("delta") != std::string::npos);
}
