#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llm/openai_client.h"
#include "tests/support/fake_openai_server.h"

using namespace imu2clip::llm;
using imu2clip::test::FakeOpenAiServer;
using imu2clip::test::FakeReply;

namespace {

ClientOptions options_for(const FakeOpenAiServer& server) {
  ClientOptions o;
  o.base_url = server.base_url();
  o.model = "test-model";
  o.connect_timeout_ms = 1000;
  o.first_token_timeout_ms = 1500;
  o.idle_timeout_ms = 1500;
  o.max_retries = 2;
  o.retry_base_ms = 5;
  return o;
}

ChatRequest question(const std::string& text = "What was I doing at 3pm?") {
  ChatRequest r;
  r.messages = {{"system", "Answer from the logs."}, {"user", text}};
  return r;
}

FakeReply reply_text(const std::string& text) {
  FakeReply r;
  r.text = text;
  return r;
}

FakeReply error_reply(int status, const std::string& body) {
  FakeReply r;
  r.status = status;
  r.error_body = body;
  return r;
}

std::string frame(const std::string& content) {
  return "data: " +
         nlohmann::json{{"choices", {{{"index", 0}, {"delta", {{"content", content}}}, {"finish_reason", nullptr}}}}}.dump() +
         "\n\n";
}

// Streams and records every delta; returns the result or rethrows.
struct Streamed {
  std::vector<std::string> deltas;
  std::string joined() const {
    std::string s;
    for (const auto& d : deltas) s += d;
    return s;
  }
};

ChatResult stream(OpenAiClient& client, Streamed& seen, const ChatRequest& request = question()) {
  return client.chat_stream(request, [&](const std::string& d) {
    seen.deltas.push_back(d);
    return true;
  });
}

LlmError catch_llm_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const LlmError& e) {
    return e;
  }
  FAIL("expected an LlmError");
  return LlmError(LlmErrorKind::Protocol, 0, "", "", "unreachable");
}

}  // namespace

TEST_CASE("client: plain chat returns the server's answer and sends model and messages", "[llm][client]") {
  FakeOpenAiServer server;
  server.set_default_reply(reply_text("You were walking."));
  OpenAiClient client(options_for(server));
  ChatResult result = client.chat(question());
  CHECK(result.content == "You were walking.");
  CHECK(result.finish_reason == "stop");
  CHECK(result.model == "fake-model");

  auto sent = server.last_request();
  CHECK(sent.path == "/v1/chat/completions");
  auto body = nlohmann::json::parse(sent.body);
  CHECK(body["model"] == "test-model");
  CHECK(body["stream"] == false);
  REQUIRE(body["messages"].size() == 2);
  CHECK(body["messages"][1]["content"] == "What was I doing at 3pm?");
  CHECK(sent.header("content-type") == "application/json");
}

TEST_CASE("client: streamed deltas arrive piece by piece and join to the full answer", "[llm][client]") {
  FakeOpenAiServer server;
  server.set_default_reply(reply_text("You sat at your desk from 3 to 4 pm."));
  OpenAiClient client(options_for(server));
  Streamed seen;
  ChatResult result = stream(client, seen);
  CHECK(result.content == "You sat at your desk from 3 to 4 pm.");
  CHECK(seen.joined() == result.content);
  CHECK(seen.deltas.size() > 3);
  CHECK(result.finish_reason == "stop");
  CHECK(nlohmann::json::parse(server.last_request().body)["stream"] == true);
  CHECK(server.last_request().header("accept") == "text/event-stream");
}

TEST_CASE("client: frames split at arbitrary byte boundaries across TCP writes", "[llm][client]") {
  FakeOpenAiServer server;
  OpenAiClient client(options_for(server));
  const std::string text = "Steps: 4120, mostly walking \xe2\x80\x94 then cycling.";
  for (size_t chunk : {1, 3, 7, 64}) {
    FakeReply reply = reply_text(text);
    reply.chunk_bytes = chunk;
    reply.chunk_delay_ms = chunk == 7 ? 1 : 0;
    server.push_reply(reply);
    Streamed seen;
    INFO("chunk bytes " << chunk);
    CHECK(stream(client, seen).content == text);
    CHECK(seen.joined() == text);
  }
}

