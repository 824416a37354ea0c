#include "services/server/openai_compat.h"

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "services/server/http_error.h"

namespace imu2clip::server {
namespace {

// OpenAI allows content as a string or as an array of parts; text parts are joined.
std::string message_text(const nlohmann::json& content, const std::string& field) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_array()) {
    std::string text;
    for (size_t i = 0; i < content.size(); ++i) {
      const auto& part = content[i];
      const std::string part_field = field + "[" + std::to_string(i) + "]";
      if (!part.is_object() || !part.contains("type") || !part["type"].is_string())
        throw bad_request("'" + part_field + "' must be an object with a 'type'", part_field);
      if (part["type"] != "text") continue;
      if (!part.contains("text") || !part["text"].is_string())
        throw bad_request("'" + part_field + ".text' must be a string", part_field + ".text");
      if (!text.empty()) text += "\n";
      text += part["text"].get<std::string>();
    }
    return text;
  }
  throw bad_request("'" + field + "' must be a string or an array of content parts", field);
}

}  // namespace

ChatCompletionRequest parse_chat_completion_request(const nlohmann::json& body) {
  if (!body.contains("model") || !body["model"].is_string())
    throw bad_request("'model' is required and must be a string (use \"imu2clip\")", "model");
  if (body["model"] != kModelName)
    throw HttpError(404, "invalid_request_error", "model_not_found",
                    "model '" + body["model"].get<std::string>() + "' does not exist; use \"imu2clip\"", "model");
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
    throw bad_request("'messages' must be a non-empty array of {role, content}", "messages");
  ChatCompletionRequest out;
  const auto& messages = body["messages"];
  bool found = false;
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string field = "messages[" + std::to_string(i) + "]";
    const auto& m = messages[i];
    if (!m.is_object()) throw bad_request("'" + field + "' must be an object", field);
    if (!m.contains("role") || !m["role"].is_string())
      throw bad_request("'" + field + ".role' must be a string", field + ".role");
    if (!m.contains("content") || m["content"].is_null()) {
      if (m["role"] == "user") throw bad_request("'" + field + ".content' is required", field + ".content");
      continue;  // assistant tool-call turns may have no content
    }
    const std::string text = message_text(m["content"], field + ".content");
    if (m["role"] == "user") {
      out.question = text;
      found = true;
    }
  }
  if (!found) throw bad_request("'messages' has no message with role \"user\" to answer", "messages");
  if (trim_view(out.question).empty())
    throw bad_request("the last user message is empty", "messages");
  if (out.question.size() > 4000) throw bad_request("the question is longer than 4000 characters", "messages");
  if (body.contains("stream") && !body["stream"].is_null()) {
    if (!body["stream"].is_boolean()) throw bad_request("'stream' must be true or false", "stream");
    out.stream = body["stream"].get<bool>();
  }
  return out;
}

nlohmann::json ask_result_json(const AskResult& result) {
  return {{"answer", result.answer},
          {"evidence", result.evidence},
          {"facts", result.facts},
          {"understood", result.understood},
          {"llm", {{"used", result.llm.used}, {"model", result.llm.model}, {"error", result.llm.error}}}};
}

nlohmann::json chat_completion_json(const std::string& id, int64_t created_s, const AskResult& result) {
  // Token counts are not known for the built-in answerer; OpenAI clients read usage optionally.
  return {{"id", id},
          {"object", "chat.completion"},
          {"created", created_s},
          {"model", kModelName},
          {"choices",
           {{{"index", 0},
             {"message", {{"role", "assistant"}, {"content", result.answer}}},
             {"finish_reason", "stop"}}}},
          {"imu2clip", ask_result_json(result)}};
}

nlohmann::json chat_completion_chunk(const std::string& id, int64_t created_s, const std::string& content, bool role,
                                     bool finish) {
  nlohmann::json delta = nlohmann::json::object();
  if (role) delta["role"] = "assistant";
  if (!content.empty()) delta["content"] = content;
  return {{"id", id},
          {"object", "chat.completion.chunk"},
          {"created", created_s},
          {"model", kModelName},
          {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish ? nlohmann::json("stop") : nlohmann::json()}}}}};
}

nlohmann::json models_json(int64_t created_s) {
  return {{"object", "list"},
          {"data", {{{"id", kModelName}, {"object", "model"}, {"created", created_s}, {"owned_by", "imu2clip"}}}}};
}

std::string sse_event(const nlohmann::json& data) { return "data: " + json_body(data) + "\n\n"; }
std::string sse_done() { return "data: [DONE]\n\n"; }

}  // namespace imu2clip::server
