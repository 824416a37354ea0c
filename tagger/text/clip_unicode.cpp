#include "tagger/text/clip_unicode.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "common/error.h"

namespace imu2clip::clip_unicode {
namespace {

struct CodeRange {
  char32_t first, last;
};
struct LowerRun {  // every `step`-th code point of [first, last] lowercases to itself + delta
  char32_t first, last;
  int step, delta;
};
struct LowerPair {
  char32_t from, first, second;
};

#include "clip_unicode_tables.inc"

template <size_t N>
bool in_ranges(const CodeRange (&ranges)[N], char32_t c) {
  const auto it = std::upper_bound(std::begin(ranges), std::end(ranges), c,
                                   [](char32_t v, const CodeRange& r) { return v < r.first; });
  return it != std::begin(ranges) && c <= std::prev(it)->last;
}

[[noreturn]] void bad_utf8(size_t offset) {
  throw Error(ErrorKind::InvalidInput, "text is not valid UTF-8 (byte " + std::to_string(offset) + ")");
}

}  // namespace

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto b0 = static_cast<uint8_t>(text[i]);
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    int len;
    char32_t c;
    if ((b0 & 0xE0) == 0xC0) { len = 2; c = b0 & 0x1F; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; c = b0 & 0x0F; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; c = b0 & 0x07; }
    else bad_utf8(i);
    if (i + len > text.size()) bad_utf8(i);
    for (int k = 1; k < len; ++k) {
      const auto b = static_cast<uint8_t>(text[i + k]);
      if ((b & 0xC0) != 0x80) bad_utf8(i + k);
      c = (c << 6) | (b & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < kMin[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) bad_utf8(i);
    out.push_back(c);
    i += len;
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) append_utf8(out, c);
  return out;
}

bool is_letter(char32_t c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  return in_ranges(kLetterRanges, c);
}

bool is_number(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return in_ranges(kNumberRanges, c);
}

bool is_regex_space(char32_t c) { return in_ranges(kRegexSpaceRanges, c); }
bool is_strip_space(char32_t c) { return in_ranges(kStripSpaceRanges, c); }
bool is_unmatched(char32_t c) { return in_ranges(kUnmatchedRanges, c); }

std::u32string lower(std::u32string_view text) {
  constexpr char32_t kCapitalSigma = 0x3A3, kSmallSigma = 0x3C3, kFinalSigma = 0x3C2;
  auto cased = [](char32_t c) { return in_ranges(kCasedRanges, c); };
  auto ignorable = [](char32_t c) { return in_ranges(kCaseIgnorableRanges, c); };
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != kCapitalSigma) {
      append_lower(out, text[i]);
      continue;
    }
    // \p{cased} \p{case-ignorable}* SIGMA !(\p{case-ignorable}* \p{cased}), as CPython's handle_capital_sigma.
    size_t b = i;
    while (b > 0 && ignorable(text[b - 1])) --b;
    bool final_sigma = b > 0 && cased(text[b - 1]);
    if (final_sigma) {
      size_t j = i + 1;
      while (j < text.size() && ignorable(text[j])) ++j;
      final_sigma = j == text.size() || !cased(text[j]);
    }
    out.push_back(final_sigma ? kFinalSigma : kSmallSigma);
  }
  return out;
}

void append_lower(std::u32string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return;
  }
  for (const auto& p : kLowerPairs) {
    if (p.from == c) {
      out.push_back(p.first);
      out.push_back(p.second);
      return;
    }
  }
  const auto it = std::upper_bound(std::begin(kLowerRuns), std::end(kLowerRuns), c,
                                   [](char32_t v, const LowerRun& r) { return v < r.first; });
  if (it != std::begin(kLowerRuns)) {
    const auto& run = *std::prev(it);
    if (c <= run.last && (c - run.first) % static_cast<char32_t>(run.step) == 0) {
      out.push_back(static_cast<char32_t>(static_cast<int64_t>(c) + run.delta));
      return;
    }
  }
  out.push_back(c);
}

}  // namespace imu2clip::clip_unicode
