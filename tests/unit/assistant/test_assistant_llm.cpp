#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "assistant/assistant.h"
#include "hand_made_log.h"
#include "tests/support/fake_openai_server.h"

using namespace imu2clip;

namespace {

// A loopback port nobody listens on: bind, read the port, close.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

AskRequest walking_question(const test::HandMadeLog& log) {
  AskRequest r;
  r.question = "How long did I walk today?";
  r.as_of_utc_ms = log.at("2024-05-14T23:00:00");
  r.tz = log.tz;
  return r;
}

}  // namespace

TEST_CASE("an unreachable LLM falls back to the built-in answer and says so", "[assistant][llm]") {
  test::HandMadeLog log("llm_fallback");
  llm::ClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(closed_port());
  o.model = "nobody";
  o.max_retries = 0;
  o.connect_timeout_ms = 1000;
  Assistant assistant(log.db, o, "");
  std::string streamed;
  auto r = assistant.ask(log.user, walking_question(log), [&](const std::string& d) {
    streamed += d;
    return true;
  });
  CHECK(!r.llm.used);
  CHECK(!r.llm.error.empty());
  CHECK_THAT(r.answer, Catch::StartsWith("(The language model could not be reached"));
  CHECK_THAT(r.answer, Catch::Contains("1 hour 7 minutes walking"));
  CHECK(streamed == r.answer);
  CHECK(!r.evidence.empty());
}

TEST_CASE("without an LLM the built-in answer arrives in one piece", "[assistant][llm]") {
  test::HandMadeLog log("llm_none");
  Assistant assistant(log.db, std::nullopt, "");
  std::vector<std::string> pieces;
  auto r = assistant.ask(log.user, walking_question(log), [&](const std::string& d) {
    pieces.push_back(d);
    return true;
  });
  CHECK(!r.llm.used);
  CHECK(r.llm.error.empty());
  REQUIRE(pieces.size() == 1);
  CHECK(pieces[0] == r.answer);
}

TEST_CASE("the LLM path streams deltas and puts log lines and facts in the prompt", "[assistant][llm]") {
  test::HandMadeLog log("llm_stream");
  test::FakeOpenAiServer server;
  test::FakeReply reply;
  reply.text = "You walked for 1 hour and 7 minutes today.";
  reply.model = "fake-model";
  server.set_default_reply(reply);
  llm::ClientOptions o;
  o.base_url = server.base_url();
  o.model = "fake-model";
  Assistant assistant(log.db, o, "");
  std::vector<std::string> deltas;
  auto r = assistant.ask(log.user, walking_question(log), [&](const std::string& d) {
    deltas.push_back(d);
    return true;
  });
  CHECK(r.llm.used);
  CHECK(r.llm.model == "fake-model");
  CHECK(r.answer == reply.text);
  CHECK(deltas.size() > 1);
  std::string joined;
  for (const auto& d : deltas) joined += d;
  CHECK(joined == reply.text);

  REQUIRE(server.request_count() >= 1);
  auto body = nlohmann::json::parse(server.last_request().body);
  CHECK(body["stream"] == true);
  CHECK(body["model"] == "fake-model");
  REQUIRE(body["messages"].size() == 2);
  CHECK(body["messages"][0]["role"] == "system");
  std::string user = body["messages"][1]["content"];
  CHECK_THAT(user, Catch::Contains("How long did I walk today?"));
  CHECK_THAT(user, Catch::Contains("[08:00-08:30] Context: walking (30 min)"));  // a day of minutes, merged
  CHECK_THAT(user, Catch::Contains("\"minutes\": 67"));
  // the model sees the plan the answer was computed from
  CHECK_THAT(user, Catch::Contains("\"type\": \"plan\""));
  CHECK_THAT(user, Catch::Contains("\"measure\": \"duration\""));
  CHECK_THAT(user, Catch::Contains("Tuesday 2024-05-14"));
}

TEST_CASE("an LLM error reply also falls back", "[assistant][llm]") {
  test::HandMadeLog log("llm_error");
  test::FakeOpenAiServer server;
  test::FakeReply bad;
  bad.status = 400;
  bad.error_body = R"({"error":{"message":"model not found","type":"invalid_request_error","code":"model_not_found"}})";
  server.set_default_reply(bad);
  llm::ClientOptions o;
  o.base_url = server.base_url();
  o.model = "missing";
  o.max_retries = 0;
  Assistant assistant(log.db, o, "");
  auto r = assistant.ask(log.user, walking_question(log));
  CHECK(!r.llm.used);
  CHECK_THAT(r.llm.error, Catch::Contains("model not found"));
  CHECK_THAT(r.answer, Catch::Contains("1 hour 7 minutes walking"));
}
