#include "llm/sse_parser.h"

#include <utility>

namespace imu2clip::llm {

SseParser::SseParser(Handler on_event) : on_event_(std::move(on_event)) {}

void SseParser::feed(std::string_view bytes) {
  // An empty read says nothing about the next byte: a CR that ended the previous chunk may
  // still be the first half of a CRLF.
  if (bytes.empty()) return;
  size_t i = 0;
  if (last_was_cr_ && !bytes.empty() && bytes[0] == '\n') i = 1;
  last_was_cr_ = false;
  size_t start = i;
  for (; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (c != '\n' && c != '\r') continue;
    line_.append(bytes.data() + start, i - start);
    process_line(line_);
    line_.clear();
    if (c == '\r') {
      if (i + 1 < bytes.size()) {
        if (bytes[i + 1] == '\n') ++i;
      } else {
        last_was_cr_ = true;
      }
    }
    start = i + 1;
  }
  if (start < bytes.size()) line_.append(bytes.data() + start, bytes.size() - start);
}

void SseParser::finish() {
  if (!line_.empty()) {
    process_line(line_);
    line_.clear();
  }
  last_was_cr_ = false;
  dispatch();
}

void SseParser::process_line(std::string_view line) {
  if (line.empty()) {
    dispatch();
    return;
  }
  if (line.front() == ':') return;  // comment / keep-alive
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) pending_.data += '\n';
    pending_.data.append(value.data(), value.size());
    has_data_ = true;
  } else if (field == "event") {
    pending_.event.assign(value.data(), value.size());
  } else if (field == "id") {
    pending_.id.assign(value.data(), value.size());
  } else if (field == "error") {
    pending_.event = "error";
    if (has_data_) pending_.data += '\n';
    pending_.data.append(value.data(), value.size());
    has_data_ = true;
  }
  // "retry" and unknown fields are ignored, as the spec says.
}

void SseParser::dispatch() {
  if (has_data_) on_event_(pending_);
  // The spec keeps the last event id across events; nothing here needs it, so every field resets.
  pending_ = SseEvent{};
  has_data_ = false;
}

}  // namespace imu2clip::llm
