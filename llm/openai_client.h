#pragma once
// A small client for OpenAI-compatible chat servers (llama.cpp's server, vLLM, Ollama's /v1, hosted APIs).
//
// Base URL: "http://host:port" and "http://host:port/v1" both work. If the base does not end in "/v1" the
// client appends "/v1", because every supported server serves its API under /v1/... (see llm/url.h).
// The API key is sent as "Authorization: Bearer <key>" only when it is non-empty, and is never logged.
// Failures throw LlmError (a bad base URL too, at the first request: construction never throws); retries (429 / 5xx / connection errors, exponential backoff with jitter, honouring
// Retry-After) never happen once streamed content has reached the caller.
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace imu2clip::llm {

struct ClientOptions {
  std::string base_url;             // "http://host:port" or ".../v1": both work
  std::string model;
  std::string api_key;              // "" = no Authorization header
  int connect_timeout_ms = 5000;
  int first_token_timeout_ms = 60000;  // request sent -> first response byte (plain) / first content delta (stream)
  int idle_timeout_ms = 30000;         // longest silence between received bytes once the response has started
  int max_retries = 2;              // on 429 / 5xx / connection errors, exponential backoff
  int retry_base_ms = 250;
  int max_retry_delay_ms = 8000;    // cap on one backoff sleep (also caps a server's Retry-After)
  int total_timeout_ms = 180000;    // one call, retries and waits included (0 = no limit)
  size_t max_response_bytes = 16u << 20;  // a longer response is an error, not memory
};

struct Message { std::string role; std::string content; };

struct ChatRequest {
  std::vector<Message> messages;
  double temperature = 0.2;
  int max_tokens = 512;
};

struct ChatResult {
  std::string content;
  std::string model;
  std::string finish_reason;
};

enum class LlmErrorKind {
  Connect,    // could not reach the server (DNS, refused, TLS) or the connection dropped
  Timeout,    // connect / first-token / idle timeout
  Http,       // non-2xx status without an OpenAI error object
  Api,        // the server returned {"error": {...}} (status or mid-stream frame)
  Protocol,   // the response could not be understood (bad JSON, missing fields)
  Cancelled,  // the caller's on_delta returned false
};

const char* to_string(LlmErrorKind kind);

// An LLM failure as the service's users may read it: the message without any URL (the
// endpoint stays in the server log), cut to a few hundred characters.
std::string public_message(const std::exception& error);

class LlmError : public std::runtime_error {
 public:
  LlmError(LlmErrorKind kind, int http_status, std::string type, std::string code, const std::string& msg);
  LlmErrorKind kind() const { return kind_; }
  int http_status() const { return http_status_; }  // 0 when no HTTP status was received
  const std::string& type() const { return type_; }
  const std::string& code() const { return code_; }

 private:
  LlmErrorKind kind_;
  int http_status_;
  std::string type_;
  std::string code_;
};

class OpenAiClient {   // one per thread or serialise; cheap to construct
 public:
  explicit OpenAiClient(ClientOptions options);
  ChatResult chat(const ChatRequest& request);                  // non-streaming
  // Streams (SSE, "stream": true); on_delta gets each content piece; return false from on_delta to cancel
  // (the transfer stops and LlmError(Cancelled) is thrown). The result holds the concatenated pieces.
  ChatResult chat_stream(const ChatRequest& request, const std::function<bool(const std::string&)>& on_delta);
  std::vector<std::string> models();                            // GET {base}/models
  const ClientOptions& options() const { return options_; }
  // The normalised API root, e.g. "http://127.0.0.1:8080/v1"; "" when base_url is unusable.
  const std::string& api_root() const { return api_root_; }

 private:
  ClientOptions options_;
  std::string api_root_;
};

}  // namespace imu2clip::llm
