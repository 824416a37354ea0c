#pragma once
// One exception type for every user-facing failure. It carries where the problem is
// (file, line, field) so the CLI and the HTTP server can say exactly what to fix.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace imu2clip {

enum class ErrorKind {
  InvalidInput,  // the user's data or arguments are wrong: fix the input
  NotFound,      // a file, recording, user or model is missing
  Corrupt,       // a file exists but its content is damaged or of the wrong format
  Io,            // the OS refused a read or write
  Database,      // SQLite reported an error
  Internal,      // a bug: please report it
};

const char* to_string(ErrorKind kind);

struct ErrorContext {
  std::string file;   // path of the offending file, empty when none
  int64_t line = 0;   // 1-based line number, 0 when not applicable
  std::string field;  // column / key / option name, empty when none
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, ErrorContext context = {});

  ErrorKind kind() const { return kind_; }
  const ErrorContext& context() const { return context_; }
  // The message without the location prefix.
  const std::string& message() const { return message_; }

 private:
  ErrorKind kind_;
  std::string message_;
  ErrorContext context_;
};

// "file:line: field 'x': message" with the empty parts left out.
std::string format_error(const std::string& message, const ErrorContext& context);

}  // namespace imu2clip
