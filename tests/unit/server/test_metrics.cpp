#include <catch2/catch.hpp>

#include "services/server/metrics.h"

using namespace imu2clip::server;

namespace {
bool has_line(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }
}  // namespace

TEST_CASE("metrics render request counts and a cumulative latency histogram and gauges", "[server][metrics]") {
  Metrics m;
  m.observe_request("/v1/ask", "POST", 200, 0.003);
  m.observe_request("/v1/ask", "POST", 200, 0.2);
  m.observe_request("/v1/ask", "POST", 400, 0.0005);
  m.count_llm_call(false);
  m.count_llm_call(true);
  Metrics::Extra extra;
  extra.windows_tagged = 12;
  extra.live_queue_windows = 3;
  extra.live_lag_seconds = 12.5;
  extra.jobs_by_state["done"] = 2;
  const std::string text = m.render(extra);
  CHECK(has_line(text, R"(imu2clip_http_requests_total{route="/v1/ask",method="POST",status="200"} 2)"));
  CHECK(has_line(text, R"(imu2clip_http_requests_total{route="/v1/ask",method="POST",status="400"} 1)"));
  CHECK(has_line(text, R"(imu2clip_http_request_duration_seconds_bucket{route="/v1/ask",le="0.001"} 1)"));
  CHECK(has_line(text, R"(imu2clip_http_request_duration_seconds_bucket{route="/v1/ask",le="0.005"} 2)"));
  CHECK(has_line(text, R"(imu2clip_http_request_duration_seconds_bucket{route="/v1/ask",le="+Inf"} 3)"));
  CHECK(has_line(text, R"(imu2clip_http_request_duration_seconds_count{route="/v1/ask"} 3)"));
  CHECK(has_line(text, "imu2clip_windows_tagged_total 12"));
  CHECK(has_line(text, "imu2clip_live_queue_windows 3"));
  CHECK(has_line(text, "imu2clip_live_lag_seconds 12.5"));
  CHECK(has_line(text, "imu2clip_llm_calls_total 2"));
  CHECK(has_line(text, "imu2clip_llm_errors_total 1"));
  CHECK(has_line(text, R"(imu2clip_jobs{state="done"} 2)"));
  CHECK(has_line(text, R"(imu2clip_jobs{state="failed"} 0)"));
  CHECK(prometheus_label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

TEST_CASE("metrics render the live audio tagger's seconds ingested, windows tagged and backlog", "[server][metrics]") {
  Metrics m;
  Metrics::Extra extra;
  extra.audio_seconds_ingested = 7.5;
  extra.audio_windows_tagged = 4;
  extra.audio_queue_windows = 2;
  const std::string text = m.render(extra);
  CHECK(has_line(text, "# TYPE imu2clip_audio_seconds_ingested_total counter"));
  CHECK(has_line(text, "imu2clip_audio_seconds_ingested_total 7.5"));
  CHECK(has_line(text, "imu2clip_audio_windows_tagged_total 4"));
  CHECK(has_line(text, "imu2clip_audio_queue_windows 2"));
}
