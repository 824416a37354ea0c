#include "tagger/text/html_unescape.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "tagger/text/clip_unicode.h"

namespace imu2clip {
namespace {

struct NamedEntity {
  std::string_view name, text;
};
struct NumericOverride {
  char32_t number;
  std::string_view text;
};
struct DroppedRange {
  char32_t first, last;
};

#include "html_entities.inc"

const std::string_view* find_named(std::string_view name) {
  const auto it = std::lower_bound(std::begin(kNamedEntities), std::end(kNamedEntities), name,
                                   [](const NamedEntity& e, std::string_view n) { return e.name < n; });
  return it != std::end(kNamedEntities) && it->name == name ? &it->text : nullptr;
}

void append_text(std::u32string& out, std::string_view utf8) {
  out += clip_unicode::decode_utf8(utf8);
}

bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char32_t c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
int hex_value(char32_t c) { return is_digit(c) ? int(c - '0') : int((c | 0x20) - 'a' + 10); }

void append_number(std::u32string& out, uint64_t number) {
  for (const auto& o : kNumericOverrides) {
    if (o.number == number) return append_text(out, o.text);
  }
  if ((number >= 0xD800 && number <= 0xDFFF) || number > 0x10FFFF) {
    out.push_back(0xFFFD);
    return;
  }
  for (const auto& d : kDroppedCodePoints) {
    if (number >= d.first && number <= d.last) return;
  }
  out.push_back(static_cast<char32_t>(number));
}

// A character of a name in Python's pattern [^\t\n\f <&#;]{1,32}.
bool is_name_char(char32_t c) {
  return c != '\t' && c != '\n' && c != '\f' && c != ' ' && c != '<' && c != '&' && c != '#' && c != ';';
}

// Handles the reference starting at text[at] == '&'; returns the index after it, or `at` when none matches.
size_t replace_reference(std::u32string_view text, size_t at, std::u32string& out) {
  size_t i = at + 1;
  if (i < text.size() && text[i] == '#') {
    size_t j = i + 1;
    const bool hex = j < text.size() && (text[j] == 'x' || text[j] == 'X') && j + 1 < text.size() &&
                     is_hex_digit(text[j + 1]);
    if (!hex && !(j < text.size() && is_digit(text[j]))) return at;
    if (hex) ++j;
    uint64_t number = 0;
    const uint64_t saturated = 0x110000;  // anything larger reads as out of range
    for (; j < text.size() && (hex ? is_hex_digit(text[j]) : is_digit(text[j])); ++j) {
      number = std::min<uint64_t>(saturated, number * (hex ? 16 : 10) + (hex ? hex_value(text[j]) : text[j] - '0'));
    }
    if (j < text.size() && text[j] == ';') ++j;
    append_number(out, number);
    return j;
  }
  size_t j = i;
  while (j < text.size() && j - i < 32 && is_name_char(text[j])) ++j;
  if (j == i) return at;
  if (j < text.size() && text[j] == ';') ++j;
  const std::u32string_view name = text.substr(i, j - i);
  const bool ascii = std::all_of(name.begin(), name.end(), [](char32_t c) { return c < 0x80; });
  std::string key;
  if (ascii) {
    for (char32_t c : name) key.push_back(static_cast<char>(c));
    if (const auto* found = find_named(key)) {
      append_text(out, *found);
      return j;
    }
  }
  // The longest known prefix of at least two characters, then the rest as written.
  for (size_t x = name.size() - 1; x >= 2 && x < name.size(); --x) {
    const bool prefix_ascii = std::all_of(name.begin(), name.begin() + x, [](char32_t c) { return c < 0x80; });
    if (!prefix_ascii) continue;
    std::string prefix;
    for (size_t k = 0; k < x; ++k) prefix.push_back(static_cast<char>(name[k]));
    if (const auto* found = find_named(prefix)) {
      append_text(out, *found);
      out.append(name.substr(x));
      return j;
    }
  }
  out.push_back('&');
  out.append(name);
  return j;
}

}  // namespace

std::u32string html_unescape(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      const size_t next = replace_reference(text, i, out);
      if (next != i) {
        i = next;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

}  // namespace imu2clip
