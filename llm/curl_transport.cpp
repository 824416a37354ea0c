#include "llm/curl_transport.h"

#include <curl/curl.h>

#include <exception>
#include <memory>
#include <mutex>

#include "common/strings.h"

namespace imu2clip::llm {
namespace {

constexpr int kPollIntervalMs = 20;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct TransferState {
  const BodySink* sink = nullptr;
  CURL* easy = nullptr;
  TransferClock* clock = nullptr;
  ResponseHead head;
  bool head_known = false;
  size_t body_bytes = 0;
  size_t max_body_bytes = 0;
  bool too_large = false;
  bool sink_stopped = false;
  std::exception_ptr sink_error;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  std::string_view line(data, size * count);
  state->clock->mark_activity();
  // A new status line (redirect or "100 Continue") starts a new header block.
  if (starts_with(line, "HTTP/")) {
    state->head = ResponseHead{};
    state->head_known = false;
  } else if (istarts_with(line, "content-type:")) {
    state->head.content_type = trim(line.substr(13));
  } else if (istarts_with(line, "retry-after:")) {
    state->head.retry_after = trim(line.substr(12));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  size_t n = size * count;
  state->clock->mark_activity();
  if (!state->head_known) {
    long status = 0;
    curl_easy_getinfo(state->easy, CURLINFO_RESPONSE_CODE, &status);
    state->head.status = static_cast<int>(status);
    state->head_known = true;
  }
  state->body_bytes += n;
  if (state->body_bytes > state->max_body_bytes) {
    state->too_large = true;
    return 0;
  }
  // Exceptions must not cross libcurl's C frames: keep it and stop the transfer.
  try {
    if ((*state->sink)(std::string_view(data, n), state->head, *state->clock)) return n;
  } catch (...) {
    state->sink_error = std::current_exception();
  }
  state->sink_stopped = true;
  return 0;
}

TransferStatus status_for(CURLcode code) {
  switch (code) {
    case CURLE_OK: return TransferStatus::Completed;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT: return TransferStatus::InvalidUrl;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION: return TransferStatus::ConnectFailed;
    // Only the connect timeout is set on curl; first-token and idle are enforced by the loop.
    case CURLE_OPERATION_TIMEDOUT: return TransferStatus::ConnectTimeout;
    default: return TransferStatus::Dropped;
  }
}

struct EasyDeleter { void operator()(CURL* c) const { curl_easy_cleanup(c); } };
struct MultiDeleter { void operator()(CURLM* m) const { curl_multi_cleanup(m); } };
struct SlistDeleter { void operator()(curl_slist* l) const { curl_slist_free_all(l); } };

}  // namespace

TransferResult CurlTransport::perform(const HttpRequest& request, const BodySink& sink) {
  global_init_once();
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
  TransferResult result;
  if (!easy || !multi) {
    result.status = TransferStatus::ConnectFailed;
    result.error = "libcurl could not be initialised";
    return result;
  }
  TransferClock clock;
  TransferState state;
  state.sink = &sink;
  state.easy = easy.get();
  state.clock = &clock;
  state.max_body_bytes = request.max_response_bytes;

  curl_slist* raw_headers = nullptr;
  for (const std::string& h : request.headers) raw_headers = curl_slist_append(raw_headers, h.c_str());
  // Without this curl waits up to a second for "100 Continue" before sending a large prompt.
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);

  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  curl_easy_setopt(e, CURLOPT_USERAGENT, "imu2clip-llm/1");
  // No Accept-Encoding: curl then inflates nothing, so max_response_bytes bounds what is held
  // (a few KiB of gzip could otherwise inflate to gigabytes).
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &state);
  if (request.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  }

  curl_multi_add_handle(multi.get(), e);
  CURLcode done_code = CURLE_OK;
  bool done = false;
  TransferStatus timeout_status = TransferStatus::Completed;
  while (!done) {
    int running = 0;
    curl_multi_perform(multi.get(), &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
      if (msg->msg == CURLMSG_DONE) {
        done = true;
        done_code = msg->data.result;
      }
    }
    if (done) break;
    auto now = TransferClock::Clock::now();
    using std::chrono::milliseconds;
    // A limit <= 0 means "no limit".
    if (request.total_timeout_ms > 0 && now - clock.started_ > milliseconds(request.total_timeout_ms)) {
      timeout_status = TransferStatus::TotalTimeout;
    } else if (!clock.first_token_seen_) {
      if (request.first_token_timeout_ms > 0 && now - clock.started_ > milliseconds(request.first_token_timeout_ms))
        timeout_status = TransferStatus::FirstTokenTimeout;
    } else if (request.idle_timeout_ms > 0 && now - clock.last_activity_ > milliseconds(request.idle_timeout_ms)) {
      timeout_status = TransferStatus::IdleTimeout;
    }
    if (timeout_status != TransferStatus::Completed) break;
    curl_multi_poll(multi.get(), nullptr, 0, kPollIntervalMs, nullptr);
  }
  curl_multi_remove_handle(multi.get(), e);

  if (state.sink_error) std::rethrow_exception(state.sink_error);
  result.head = state.head;
  if (!state.head_known) {
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    result.head.status = static_cast<int>(status);
  }
  result.body_bytes = state.body_bytes;
  if (timeout_status != TransferStatus::Completed) {
    result.status = timeout_status;
    result.error = timeout_status == TransferStatus::FirstTokenTimeout
                       ? "no answer within " + std::to_string(request.first_token_timeout_ms) + " ms"
                   : timeout_status == TransferStatus::TotalTimeout
                       ? "not finished within " + std::to_string(request.total_timeout_ms) + " ms"
                       : "no data for " + std::to_string(request.idle_timeout_ms) + " ms";
  } else if (state.too_large) {
    result.status = TransferStatus::TooLarge;
    result.error = "the response passed " + std::to_string(request.max_response_bytes) + " bytes";
  } else if (state.sink_stopped) {
    result.status = TransferStatus::Aborted;
    result.error = "stopped by the receiver";
  } else {
    result.status = status_for(done_code);
    if (done_code != CURLE_OK) result.error = curl_easy_strerror(done_code);
  }
  return result;
}

}  // namespace imu2clip::llm