TEST_CASE("client: comment lines, event lines and CRLF in the stream are tolerated", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply reply;
  reply.raw_frames = {": ping\r\n\r\n", "event: message\r\n" + frame("Hel").substr(0, frame("Hel").size() - 2) + "\r\n\r\n",
                      frame("lo"), "data: [DONE]\r\n\r\n"};
  server.set_default_reply(reply);
  OpenAiClient client(options_for(server));
  Streamed seen;
  CHECK(stream(client, seen).content == "Hello");
  CHECK(seen.deltas == std::vector<std::string>{"Hel", "lo"});
}

TEST_CASE("client: an OpenAI error body becomes LlmError with status, type and code", "[llm][client]") {
  FakeOpenAiServer server;
  server.set_default_reply(error_reply(
      400, R"({"error":{"message":"context length exceeded","type":"invalid_request_error","code":"context_length_exceeded"}})"));
  OpenAiClient client(options_for(server));
  LlmError e = catch_llm_error([&] { client.chat(question()); });
  CHECK(e.kind() == LlmErrorKind::Api);
  CHECK(e.http_status() == 400);
  CHECK(e.type() == "invalid_request_error");
  CHECK(e.code() == "context_length_exceeded");
  CHECK_THAT(e.what(), Catch::Contains("context length exceeded"));
  CHECK(server.request_count() == 1);  // 400 is not retried

  Streamed seen;
  LlmError s = catch_llm_error([&] { stream(client, seen); });
  CHECK(s.kind() == LlmErrorKind::Api);
  CHECK(s.code() == "context_length_exceeded");
}

TEST_CASE("client: a non-JSON error page gives a readable Http error", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply reply = error_reply(404, "404 page not found");
  reply.error_content_type = "text/plain";
  server.set_default_reply(reply);
  OpenAiClient client(options_for(server));
  LlmError e = catch_llm_error([&] { client.chat(question()); });
  CHECK(e.kind() == LlmErrorKind::Http);
  CHECK(e.http_status() == 404);
  CHECK_THAT(e.what(), Catch::Contains("404") && Catch::Contains("page not found") &&
                           Catch::Contains("/v1/chat/completions"));
}

TEST_CASE("client: an error object arriving mid-stream becomes an Api error", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply reply;
  reply.raw_frames = {frame("Partial"),
                      R"(data: {"error":{"message":"out of memory","type":"server_error","code":"oom"}})" "\n\n"};
  server.set_default_reply(reply);
  OpenAiClient client(options_for(server));
  Streamed seen;
  LlmError e = catch_llm_error([&] { stream(client, seen); });
  CHECK(e.kind() == LlmErrorKind::Api);
  CHECK(e.type() == "server_error");
  CHECK(e.code() == "oom");
  CHECK_THAT(e.what(), Catch::Contains("out of memory"));
  CHECK(seen.joined() == "Partial");
  CHECK(server.request_count() == 1);
}

TEST_CASE("client: llama.cpp style 'error:' frame is reported", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply reply;
  reply.raw_frames = {"error: {\"code\":500,\"message\":\"slot unavailable\",\"type\":\"server_error\"}\n\n"};
  server.set_default_reply(reply);
  OpenAiClient client(options_for(server));
  Streamed seen;
  LlmError e = catch_llm_error([&] { stream(client, seen); });
  CHECK(e.kind() == LlmErrorKind::Api);
  CHECK(e.code() == "500");
  CHECK_THAT(e.what(), Catch::Contains("slot unavailable"));
}

TEST_CASE("client: 429 with Retry-After is retried and then succeeds", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply limited = error_reply(429, R"({"error":{"message":"slow down","type":"rate_limit_error","code":"rate_limited"}})");
  limited.headers = {{"Retry-After", "0"}};
  server.push_reply(limited);
  server.set_default_reply(reply_text("Done."));
  OpenAiClient client(options_for(server));
  CHECK(client.chat(question()).content == "Done.");
  CHECK(server.request_count() == 2);

  server.push_reply(limited);
  Streamed seen;
  CHECK(stream(client, seen).content == "Done.");
  CHECK(server.request_count() == 4);
}

TEST_CASE("client: 500 is retried max_retries times, then the error is reported", "[llm][client]") {
  FakeOpenAiServer server;
  server.set_default_reply(error_reply(500, R"({"error":{"message":"internal","type":"server_error","code":null}})"));
  ClientOptions options = options_for(server);
  options.max_retries = 3;
  OpenAiClient client(options);
  LlmError e = catch_llm_error([&] { client.chat(question()); });
  CHECK(e.kind() == LlmErrorKind::Api);
  CHECK(e.http_status() == 500);
  CHECK(server.request_count() == 4);

  options.max_retries = 0;
  OpenAiClient no_retry(options);
  catch_llm_error([&] { no_retry.chat(question()); });
  CHECK(server.request_count() == 5);
}

