#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>

#include "llm/chat_json.h"
#include "llm/openai_client.h"
#include "llm/retry_policy.h"
#include "llm/url.h"

using namespace imu2clip::llm;

TEST_CASE("url: base with or without /v1 and trailing slashes gives one API root", "[llm][url]") {
  CHECK(normalise_api_root("http://127.0.0.1:8080") == "http://127.0.0.1:8080/v1");
  CHECK(normalise_api_root("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/v1");
  CHECK(normalise_api_root("http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1");
  CHECK(normalise_api_root("https://api.example.com/v1/ ") == "https://api.example.com/v1");
  CHECK(normalise_api_root("http://localhost:11434/proxy") == "http://localhost:11434/proxy/v1");
  CHECK(endpoint_url("http://h/v1", "chat/completions") == "http://h/v1/chat/completions");
}

TEST_CASE("url: unusable base URLs are rejected with a hint", "[llm][url]") {
  CHECK_THROWS_AS(normalise_api_root(""), LlmError);
  CHECK_THROWS_WITH(normalise_api_root("localhost:8080"), Catch::Contains("http://"));
}

TEST_CASE("url: credentials in URLs are redacted for messages", "[llm][url]") {
  CHECK(redact_url("https://user:secret@h.example/v1/models") == "https://***@h.example/v1/models");
  CHECK(redact_url("http://h:1/v1/a@b") == "http://h:1/v1/a@b");
}

TEST_CASE("json: chat request body carries model, messages and the stream flag", "[llm][json]") {
  ChatRequest request;
  request.messages = {{"system", "be brief"}, {"user", "what did I do at 3pm?"}};
  request.max_tokens = 64;
  auto body = nlohmann::json::parse(chat_request_body("qwen", request, true));
  CHECK(body["model"] == "qwen");
  CHECK(body["stream"] == true);
  CHECK(body["max_tokens"] == 64);
  REQUIRE(body["messages"].size() == 2);
  CHECK(body["messages"][1]["role"] == "user");
  CHECK(body["messages"][1]["content"] == "what did I do at 3pm?");
  CHECK_FALSE(nlohmann::json::parse(chat_request_body("", request, false)).contains("model"));
}

TEST_CASE("json: plain completion and stream chunks are parsed", "[llm][json]") {
  ChatResult r = parse_chat_response(
      R"({"model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}]})");
  CHECK(r.content == "Hi");
  CHECK(r.model == "m1");
  CHECK(r.finish_reason == "stop");
  CHECK_THROWS_AS(parse_chat_response(R"({"choices":[]})"), LlmError);

  StreamChunk c = parse_stream_chunk(R"({"model":"m1","choices":[{"delta":{"content":"He"},"finish_reason":null}]})", 200);
  CHECK(c.delta == "He");
  CHECK(c.finish_reason.empty());
  CHECK(parse_stream_chunk(R"({"choices":[],"usage":{"total_tokens":3}})", 200).delta.empty());
  CHECK(parse_stream_chunk(R"({"choices":[{"delta":{"content":null},"finish_reason":"length"}]})", 200).finish_reason ==
        "length");
}

TEST_CASE("json: OpenAI error bodies map to Api errors with status, type and code", "[llm][json]") {
  LlmError e = error_from_response(
      401, R"({"error":{"message":"Incorrect API key","type":"invalid_request_error","code":"invalid_api_key"}})",
      "http://h/v1/chat/completions");
  CHECK(e.kind() == LlmErrorKind::Api);
  CHECK(e.http_status() == 401);
  CHECK(e.type() == "invalid_request_error");
  CHECK(e.code() == "invalid_api_key");
  CHECK_THAT(e.what(), Catch::Contains("Incorrect API key") && Catch::Contains("401"));

  LlmError numeric = error_from_response(500, R"({"error":{"code":500,"message":"oops","type":"server_error"}})", "u");
  CHECK(numeric.code() == "500");
  LlmError plain_string = error_from_response(400, R"({"error":"model not found"})", "u");
  CHECK(plain_string.kind() == LlmErrorKind::Api);
  CHECK_THAT(plain_string.what(), Catch::Contains("model not found"));
}

TEST_CASE("json: non-JSON error bodies give a readable Http error", "[llm][json]") {
  LlmError e = error_from_response(502, "<html>Bad Gateway</html>\n", "http://h/v1/chat/completions");
  CHECK(e.kind() == LlmErrorKind::Http);
  CHECK(e.http_status() == 502);
  CHECK_THAT(e.what(), Catch::Contains("502") && Catch::Contains("Bad Gateway") && Catch::Contains("http://h/v1"));
  CHECK_THAT(error_from_response(503, "", "u").what(), Catch::Contains("empty body"));
}

TEST_CASE("json: models list ids", "[llm][json]") {
  CHECK(parse_models(R"({"object":"list","data":[{"id":"a"},{"id":"b"}]})") == std::vector<std::string>{"a", "b"});
  CHECK_THROWS_AS(parse_models("not json"), LlmError);
}

TEST_CASE("retry: statuses, backoff growth with jitter and Retry-After", "[llm][retry]") {
  CHECK(is_retryable_status(429));
  CHECK(is_retryable_status(503));
  CHECK_FALSE(is_retryable_status(400));
  CHECK_FALSE(is_retryable_status(401));

  std::mt19937 rng(42);
  for (int i = 0; i < 50; ++i) {
    int d0 = backoff_delay_ms(0, 100, 10000, rng);
    int d3 = backoff_delay_ms(3, 100, 10000, rng);
    CHECK((d0 >= 50 && d0 <= 100));
    CHECK((d3 >= 400 && d3 <= 800));
    CHECK(backoff_delay_ms(30, 100, 1000, rng) <= 1000);
  }
  CHECK(parse_retry_after_ms("2", 0) == 2000);
  CHECK(parse_retry_after_ms(" 0 ", 0) == 0);
  CHECK(parse_retry_after_ms("0.5", 0) == 500);
  CHECK(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:10 GMT", 1445412480) == 10000);
  CHECK_FALSE(parse_retry_after_ms("soon", 0).has_value());
}
