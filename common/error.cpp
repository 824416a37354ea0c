#include "common/error.h"

namespace imu2clip {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidInput: return "invalid_input";
    case ErrorKind::NotFound: return "not_found";
    case ErrorKind::Corrupt: return "corrupt";
    case ErrorKind::Io: return "io";
    case ErrorKind::Database: return "database";
    case ErrorKind::Internal: return "internal";
  }
  return "internal";
}

std::string format_error(const std::string& message, const ErrorContext& context) {
  std::string out;
  if (!context.file.empty()) {
    out += context.file;
    if (context.line > 0) out += ":" + std::to_string(context.line);
    out += ": ";
  } else if (context.line > 0) {
    out += "line " + std::to_string(context.line) + ": ";
  }
  if (!context.field.empty()) out += "field '" + context.field + "': ";
  out += message;
  return out;
}

Error::Error(ErrorKind kind, const std::string& message, ErrorContext context)
    : std::runtime_error(format_error(message, context)),
      kind_(kind),
      message_(message),
      context_(std::move(context)) {}

}  // namespace imu2clip
