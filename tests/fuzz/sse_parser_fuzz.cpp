// The server-sent events parser (llm/sse_parser.h) is fed raw socket chunks, so the events must
// not depend on where the stream was cut: the whole input at once, byte by byte, and in chunks
// of a size the input picks (with empty reads between) must deliver the same events. Lines end at CR, LF or CRLF, so no
// delivered field holds a CR, and only data (lines joined by LF) holds an LF.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "llm/sse_parser.h"

using imu2clip::llm::SseEvent;
using imu2clip::llm::SseParser;

namespace {

bool same(const SseEvent& a, const SseEvent& b) { return a.event == b.event && a.data == b.data && a.id == b.id; }

// `empty_reads`: an empty chunk after each one, as a transport may deliver.
std::vector<SseEvent> parse_in_chunks(std::string_view stream, size_t chunk, bool empty_reads = false) {
  std::vector<SseEvent> events;
  SseParser parser([&](const SseEvent& e) { events.push_back(e); });
  for (size_t at = 0; at < stream.size(); at += chunk) {
    parser.feed(stream.substr(at, chunk));
    if (empty_reads) parser.feed({});
  }
  parser.finish();
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view stream(reinterpret_cast<const char*>(data), size);
  const auto whole = parse_in_chunks(stream, stream.size() + 1);
  for (const auto& e : whole) {
    FUZZ_CHECK(e.data.find('\r') == std::string::npos);
    FUZZ_CHECK(e.event.find_first_of("\r\n") == std::string::npos);
    FUZZ_CHECK(e.id.find_first_of("\r\n") == std::string::npos);
  }
  // Odd chunk sizes put cuts between CR and LF as often as elsewhere.
  const size_t chunk = size == 0 ? 1 : 1 + data[0] % 13;
  for (size_t c : {size_t{1}, chunk}) {
    const auto split = parse_in_chunks(stream, c, c == chunk);
    FUZZ_CHECK(split.size() == whole.size());
    for (size_t i = 0; i < whole.size(); ++i) FUZZ_CHECK(same(split[i], whole[i]));
  }
  return 0;
}
