#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "llm/sse_parser.h"

using imu2clip::llm::SseEvent;
using imu2clip::llm::SseParser;

namespace {

struct Collector {
  std::vector<SseEvent> events;
  SseParser parser{[this](const SseEvent& e) { events.push_back(e); }};
};

std::vector<std::string> datas(const std::vector<SseEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.data);
  return out;
}

}  // namespace

TEST_CASE("sse: several frames in one chunk are delivered in order", "[llm][sse]") {
  Collector c;
  c.parser.feed("data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n");
  CHECK(datas(c.events) == std::vector<std::string>{"{\"a\":1}", "{\"a\":2}", "[DONE]"});
}

TEST_CASE("sse: a stream cut at every possible byte boundary gives the same events", "[llm][sse]") {
  const std::string stream =
      ": keep-alive\r\n\r\nevent: message\r\ndata: {\"x\":\"caf\xc3\xa9\"}\r\n\r\ndata: line1\ndata: line2\n\n"
      "data:no-space\r\rdata: [DONE]\n\n";
  Collector whole;
  whole.parser.feed(stream);
  REQUIRE(datas(whole.events) ==
          std::vector<std::string>{"{\"x\":\"caf\xc3\xa9\"}", "line1\nline2", "no-space", "[DONE]"});
  CHECK(whole.events[0].event == "message");
  CHECK(whole.events[1].event.empty());

  for (size_t cut1 = 0; cut1 <= stream.size(); ++cut1) {
    for (size_t cut2 = cut1; cut2 <= stream.size(); cut2 += 7) {
      Collector split;
      split.parser.feed(stream.substr(0, cut1));
      split.parser.feed(stream.substr(cut1, cut2 - cut1));
      split.parser.feed(stream.substr(cut2));
      INFO("cuts at " << cut1 << " and " << cut2);
      REQUIRE(datas(split.events) == datas(whole.events));
    }
  }
}

TEST_CASE("sse: byte-at-a-time feeding with CRLF and a CR split from its LF", "[llm][sse]") {
  const std::string stream = "data: one\r\n\r\ndata: two\r\n\r\n";
  Collector c;
  for (char ch : stream) c.parser.feed(std::string(1, ch));
  CHECK(datas(c.events) == std::vector<std::string>{"one", "two"});
}

TEST_CASE("sse: comments, retry and unknown fields are ignored, empty data still dispatches", "[llm][sse]") {
  Collector c;
  c.parser.feed(":comment only\n\nretry: 100\nfoo: bar\n\ndata\n\nid: 7\ndata: x\n\n");
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].data.empty());
  CHECK(c.events[1].data == "x");
  CHECK(c.events[1].id == "7");
}

TEST_CASE("sse: event fields do not leak into the next event", "[llm][sse]") {
  Collector c;
  c.parser.feed("event: error\ndata: {\"error\":{}}\n\ndata: after\n\n");
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].event == "error");
  CHECK(c.events[1].event.empty());
}

TEST_CASE("sse: llama.cpp's 'error:' lines become an error event", "[llm][sse]") {
  Collector c;
  c.parser.feed("error: {\"code\":500,\"message\":\"boom\"}\n\n");
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].event == "error");
  CHECK(c.events[0].data == "{\"code\":500,\"message\":\"boom\"}");
}

TEST_CASE("sse: finish() delivers a last frame without its trailing newlines", "[llm][sse]") {
  Collector c;
  c.parser.feed("data: a\n\ndata: [DONE]");
  CHECK(c.events.size() == 1);
  c.parser.finish();
  CHECK(datas(c.events) == std::vector<std::string>{"a", "[DONE]"});
  c.parser.finish();
  CHECK(c.events.size() == 2);
}

TEST_CASE("sse: an empty read between a CR and its LF does not end an extra line", "[llm][sse]") {
  // Found by tests/fuzz/sse_parser_fuzz: the empty chunk forgot the pending CR, so the LF
  // became a blank line that dispatched "one" early and split it from its second data line.
  Collector c;
  c.parser.feed("data: one\r");
  c.parser.feed("");
  c.parser.feed("\ndata: more\n\n");
  c.parser.finish();
  CHECK(datas(c.events) == std::vector<std::string>{"one\nmore"});
}