TEST_CASE("client: a stream that broke after content was delivered is not retried", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply reply = reply_text("one two three four five");
  reply.drop_after_bytes = static_cast<long>(FakeOpenAiServer::stream_frames(reply)[0].size() +
                                             FakeOpenAiServer::stream_frames(reply)[1].size() + 10);
  server.push_reply(reply);
  server.set_default_reply(reply_text("never sent"));
  OpenAiClient client(options_for(server));
  Streamed seen;
  LlmError e = catch_llm_error([&] { stream(client, seen); });
  CHECK(e.kind() == LlmErrorKind::Connect);
  CHECK(seen.joined() == "one");
  CHECK(server.request_count() == 1);
}

TEST_CASE("client: a connection dropped before any content is retried", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply dropped = reply_text("lost");
  dropped.drop_after_bytes = 5;
  server.push_reply(dropped);
  server.set_default_reply(reply_text("second try"));
  OpenAiClient client(options_for(server));
  Streamed seen;
  CHECK(stream(client, seen).content == "second try");
  CHECK(seen.joined() == "second try");
  CHECK(server.request_count() == 2);
}

TEST_CASE("client: a dropped connection with no retries left is a Connect error", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply dropped = reply_text("lost");
  dropped.drop_after_bytes = 5;
  server.set_default_reply(dropped);
  ClientOptions options = options_for(server);
  options.max_retries = 1;
  OpenAiClient client(options);
  Streamed seen;
  LlmError e = catch_llm_error([&] { stream(client, seen); });
  CHECK(e.kind() == LlmErrorKind::Connect);
  CHECK(seen.deltas.empty());
  CHECK(server.request_count() == 2);
}

TEST_CASE("client: a slow first token times out after first_token_timeout", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply slow = reply_text("too late");
  slow.first_token_delay_ms = 1500;
  server.set_default_reply(slow);
  ClientOptions options = options_for(server);
  options.first_token_timeout_ms = 300;
  OpenAiClient client(options);

  Streamed seen;
  LlmError e = catch_llm_error([&] { stream(client, seen); });
  CHECK(e.kind() == LlmErrorKind::Timeout);
  CHECK_THAT(e.what(), Catch::Contains("300 ms"));
  CHECK(seen.deltas.empty());
  CHECK(server.request_count() == 1);  // a slow model is not hammered with retries

  LlmError plain = catch_llm_error([&] { client.chat(question()); });
  CHECK(plain.kind() == LlmErrorKind::Timeout);
}

TEST_CASE("client: keep-alive comments do not count as the first token", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply pings;
  pings.raw_frames = {": ping\n\n", ": ping\n\n", ": ping\n\n", ": ping\n\n", ": ping\n\n", frame("late"), "data: [DONE]\n\n"};
  pings.chunk_delay_ms = 100;
  server.set_default_reply(pings);
  ClientOptions options = options_for(server);
  options.first_token_timeout_ms = 250;
  OpenAiClient client(options);
  Streamed seen;
  CHECK(catch_llm_error([&] { stream(client, seen); }).kind() == LlmErrorKind::Timeout);
}

TEST_CASE("client: a stream that goes silent mid-answer hits the idle timeout", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply stalls;
  stalls.raw_frames = {frame("Start"), frame(" never")};
  stalls.chunk_delay_ms = 1500;
  server.set_default_reply(stalls);
  ClientOptions options = options_for(server);
  options.idle_timeout_ms = 300;
  OpenAiClient client(options);
  Streamed seen;
  LlmError e = catch_llm_error([&] { stream(client, seen); });
  CHECK(e.kind() == LlmErrorKind::Timeout);
  CHECK_THAT(e.what(), Catch::Contains("idle"));
  CHECK(seen.joined() == "Start");
}

