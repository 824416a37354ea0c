#pragma once
// Prometheus text exposition for GET /metrics: request counts by route/method/status, a
// latency histogram by route, and gauges/counters the server reads from its parts at scrape
// time (live tagger, jobs, LLM calls).
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace imu2clip::server {

class Metrics {  // thread-safe
 public:
  // `route` is the route pattern ("/v1/jobs/{id}"), never the raw path, so label sets stay few.
  void observe_request(const std::string& route, const std::string& method, int status, double seconds);
  void count_llm_call(bool failed);
  void count_job_submitted();

  struct Extra {  // values owned by other parts, read at scrape time
    int64_t windows_tagged = 0, samples_ingested = 0, live_queue_windows = 0;
    double live_lag_seconds = 0;  // LiveStats::max_lag_s
    int64_t live_failed_passes = 0, live_sessions_set_aside = 0, live_sessions_set_aside_total = 0;
    // The live audio tagger (POST /v1/audio); zeros when the server has no audio model.
    double audio_seconds_ingested = 0;
    int64_t audio_windows_tagged = 0, audio_queue_windows = 0;
    std::map<std::string, int64_t> jobs_by_state;
  };
  std::string render(const Extra& extra) const;

  static const std::vector<double>& latency_buckets_s();

 private:
  struct Histogram {
    std::vector<int64_t> counts;  // one per bucket, non-cumulative; last = +Inf
    double sum = 0;
    int64_t count = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, int64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::atomic<int64_t> llm_calls_{0}, llm_errors_{0}, jobs_submitted_{0};
};

// Escapes a Prometheus label value (backslash, quote, newline).
std::string prometheus_label(const std::string& value);

}  // namespace imu2clip::server
