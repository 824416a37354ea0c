#include "tests/support/fake_openai_server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/strings.h"

namespace imu2clip::test {
namespace {

using nlohmann::json;

// "Hello big world" -> "Hello", " big", " world": deltas the way tokenisers emit them.
std::vector<std::string> word_pieces(const std::string& text) {
  std::vector<std::string> pieces;
  size_t start = 0;
  for (size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ') {
      pieces.push_back(text.substr(start, i - start));
      start = i;
    }
  }
  return pieces;
}

std::string sse_data(const json& payload) { return "data: " + payload.dump() + "\n\n"; }

json chunk_object(const FakeReply& reply, json delta, json finish_reason) {
  return {{"id", "chatcmpl-fake"},
          {"object", "chat.completion.chunk"},
          {"created", 1700000000},
          {"model", reply.model},
          {"choices", json::array({{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish_reason}}})}};
}

}  // namespace

std::string RecordedRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::vector<std::string> FakeOpenAiServer::stream_frames(const FakeReply& reply) {
  if (!reply.raw_frames.empty()) return reply.raw_frames;
  std::vector<std::string> frames;
  frames.push_back(sse_data(chunk_object(reply, {{"role", "assistant"}, {"content", ""}}, nullptr)));
  for (const std::string& piece : word_pieces(reply.text))
    frames.push_back(sse_data(chunk_object(reply, {{"content", piece}}, nullptr)));
  frames.push_back(sse_data(chunk_object(reply, json::object(), "stop")));
  frames.push_back("data: [DONE]\n\n");
  return frames;
}

std::string FakeOpenAiServer::completion_json(const FakeReply& reply) {
  json body = {{"id", "chatcmpl-fake"},
               {"object", "chat.completion"},
               {"created", 1700000000},
               {"model", reply.model},
               {"choices", json::array({{{"index", 0},
                                         {"message", {{"role", "assistant"}, {"content", reply.text}}},
                                         {"finish_reason", "stop"}}})},
               {"usage", {{"prompt_tokens", 1}, {"completion_tokens", 1}, {"total_tokens", 2}}}};
  return body.dump();
}

FakeOpenAiServer::FakeOpenAiServer(int port, const std::string& host)
    : server_(std::make_unique<httplib::Server>()), host_(host) {
  server_->Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    RecordedRequest recorded;
    recorded.method = req.method;
    recorded.path = req.path;
    recorded.body = req.body;
    for (const auto& [name, value] : req.headers) recorded.headers.emplace(lower(name), value);
    std::string required_key;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(recorded);
      required_key = required_key_;
    }
    if (!required_key.empty() && req.get_header_value("Authorization") != "Bearer " + required_key) {
      res.status = 401;
      res.set_content(
          R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}})",
          "application/json");
      return;
    }
    FakeReply reply = next_reply();
    for (const auto& [name, value] : reply.headers) res.set_header(name, value);
    if (!reply.error_body.empty()) {
      sleep_unless_stopping(reply.first_token_delay_ms);
      res.status = reply.status;
      res.set_content(reply.error_body, reply.error_content_type);
      return;
    }
    json request_body = json::parse(req.body, nullptr, false);
    bool stream = !request_body.is_discarded() && request_body.is_object() && request_body.value("stream", false);
    res.status = reply.status;
    if (!stream || reply.ignore_stream) {
      sleep_unless_stopping(reply.first_token_delay_ms);
      res.set_content(completion_json(reply), "application/json");
      return;
    }
    std::vector<std::string> pieces = stream_frames(reply);
    if (reply.chunk_bytes > 0) {
      std::string all;
      for (const std::string& f : pieces) all += f;
      pieces.clear();
      for (size_t i = 0; i < all.size(); i += reply.chunk_bytes) pieces.push_back(all.substr(i, reply.chunk_bytes));
    }
    struct StreamState {
      std::vector<std::string> pieces;
      size_t next = 0;
      long sent = 0;
    };
    auto state = std::make_shared<StreamState>();
    state->pieces = std::move(pieces);
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider("text/event-stream", [this, state, reply](size_t, httplib::DataSink& sink) {
      int delay = state->next == 0 ? reply.first_token_delay_ms : reply.chunk_delay_ms;
      if (!sleep_unless_stopping(delay)) return false;
      if (state->next >= state->pieces.size()) {
        sink.done();
        return true;
      }
      std::string piece = state->pieces[state->next++];
      if (reply.drop_after_bytes >= 0 && state->sent + static_cast<long>(piece.size()) >= reply.drop_after_bytes) {
        piece.resize(static_cast<size_t>(reply.drop_after_bytes - state->sent));
        if (!piece.empty()) sink.write(piece.data(), piece.size());
        return false;  // httplib closes the connection without the final chunk
      }
      state->sent += static_cast<long>(piece.size());
      return sink.write(piece.data(), piece.size());
    });
  });

  server_->Get("/v1/models", [this](const httplib::Request& req, httplib::Response& res) {
    RecordedRequest recorded;
    recorded.method = req.method;
    recorded.path = req.path;
    for (const auto& [name, value] : req.headers) recorded.headers.emplace(lower(name), value);
    json data = json::array();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(recorded);
      for (const std::string& id : models_) data.push_back({{"id", id}, {"object", "model"}, {"owned_by", "fake"}});
    }
    res.set_content(json{{"object", "list"}, {"data", data}}.dump(), "application/json");
  });

  port_ = port == 0 ? server_->bind_to_any_port(host_) : (server_->bind_to_port(host_, port) ? port : -1);
  if (port_ <= 0) throw std::runtime_error("fake OpenAI server: cannot listen on " + host_ + ":" + std::to_string(port));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeOpenAiServer::~FakeOpenAiServer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeOpenAiServer::base_url() const { return "http://" + host_ + ":" + std::to_string(port_); }

void FakeOpenAiServer::set_default_reply(FakeReply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  default_reply_ = std::move(reply);
}

void FakeOpenAiServer::push_reply(FakeReply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  queued_.push_back(std::move(reply));
}

void FakeOpenAiServer::set_models(std::vector<std::string> ids) {
  std::lock_guard<std::mutex> lock(mutex_);
  models_ = std::move(ids);
}

void FakeOpenAiServer::require_api_key(std::string key) {
  std::lock_guard<std::mutex> lock(mutex_);
  required_key_ = std::move(key);
}

int FakeOpenAiServer::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(requests_.size());
}

RecordedRequest FakeOpenAiServer::last_request() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.empty() ? RecordedRequest{} : requests_.back();
}

std::vector<RecordedRequest> FakeOpenAiServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

FakeReply FakeOpenAiServer::next_reply() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (queued_.empty()) return default_reply_;
  FakeReply reply = std::move(queued_.front());
  queued_.erase(queued_.begin());
  return reply;
}

bool FakeOpenAiServer::sleep_unless_stopping(int ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (ms <= 0) return !stopping_;
  return !stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

}  // namespace imu2clip::test
