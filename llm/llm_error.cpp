#include "llm/openai_client.h"

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

}  // namespace imu2clip::llm
