#pragma once
// One HTTP request over libcurl with the timeouts an LLM call needs: connect, first token, idle.
// curl's own CURLOPT_TIMEOUT caps the whole transfer, which would cut off a long but healthy stream, so
// first-token and idle deadlines are checked here instead, in a curl_multi loop that wakes every 20 ms.
// Errors are returned, not thrown, so the caller can decide about retries; only an exception thrown by the
// body sink is rethrown (after curl has been cleaned up).
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace imu2clip::llm {

struct HttpRequest {
  std::string method = "GET";  // "GET" or "POST"
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  int connect_timeout_ms = 5000;
  int first_token_timeout_ms = 60000;  // from the start until the sink reports the first token
  int idle_timeout_ms = 30000;         // longest silence once the first token arrived
  int total_timeout_ms = 0;            // the whole transfer, however it goes (0 = no limit)
  size_t max_response_bytes = 16u << 20;  // body bytes received before the transfer is stopped
};

struct ResponseHead {
  int status = 0;
  std::string content_type;
  std::string retry_after;  // raw Retry-After header, "" when absent
};

// Lets the body sink say what counts as "the first token": for a plain response any body byte, for a
// stream the first data event (keep-alive comments do not count).
class TransferClock {
 public:
  using Clock = std::chrono::steady_clock;
  void mark_first_token() { first_token_seen_ = true; }
  bool first_token_seen() const { return first_token_seen_; }
  void mark_activity() { last_activity_ = Clock::now(); }

 private:
  friend class CurlTransport;
  bool first_token_seen_ = false;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_activity_ = started_;
};

enum class TransferStatus {
  Completed,         // the full response arrived (any HTTP status)
  InvalidUrl,        // curl could not use the URL / protocol: not worth retrying
  ConnectFailed,     // DNS, refused, TLS handshake
  ConnectTimeout,
  FirstTokenTimeout,
  IdleTimeout,
  TotalTimeout,      // total_timeout_ms passed
  TooLarge,          // the body passed max_response_bytes
  Dropped,           // the connection broke while sending or receiving
  Aborted,           // the sink returned false
};

struct TransferResult {
  TransferStatus status = TransferStatus::Completed;
  ResponseHead head;
  std::string error;        // curl's description when status is not Completed
  size_t body_bytes = 0;
};

// Receives body bytes as they arrive; return false to stop the transfer (status Aborted).
using BodySink = std::function<bool(std::string_view bytes, const ResponseHead& head, TransferClock& clock)>;

class CurlTransport {
 public:
  TransferResult perform(const HttpRequest& request, const BodySink& sink);
};

}  // namespace imu2clip::llm
