#include "llm/openai_client.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "llm/chat_json.h"
#include "llm/curl_transport.h"
#include "llm/retry_policy.h"
#include "llm/sse_parser.h"
#include "llm/url.h"

namespace imu2clip::llm {
namespace {

bool is_success(int status) { return status >= 200 && status < 300; }

bool is_event_stream(const std::string& content_type) {
  return content_type.find("text/event-stream") != std::string::npos;
}

// What one failed attempt means for the caller.
struct AttemptFailure {
  LlmError error;
  bool retryable;
  std::optional<int64_t> retry_after_ms;
};

AttemptFailure transport_failure(const TransferResult& result, const HttpRequest& request) {
  const std::string url = redact_url(request.url);
  switch (result.status) {
    case TransferStatus::InvalidUrl:
      return {LlmError(LlmErrorKind::Connect, 0, "", "", "cannot use the LLM URL " + url + ": " + result.error), false, {}};
    case TransferStatus::ConnectFailed:
      return {LlmError(LlmErrorKind::Connect, 0, "", "", "cannot reach the LLM server at " + url + ": " + result.error +
                                                          "; check the base URL and that the server is running"),
              true, {}};
    case TransferStatus::ConnectTimeout:
      return {LlmError(LlmErrorKind::Timeout, 0, "", "", "connecting to the LLM server at " + url + " took longer than " +
                                                          std::to_string(request.connect_timeout_ms) + " ms"),
              true, {}};
    case TransferStatus::FirstTokenTimeout:
      return {LlmError(LlmErrorKind::Timeout, result.head.status, "", "",
                       "the LLM server at " + url + " sent no answer within " +
                           std::to_string(request.first_token_timeout_ms) +
                           " ms (first-token timeout); raise it for slow models"),
              false, {}};
    case TransferStatus::IdleTimeout:
      return {LlmError(LlmErrorKind::Timeout, result.head.status, "", "",
                       "the LLM server at " + url + " went silent for " + std::to_string(request.idle_timeout_ms) +
                           " ms mid-answer (idle timeout)"),
              false, {}};
    case TransferStatus::TotalTimeout:
      return {LlmError(LlmErrorKind::Timeout, result.head.status, "", "",
                       "the LLM server at " + url + " did not finish within " +
                           std::to_string(request.total_timeout_ms) + " ms (total timeout)"),
              false, {}};
    case TransferStatus::TooLarge:
      return {LlmError(LlmErrorKind::Protocol, result.head.status, "", "",
                       "the LLM server at " + url + " sent more than " + std::to_string(request.max_response_bytes) +
                           " bytes; that is not an answer"),
              false, {}};
    case TransferStatus::Dropped:
      return {LlmError(LlmErrorKind::Connect, result.head.status, "", "",
                       "the connection to the LLM server at " + url + " broke: " + result.error),
              true, {}};
    case TransferStatus::Aborted:
    case TransferStatus::Completed:
      break;
  }
  return {LlmError(LlmErrorKind::Protocol, result.head.status, "", "", "unexpected transfer state for " + url), false, {}};
}

AttemptFailure http_failure(const TransferResult& result, const std::string& body, const HttpRequest& request) {
  std::optional<int64_t> retry_after;
  if (!result.head.retry_after.empty())
    retry_after = parse_retry_after_ms(result.head.retry_after, static_cast<int64_t>(std::time(nullptr)));
  return {error_from_response(result.head.status, body, redact_url(request.url)),
          is_retryable_status(result.head.status), retry_after};
}

}  // namespace

OpenAiClient::OpenAiClient(ClientOptions options) : options_(std::move(options)) {
  // A bad base URL is reported by the first request, so a misconfigured LLM degrades the caller's
  // feature instead of failing its construction.
  try {
    api_root_ = normalise_api_root(options_.base_url);
  } catch (const LlmError&) {
    api_root_.clear();
  }
}

namespace {

// Runs `attempt` until it succeeds, fails for good, or max_retries retries are used up. `attempt` returns
// nullopt on success, the failure otherwise; `delivered` tells whether the caller already saw content
// (then nothing is retried, because the caller cannot take streamed text back).
// `attempt` gets the milliseconds left of options.total_timeout_ms (0 = no limit) for its transfer.
template <typename Attempt>
void run_with_retries(const ClientOptions& options, const std::string& url, Attempt&& attempt,
                      const bool& delivered) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  using Clock = std::chrono::steady_clock;
  const Clock::time_point started = Clock::now();
  const auto left_ms = [&]() -> int64_t {
    if (options.total_timeout_ms <= 0) return 0;
    const auto used = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    return std::max<int64_t>(1, options.total_timeout_ms - used);
  };
  for (int retry = 0;; ++retry) {
    std::optional<AttemptFailure> failure = attempt(static_cast<int>(left_ms()));
    if (!failure) return;
    if (!failure->retryable || delivered || retry >= options.max_retries) throw failure->error;
    int64_t delay = backoff_delay_ms(retry, options.retry_base_ms, options.max_retry_delay_ms, rng);
    if (failure->retry_after_ms) {
      // A server asking for a longer pause than we are willing to wait gets its error reported, not hammered.
      if (*failure->retry_after_ms > options.max_retry_delay_ms) throw failure->error;
      delay = *failure->retry_after_ms;
    }
    // No retry that could not finish within the call's total time.
    if (options.total_timeout_ms > 0 && delay >= left_ms()) throw failure->error;
    spdlog::warn("LLM request to {} failed ({}); retry {}/{} in {} ms", redact_url(url), failure->error.what(),
                 retry + 1, options.max_retries, delay);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
}

HttpRequest make_request(const ClientOptions& options, const std::string& api_root, const std::string& method,
                         const std::string& endpoint, std::string body, bool stream) {
  if (api_root.empty()) normalise_api_root(options.base_url);  // throws the configuration error
  HttpRequest request;
  request.method = method;
  request.url = endpoint_url(api_root, endpoint);
  request.body = std::move(body);
  request.connect_timeout_ms = options.connect_timeout_ms;
  request.first_token_timeout_ms = options.first_token_timeout_ms;
  request.idle_timeout_ms = options.idle_timeout_ms;
  request.max_response_bytes = options.max_response_bytes;
  if (method == "POST") request.headers.push_back("Content-Type: application/json");
  request.headers.push_back(stream ? "Accept: text/event-stream" : "Accept: application/json");
  if (!options.api_key.empty()) request.headers.push_back("Authorization: Bearer " + options.api_key);
  return request;
}

// A plain request: the whole body, or LlmError. Any body byte counts as the first token.
std::string fetch(const ClientOptions& options, const HttpRequest& request) {
  CurlTransport transport;
  std::string body;
  const bool delivered = false;
  run_with_retries(options, request.url, [&](int budget_ms) -> std::optional<AttemptFailure> {
    body.clear();
    HttpRequest bounded = request;
    bounded.total_timeout_ms = budget_ms;
    TransferResult result = transport.perform(bounded, [&](std::string_view bytes, const ResponseHead&, TransferClock& clock) {
      clock.mark_first_token();
      body.append(bytes);
      return true;
    });
    if (result.status != TransferStatus::Completed) return transport_failure(result, bounded);
    if (!is_success(result.head.status)) return http_failure(result, body, bounded);
    return std::nullopt;
  }, delivered);
  return body;
}

}  // namespace

ChatResult OpenAiClient::chat(const ChatRequest& request) {
  HttpRequest http = make_request(options_, api_root_, "POST", "chat/completions",
                                  chat_request_body(options_.model, request, /*stream=*/false), /*stream=*/false);
  return parse_chat_response(fetch(options_, http));
}

std::vector<std::string> OpenAiClient::models() {
  HttpRequest http = make_request(options_, api_root_, "GET", "models", "", /*stream=*/false);
  return parse_models(fetch(options_, http));
}

ChatResult OpenAiClient::chat_stream(const ChatRequest& request,
                                     const std::function<bool(const std::string&)>& on_delta) {
  HttpRequest http = make_request(options_, api_root_, "POST", "chat/completions",
                                  chat_request_body(options_.model, request, /*stream=*/true), /*stream=*/true);
  CurlTransport transport;
  ChatResult result;
  bool delivered = false;
  auto deliver = [&](const std::string& piece) {
    if (piece.empty()) return true;
    result.content += piece;
    delivered = true;
    return !on_delta || on_delta(piece);
  };

  run_with_retries(options_, http.url, [&](int budget_ms) -> std::optional<AttemptFailure> {
    http.total_timeout_ms = budget_ms;
    result = ChatResult{};
    std::string plain_body;  // error bodies, and servers that answer a stream request with plain JSON
    bool done = false;
    bool cancelled = false;
    int http_status = 0;
    TransferClock* clock_ptr = nullptr;
    SseParser parser([&](const SseEvent& event) {
      if (done || cancelled) return;
      if (clock_ptr) clock_ptr->mark_first_token();
      if (event.data == "[DONE]") {
        done = true;
        return;
      }
      if (event.event == "error") throw error_from_error_event(event.data, http_status);
      StreamChunk chunk = parse_stream_chunk(event.data, http_status);
      if (!chunk.model.empty()) result.model = chunk.model;
      if (!chunk.finish_reason.empty()) result.finish_reason = chunk.finish_reason;
      if (!deliver(chunk.delta)) cancelled = true;
    });

    TransferResult transfer = transport.perform(http, [&](std::string_view bytes, const ResponseHead& head, TransferClock& clock) {
      http_status = head.status;
      if (!is_success(head.status) || !is_event_stream(head.content_type)) {
        clock.mark_first_token();
        plain_body.append(bytes);
        return true;
      }
      clock_ptr = &clock;
      parser.feed(bytes);
      // Stop at [DONE]: some proxies keep the connection open after it.
      return !done && !cancelled;
    });

    if (cancelled)
      throw LlmError(LlmErrorKind::Cancelled, transfer.head.status, "", "", "the LLM answer was cancelled by the caller");
    if (transfer.status == TransferStatus::Aborted && done) return std::nullopt;
    if (transfer.status != TransferStatus::Completed) {
      AttemptFailure failure = transport_failure(transfer, http);
      if (delivered && transfer.status == TransferStatus::Dropped)
        failure.error = LlmError(LlmErrorKind::Connect, transfer.head.status, "", "",
                                 std::string(failure.error.what()) + " after " + std::to_string(result.content.size()) +
                                     " characters of the answer");
      return failure;
    }
    if (!is_success(transfer.head.status)) return http_failure(transfer, plain_body, http);
    if (!is_event_stream(transfer.head.content_type)) {
      ChatResult whole = parse_chat_response(plain_body);
      std::string content = whole.content;
      result.model = whole.model;
      result.finish_reason = whole.finish_reason;
      if (!deliver(content))
        throw LlmError(LlmErrorKind::Cancelled, transfer.head.status, "", "", "the LLM answer was cancelled by the caller");
      return std::nullopt;
    }
    parser.finish();
    if (cancelled)
      throw LlmError(LlmErrorKind::Cancelled, transfer.head.status, "", "", "the LLM answer was cancelled by the caller");
    if (!done && result.finish_reason.empty())
      throw LlmError(LlmErrorKind::Protocol, transfer.head.status, "", "",
                     "the LLM server at " + redact_url(http.url) + " closed the stream before it finished (no [DONE])");
    return std::nullopt;
  }, delivered);
  return result;
}

}  // namespace imu2clip::llm
