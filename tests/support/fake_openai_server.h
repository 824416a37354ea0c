#pragma once
// A small OpenAI-compatible server on loopback for TESTS ONLY (product code never fakes answers).
// Serves POST /v1/chat/completions (plain and SSE streaming) and GET /v1/models on a free port, answers
// with scripted replies, and records every request so tests can assert what the client sent.
//
//   imu2clip::test::FakeOpenAiServer server;           // listening when the constructor returns
//   FakeReply reply; reply.text = "Hi there";
//   server.set_default_reply(reply);                    // every request, unless...
//   server.push_reply(reply);                           // ...one-shot replies queued, used in order first
//   server.base_url()  -> "http://127.0.0.1:PORT"      server.request_count(), server.last_request()
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib { class Server; }

namespace imu2clip::test {

struct FakeReply {
  int status = 200;
  std::string text = "Hello from the fake LLM.";   // the answer; streamed as word-sized deltas
  std::string model = "fake-model";
  // Non-empty: sent as the body (Content-Type application/json) with `status` instead of an answer,
  // e.g. R"({"error":{"message":"slow down","type":"rate_limit_error","code":"rate_limited"}})".
  std::string error_body;
  std::string error_content_type = "application/json";
  std::map<std::string, std::string> headers;      // extra response headers, e.g. {"Retry-After", "0"}
  // Streaming: the whole SSE byte stream is cut into pieces of chunk_bytes (0 = one piece per frame) and
  // written one by one with chunk_delay_ms between them, so frames straddle TCP reads.
  size_t chunk_bytes = 0;
  int chunk_delay_ms = 0;
  int first_token_delay_ms = 0;   // sleep before the first byte of the body (plain: before responding)
  long drop_after_bytes = -1;     // >= 0: close the connection after this many stream bytes
  // Non-empty: SSE frames sent verbatim (each written as given, then chunked), instead of those made from
  // `text`; lets a test inject comments, event: lines, CRLF or an {"error":...} frame mid-stream.
  std::vector<std::string> raw_frames;
  bool ignore_stream = false;     // answer a stream request with a plain JSON completion
};

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string body;
  std::multimap<std::string, std::string> headers;   // names lower-cased
  bool has_header(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
  std::string header(const std::string& lower_name) const;
};

class FakeOpenAiServer {
 public:
  // port 0 = any free port. Throws std::runtime_error when it cannot listen.
  explicit FakeOpenAiServer(int port = 0, const std::string& host = "127.0.0.1");
  ~FakeOpenAiServer();
  FakeOpenAiServer(const FakeOpenAiServer&) = delete;
  FakeOpenAiServer& operator=(const FakeOpenAiServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const;   // "http://127.0.0.1:PORT" (no /v1)

  void set_default_reply(FakeReply reply);
  void push_reply(FakeReply reply);
  void set_models(std::vector<std::string> ids);
  // Non-empty: requests without "Authorization: Bearer <key>" get 401 with an OpenAI error body.
  void require_api_key(std::string key);

  int request_count() const;
  RecordedRequest last_request() const;
  std::vector<RecordedRequest> requests() const;

  // The SSE frames the server streams for `reply`, and the plain chat.completion JSON it answers with.
  static std::vector<std::string> stream_frames(const FakeReply& reply);
  static std::string completion_json(const FakeReply& reply);

 private:
  FakeReply next_reply();
  // Sleeps up to ms, returning early (false) when the server is shutting down.
  bool sleep_unless_stopping(int ms);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::string host_;

  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  FakeReply default_reply_;
  std::vector<FakeReply> queued_;
  std::vector<std::string> models_{"fake-model"};
  std::string required_key_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace imu2clip::test
