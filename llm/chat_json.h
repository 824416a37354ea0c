#pragma once
// Request bodies and response parsing for the OpenAI chat-completions and models endpoints.
#include <optional>
#include <string>
#include <vector>

#include "llm/openai_client.h"

namespace imu2clip::llm {

// {"model", "messages", "temperature", "max_tokens", "stream"}; "model" is left out when empty
// (llama.cpp's server serves whatever it loaded).
std::string chat_request_body(const std::string& model, const ChatRequest& request, bool stream);

// A non-streaming chat.completion object. Throws LlmError(Protocol) when it is not one.
ChatResult parse_chat_response(const std::string& body);

// One streamed chat.completion.chunk.
struct StreamChunk {
  std::string delta;          // choices[0].delta.content, "" when absent or null
  std::string finish_reason;  // "" until the last chunk
  std::string model;
};
// Throws LlmError(Api) when the frame is an {"error": {...}} object, LlmError(Protocol) when it is not JSON.
StreamChunk parse_stream_chunk(const std::string& data, int http_status);

// GET /models: the ids in data[].id, in server order.
std::vector<std::string> parse_models(const std::string& body);

// The error a non-2xx response stands for: kind Api with message/type/code when the body holds an OpenAI
// {"error": {...}} object (or {"error": "text"}), otherwise kind Http with the status and the start of the body.
LlmError error_from_response(int http_status, const std::string& body, const std::string& url);

// An {"error": ...} object inside a 200 response (mid-stream frame); nullopt when `data` is not one.
std::optional<LlmError> error_from_frame(const std::string& data, int http_status);

// The data of an SSE event named "error": an {"error": {...}} wrapper, a bare {"message", "type", "code"}
// object (llama.cpp), or plain text.
LlmError error_from_error_event(const std::string& data, int http_status);

}  // namespace imu2clip::llm