TEST_CASE("client: nobody listening is a Connect error after the retries", "[llm][client]") {
  std::string url;
  {
    FakeOpenAiServer closed;
    url = closed.base_url();
  }
  ClientOptions options;
  options.base_url = url;
  options.retry_base_ms = 1;
  OpenAiClient client(options);
  LlmError e = catch_llm_error([&] { client.chat(question()); });
  CHECK(e.kind() == LlmErrorKind::Connect);
  CHECK_THAT(e.what(), Catch::Contains(url));
}

TEST_CASE("client: base URL works with and without /v1", "[llm][client]") {
  FakeOpenAiServer server;
  for (const std::string& base : {server.base_url(), server.base_url() + "/", server.base_url() + "/v1",
                                  server.base_url() + "/v1/"}) {
    ClientOptions options = options_for(server);
    options.base_url = base;
    OpenAiClient client(options);
    INFO(base);
    CHECK(client.api_root() == server.base_url() + "/v1");
    CHECK_FALSE(client.chat(question()).content.empty());
    CHECK(server.last_request().path == "/v1/chat/completions");
  }
}

TEST_CASE("client: an unusable base URL is reported at the first request", "[llm][client]") {
  ClientOptions options;
  options.base_url = "";
  OpenAiClient client(options);
  CHECK(client.api_root().empty());
  LlmError e = catch_llm_error([&] { client.chat(question()); });
  CHECK(e.kind() == LlmErrorKind::Connect);
}

TEST_CASE("client: Authorization is sent only when an API key is configured", "[llm][client]") {
  FakeOpenAiServer server;
  ClientOptions options = options_for(server);
  OpenAiClient anonymous(options);
  anonymous.chat(question());
  CHECK_FALSE(server.last_request().has_header("authorization"));

  options.api_key = "sk-test-123";
  OpenAiClient keyed(options);
  keyed.chat(question());
  CHECK(server.last_request().header("authorization") == "Bearer sk-test-123");
  keyed.models();
  CHECK(server.last_request().header("authorization") == "Bearer sk-test-123");
}

TEST_CASE("client: a rejected API key is an Api error that does not reveal the key", "[llm][client]") {
  FakeOpenAiServer server;
  server.require_api_key("right-key");
  ClientOptions options = options_for(server);
  options.api_key = "wrong-secret-key";
  OpenAiClient client(options);
  LlmError e = catch_llm_error([&] { client.chat(question()); });
  CHECK(e.kind() == LlmErrorKind::Api);
  CHECK(e.http_status() == 401);
  CHECK(e.code() == "invalid_api_key");
  CHECK_THAT(e.what(), !Catch::Contains("wrong-secret-key"));
  CHECK(server.request_count() == 1);
}

TEST_CASE("client: models() lists the server's model ids", "[llm][client]") {
  FakeOpenAiServer server;
  server.set_models({"qwen2.5-7b-instruct", "llama-3.1-8b"});
  OpenAiClient client(options_for(server));
  CHECK(client.models() == std::vector<std::string>{"qwen2.5-7b-instruct", "llama-3.1-8b"});
  CHECK(server.last_request().method == "GET");
  CHECK(server.last_request().path == "/v1/models");
}

TEST_CASE("client: returning false from on_delta cancels the stream", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply reply = reply_text("a b c d e f g h");
  reply.chunk_delay_ms = 5;
  server.set_default_reply(reply);
  OpenAiClient client(options_for(server));
  int calls = 0;
  LlmError e = catch_llm_error([&] {
    client.chat_stream(question(), [&](const std::string&) { return ++calls < 2; });
  });
  CHECK(e.kind() == LlmErrorKind::Cancelled);
  CHECK(calls == 2);
  CHECK(server.request_count() == 1);
}

TEST_CASE("client: a server that ignores stream=true still delivers the answer", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply reply = reply_text("Whole answer at once.");
  reply.ignore_stream = true;
  server.set_default_reply(reply);
  OpenAiClient client(options_for(server));
  Streamed seen;
  CHECK(stream(client, seen).content == "Whole answer at once.");
  CHECK(seen.deltas == std::vector<std::string>{"Whole answer at once."});
}

TEST_CASE("client: a stream closed before [DONE] and finish_reason is a Protocol error", "[llm][client]") {
  FakeOpenAiServer server;
  FakeReply reply;
  reply.raw_frames = {frame("cut")};
  server.set_default_reply(reply);
  OpenAiClient client(options_for(server));
  Streamed seen;
  CHECK(catch_llm_error([&] { stream(client, seen); }).kind() == LlmErrorKind::Protocol);
}
