#pragma once
// Incremental parser for server-sent events (text/event-stream), fed with raw byte chunks exactly as they
// arrive from the socket: a frame may be split across chunks and a chunk may hold many frames.
// Follows the WHATWG rules that matter for LLM streams: LF, CRLF and CR line ends; ':' comment lines;
// "field: value" with one optional space stripped; several data lines joined by '\n'; an event is dispatched
// at a blank line. llama.cpp's server reports mid-stream failures as an "error: {...}" line, which is not a
// standard field, so such lines are delivered as data of an event named "error".
#include <functional>
#include <string>
#include <string_view>

namespace imu2clip::llm {

struct SseEvent {
  std::string event;  // "" when the frame had no event: line (the spec's default "message")
  std::string data;
  std::string id;
};

class SseParser {
 public:
  using Handler = std::function<void(const SseEvent&)>;
  explicit SseParser(Handler on_event);

  void feed(std::string_view bytes);
  // End of stream: a final line without its newline and an event without its blank line are still
  // delivered, because some servers close the connection right after the last "data: [DONE]".
  void finish();

 private:
  void process_line(std::string_view line);
  void dispatch();

  Handler on_event_;
  std::string line_;          // the incomplete line carried over from the previous chunk
  bool last_was_cr_ = false;  // a CR ended the previous chunk: a leading LF in the next one belongs to it
  SseEvent pending_;
  bool has_data_ = false;
};

}  // namespace imu2clip::llm
