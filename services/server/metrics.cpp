#include "services/server/metrics.h"

#include <sstream>

namespace imu2clip::server {

const std::vector<double>& Metrics::latency_buckets_s() {
  static const std::vector<double> buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                              0.25,  0.5,    1,     2.5,  5,     10,   30};
  return buckets;
}

void Metrics::observe_request(const std::string& route, const std::string& method, int status, double seconds) {
  const auto& buckets = latency_buckets_s();
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, method, status}];
  Histogram& h = latency_[route];
  if (h.counts.empty()) h.counts.assign(buckets.size() + 1, 0);
  size_t b = 0;
  while (b < buckets.size() && seconds > buckets[b]) ++b;
  ++h.counts[b];
  h.sum += seconds;
  ++h.count;
}

void Metrics::count_llm_call(bool failed) {
  ++llm_calls_;
  if (failed) ++llm_errors_;
}

void Metrics::count_job_submitted() { ++jobs_submitted_; }

std::string prometheus_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string Metrics::render(const Extra& extra) const {
  std::ostringstream out;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out << "# HELP imu2clip_http_requests_total HTTP requests by route, method and status.\n"
           "# TYPE imu2clip_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      const auto& [route, method, status] = key;
      out << "imu2clip_http_requests_total{route=\"" << prometheus_label(route) << "\",method=\""
          << prometheus_label(method) << "\",status=\"" << status << "\"} " << n << "\n";
    }
    out << "# HELP imu2clip_http_request_duration_seconds Time from request headers to response end.\n"
           "# TYPE imu2clip_http_request_duration_seconds histogram\n";
    const auto& buckets = latency_buckets_s();
    for (const auto& [route, h] : latency_) {
      const std::string label = "route=\"" + prometheus_label(route) + "\"";
      int64_t cumulative = 0;
      for (size_t b = 0; b < buckets.size(); ++b) {
        cumulative += h.counts[b];
        out << "imu2clip_http_request_duration_seconds_bucket{" << label << ",le=\"" << buckets[b] << "\"} "
            << cumulative << "\n";
      }
      cumulative += h.counts.back();
      out << "imu2clip_http_request_duration_seconds_bucket{" << label << ",le=\"+Inf\"} " << cumulative << "\n";
      out << "imu2clip_http_request_duration_seconds_sum{" << label << "} " << h.sum << "\n";
      out << "imu2clip_http_request_duration_seconds_count{" << label << "} " << h.count << "\n";
    }
  }
  out << "# HELP imu2clip_windows_tagged_total Windows the live tagger has tagged.\n"
         "# TYPE imu2clip_windows_tagged_total counter\n"
      << "imu2clip_windows_tagged_total " << extra.windows_tagged << "\n"
      << "# HELP imu2clip_samples_ingested_total IMU samples accepted by POST /v1/imu.\n"
         "# TYPE imu2clip_samples_ingested_total counter\n"
      << "imu2clip_samples_ingested_total " << extra.samples_ingested << "\n"
      << "# HELP imu2clip_live_queue_windows Windows waiting for the live tagger.\n"
         "# TYPE imu2clip_live_queue_windows gauge\n"
      << "imu2clip_live_queue_windows " << extra.live_queue_windows << "\n"
      << "# HELP imu2clip_live_lag_seconds Newest stored sample minus the end of the newest tagged window, "
         "for the live session furthest behind.\n"
         "# TYPE imu2clip_live_lag_seconds gauge\n"
      << "imu2clip_live_lag_seconds " << extra.live_lag_seconds << "\n"
      << "# HELP imu2clip_live_failed_passes_total Live tagging passes over a session that failed.\n"
         "# TYPE imu2clip_live_failed_passes_total counter\n"
      << "imu2clip_live_failed_passes_total " << extra.live_failed_passes << "\n"
      << "# HELP imu2clip_live_sessions_set_aside_total Live sessions set aside after failing repeatedly "
         "(their backlog stops counting towards the limits; they are retried with backoff).\n"
         "# TYPE imu2clip_live_sessions_set_aside_total counter\n"
      << "imu2clip_live_sessions_set_aside_total " << extra.live_sessions_set_aside_total << "\n"
      << "# HELP imu2clip_live_sessions_set_aside Live sessions set aside now.\n"
         "# TYPE imu2clip_live_sessions_set_aside gauge\n"
      << "imu2clip_live_sessions_set_aside " << extra.live_sessions_set_aside << "\n"
      << "# HELP imu2clip_audio_seconds_ingested_total Seconds of audio accepted by POST /v1/audio.\n"
         "# TYPE imu2clip_audio_seconds_ingested_total counter\n"
      << "imu2clip_audio_seconds_ingested_total " << extra.audio_seconds_ingested << "\n"
      << "# HELP imu2clip_audio_windows_tagged_total Audio windows the live audio tagger has tagged.\n"
         "# TYPE imu2clip_audio_windows_tagged_total counter\n"
      << "imu2clip_audio_windows_tagged_total " << extra.audio_windows_tagged << "\n"
      << "# HELP imu2clip_audio_queue_windows Audio windows waiting for the live audio tagger.\n"
         "# TYPE imu2clip_audio_queue_windows gauge\n"
      << "imu2clip_audio_queue_windows " << extra.audio_queue_windows << "\n"
      << "# HELP imu2clip_llm_calls_total Questions answered with a language model configured.\n"
         "# TYPE imu2clip_llm_calls_total counter\n"
      << "imu2clip_llm_calls_total " << llm_calls_.load() << "\n"
      << "# HELP imu2clip_llm_errors_total Language model calls that failed (answer fell back).\n"
         "# TYPE imu2clip_llm_errors_total counter\n"
      << "imu2clip_llm_errors_total " << llm_errors_.load() << "\n"
      << "# HELP imu2clip_jobs_submitted_total Recording upload jobs submitted.\n"
         "# TYPE imu2clip_jobs_submitted_total counter\n"
      << "imu2clip_jobs_submitted_total " << jobs_submitted_.load() << "\n"
      << "# HELP imu2clip_jobs Recording upload jobs by state.\n"
         "# TYPE imu2clip_jobs gauge\n";
  for (const char* state : {"queued", "running", "done", "failed"}) {
    auto it = extra.jobs_by_state.find(state);
    out << "imu2clip_jobs{state=\"" << state << "\"} " << (it == extra.jobs_by_state.end() ? 0 : it->second) << "\n";
  }
  return out.str();
}

}  // namespace imu2clip::server
