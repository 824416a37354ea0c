#include "llm/openai_client.h"

#include <regex>
#include <utility>

namespace imu2clip::llm {

const char* to_string(LlmErrorKind kind) {
  switch (kind) {
    case LlmErrorKind::Connect: return "connect";
    case LlmErrorKind::Timeout: return "timeout";
    case LlmErrorKind::Http: return "http";
    case LlmErrorKind::Api: return "api";
    case LlmErrorKind::Protocol: return "protocol";
    case LlmErrorKind::Cancelled: return "cancelled";
  }
  return "unknown";
}

LlmError::LlmError(LlmErrorKind kind, int http_status, std::string type, std::string code, const std::string& msg)
    : std::runtime_error(msg), kind_(kind), http_status_(http_status), type_(std::move(type)), code_(std::move(code)) {}

std::string public_message(const std::exception& error) {
  // The endpoint's address is the operator's business (an internal host, a key in a query):
  // users of the service see that the language model failed and why, not where it lives.
  static const std::regex url(R"([A-Za-z][A-Za-z0-9+.-]*://[^\s'"]+)");
  std::string text = std::regex_replace(std::string(error.what()), url, "[LLM endpoint]");
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text;
}

}  // namespace imu2clip::llm
