#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "services/server/http_error.h"
#include "services/server/openai_compat.h"

using namespace imu2clip;
using namespace imu2clip::server;
using nlohmann::json;

namespace {
int status_of(const json& body) {
  try {
    parse_chat_completion_request(body);
  } catch (const HttpError& e) {
    return e.status();
  }
  return 200;
}
}  // namespace

TEST_CASE("the question is the last user message", "[server][openai]") {
  const auto r = parse_chat_completion_request(
      {{"model", "imu2clip"},
       {"messages", {{{"role", "system"}, {"content", "be brief"}},
                     {{"role", "user"}, {"content", "first"}},
                     {{"role", "assistant"}, {"content", "answer"}},
                     {{"role", "user"}, {"content", {{{"type", "text"}, {"text", "how long did I sit"}},
                                                     {{"type", "image_url"}, {"image_url", "x"}}}}}}},
       {"stream", true}});
  CHECK(r.question == "how long did I sit");
  CHECK(r.stream);
}

TEST_CASE("malformed chat requests are refused", "[server][openai]") {
  const json user = {{"role", "user"}, {"content", "hi"}};
  CHECK(status_of({{"messages", {user}}}) == 400);
  CHECK(status_of({{"model", "gpt-4"}, {"messages", {user}}}) == 404);
  CHECK(status_of({{"model", "imu2clip"}}) == 400);
  CHECK(status_of({{"model", "imu2clip"}, {"messages", json::array()}}) == 400);
  CHECK(status_of({{"model", "imu2clip"}, {"messages", {{{"role", "system"}, {"content", "x"}}}}}) == 400);
  CHECK(status_of({{"model", "imu2clip"}, {"messages", {{{"role", "user"}, {"content", 5}}}}}) == 400);
  CHECK(status_of({{"model", "imu2clip"}, {"messages", {{{"role", "user"}, {"content", "  "}}}}}) == 400);
  CHECK(status_of({{"model", "imu2clip"}, {"messages", {user}}, {"stream", "yes"}}) == 400);
  CHECK(status_of({{"model", "imu2clip"}, {"messages", {user}}}) == 200);
}

TEST_CASE("responses have the OpenAI shapes", "[server][openai]") {
  AskResult result;
  result.answer = "You sat for 2 h.";
  result.evidence = {"[10:00] Motion: sitting"};
  const json full = chat_completion_json("chatcmpl-1", 1700000000, result);
  CHECK(full["object"] == "chat.completion");
  CHECK(full["model"] == "imu2clip");
  CHECK(full["choices"][0]["message"]["role"] == "assistant");
  CHECK(full["choices"][0]["message"]["content"] == "You sat for 2 h.");
  CHECK(full["choices"][0]["finish_reason"] == "stop");
  CHECK(full["imu2clip"]["evidence"][0] == "[10:00] Motion: sitting");

  const json first = chat_completion_chunk("c", 1, "", true);
  CHECK(first["object"] == "chat.completion.chunk");
  CHECK(first["choices"][0]["delta"]["role"] == "assistant");
  CHECK(first["choices"][0]["finish_reason"].is_null());
  const json piece = chat_completion_chunk("c", 1, "You");
  CHECK(piece["choices"][0]["delta"]["content"] == "You");
  const json last = chat_completion_chunk("c", 1, "", false, true);
  CHECK(last["choices"][0]["delta"].empty());
  CHECK(last["choices"][0]["finish_reason"] == "stop");

  CHECK(models_json(5)["data"][0]["id"] == "imu2clip");
  CHECK(sse_event({{"delta", "a"}}) == "data: {\"delta\":\"a\"}\n\n");
  CHECK(sse_done() == "data: [DONE]\n\n");
}

TEST_CASE("ask results carry the grounding and the LLM status", "[server][openai]") {
  AskResult result;
  result.answer = "a";
  result.llm.error = "connection refused";
  const json j = ask_result_json(result);
  CHECK(j["llm"]["used"] == false);
  CHECK(j["llm"]["error"] == "connection refused");
  CHECK(j["evidence"].is_array());
  CHECK(j["facts"].is_array());
}
