#include "llm/chat_json.h"

#include <nlohmann/json.hpp>

namespace imu2clip::llm {
namespace {

using nlohmann::json;

std::string string_or_empty(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();  // numeric codes (llama.cpp sends "code": 500) become "500"
}

json parse_json_or_throw(const std::string& text, const char* what) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    throw LlmError(LlmErrorKind::Protocol, 0, "", "",
                   std::string("the LLM server sent a ") + what + " that is not JSON: " + text.substr(0, 200));
  return parsed;
}

// The content of a message: a string, null, or (some servers) an array of {"type":"text","text":...} parts.
std::string content_text(const json& message) {
  auto it = message.find("content");
  if (it == message.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  std::string text;
  if (it->is_array())
    for (const json& part : *it)
      if (part.is_object() && part.value("type", "") == "text") text += part.value("text", "");
  return text;
}

LlmError api_error(const json& error, int http_status) {
  std::string message, type, code;
  if (error.is_object()) {
    message = string_or_empty(error, "message");
    type = string_or_empty(error, "type");
    code = string_or_empty(error, "code");
  } else if (error.is_string()) {
    message = error.get<std::string>();
  } else {
    message = error.dump();
  }
  if (message.empty()) message = "no message";
  std::string text = "LLM server error";
  if (http_status > 0) text += " (HTTP " + std::to_string(http_status) + ")";
  if (!type.empty() || !code.empty()) text += " [" + type + (code.empty() ? "" : (type.empty() ? "" : "/") + code) + "]";
  text += ": " + message;
  return LlmError(LlmErrorKind::Api, http_status, type, code, text);
}

}  // namespace

std::string chat_request_body(const std::string& model, const ChatRequest& request, bool stream) {
  json body = json::object();
  if (!model.empty()) body["model"] = model;
  json messages = json::array();
  for (const Message& m : request.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  body["messages"] = std::move(messages);
  body["temperature"] = request.temperature;
  if (request.max_tokens > 0) body["max_tokens"] = request.max_tokens;
  body["stream"] = stream;
  return body.dump();
}

ChatResult parse_chat_response(const std::string& body) {
  json parsed = parse_json_or_throw(body, "chat response");
  if (parsed.is_object() && parsed.contains("error")) throw api_error(parsed["error"], 200);
  if (!parsed.is_object() || !parsed.contains("choices") || !parsed["choices"].is_array() ||
      parsed["choices"].empty() || !parsed["choices"][0].is_object())
    throw LlmError(LlmErrorKind::Protocol, 0, "", "",
                   "the LLM server's chat response has no choices: " + body.substr(0, 200));
  const json& choice = parsed["choices"][0];
  ChatResult result;
  if (choice.contains("message") && choice["message"].is_object()) result.content = content_text(choice["message"]);
  else if (choice.contains("text") && choice["text"].is_string()) result.content = choice["text"].get<std::string>();
  result.finish_reason = string_or_empty(choice, "finish_reason");
  result.model = string_or_empty(parsed, "model");
  return result;
}

StreamChunk parse_stream_chunk(const std::string& data, int http_status) {
  if (auto error = error_from_frame(data, http_status)) throw *error;
  json parsed = parse_json_or_throw(data, "stream frame");
  StreamChunk chunk;
  if (!parsed.is_object()) return chunk;
  chunk.model = string_or_empty(parsed, "model");
  auto choices = parsed.find("choices");
  // A final usage-only chunk has an empty choices array.
  if (choices == parsed.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object())
    return chunk;
  const json& choice = (*choices)[0];
  auto delta = choice.find("delta");
  if (delta != choice.end() && delta->is_object()) chunk.delta = content_text(*delta);
  chunk.finish_reason = string_or_empty(choice, "finish_reason");
  return chunk;
}

std::vector<std::string> parse_models(const std::string& body) {
  json parsed = parse_json_or_throw(body, "model list");
  if (parsed.is_object() && parsed.contains("error")) throw api_error(parsed["error"], 200);
  const json* list = nullptr;
  if (parsed.is_object() && parsed.contains("data") && parsed["data"].is_array()) list = &parsed["data"];
  else if (parsed.is_array()) list = &parsed;
  if (!list)
    throw LlmError(LlmErrorKind::Protocol, 0, "", "",
                   "the LLM server's model list has no 'data' array: " + body.substr(0, 200));
  std::vector<std::string> ids;
  for (const json& entry : *list)
    if (entry.is_object() && entry.contains("id") && entry["id"].is_string()) ids.push_back(entry["id"]);
  return ids;
}

LlmError error_from_response(int http_status, const std::string& body, const std::string& url) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error"))
    return api_error(parsed["error"], http_status);
  std::string excerpt = body.substr(0, 300);
  while (!excerpt.empty() && (excerpt.back() == '\n' || excerpt.back() == '\r' || excerpt.back() == ' '))
    excerpt.pop_back();
  std::string text = "LLM server returned HTTP " + std::to_string(http_status) + " for " + url;
  text += excerpt.empty() ? " with an empty body" : ": " + excerpt;
  return LlmError(LlmErrorKind::Http, http_status, "", "", text);
}

std::optional<LlmError> error_from_frame(const std::string& data, int http_status) {
  json parsed = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  auto it = parsed.find("error");
  if (it == parsed.end() || it->is_null()) return std::nullopt;
  return api_error(*it, http_status);
}

LlmError error_from_error_event(const std::string& data, int http_status) {
  if (auto wrapped = error_from_frame(data, http_status)) return *wrapped;
  json parsed = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded() && parsed.is_object()) return api_error(parsed, http_status);
  return api_error(json(data), http_status);
}

}  // namespace imu2clip::llm
