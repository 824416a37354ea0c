#include "tagger/text/text_normalize.h"

namespace imu2clip {

std::string fold_to_lowercase_words(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_break = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\'') continue;
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) == 0x99) {  // U+2019 right single quotation mark
      i += 2;
      continue;
    }
    const bool word_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
    if (!word_char) {
      pending_break = true;
      continue;
    }
    if (pending_break && !out.empty()) out.push_back(' ');
    pending_break = false;
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return out;
}

std::vector<std::string_view> split_words(std::string_view normalized) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start < normalized.size()) {
    size_t end = normalized.find(' ', start);
    if (end == std::string_view::npos) end = normalized.size();
    if (end > start) words.push_back(normalized.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

}  // namespace imu2clip
