#pragma once
// The OpenAI chat-completions shapes of POST /v1/chat/completions and GET /v1/models, so any
// OpenAI client (SDKs, chat front-ends) can talk to imu2clip. The question is the content of
// the last "user" message; earlier turns are accepted and ignored (answers are grounded in the
// log, not in the conversation). Model name: "imu2clip".
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "assistant/assistant.h"

namespace imu2clip::server {

inline constexpr const char* kModelName = "imu2clip";

struct ChatCompletionRequest {
  std::string question;
  bool stream = false;
};

// Validates the body (400 naming the field; 404 model_not_found for another model).
ChatCompletionRequest parse_chat_completion_request(const nlohmann::json& body);

// "chat.completion" object; the grounding (evidence, facts, llm) rides along under "imu2clip".
nlohmann::json chat_completion_json(const std::string& id, int64_t created_s, const AskResult& result);
// One "chat.completion.chunk"; role-only first chunk when `role` is set, content delta
// otherwise, empty delta with finish_reason "stop" for the last one.
nlohmann::json chat_completion_chunk(const std::string& id, int64_t created_s, const std::string& content,
                                     bool role = false, bool finish = false);

// GET /v1/models body.
nlohmann::json models_json(int64_t created_s);

// POST /v1/ask response body.
nlohmann::json ask_result_json(const AskResult& result);

// One server-sent event: "data: <json>\n\n"; and the terminator "data: [DONE]\n\n".
std::string sse_event(const nlohmann::json& data);
std::string sse_done();

}  // namespace imu2clip::server
