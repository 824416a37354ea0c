#pragma once
// The Unicode facts CLIP's tokenizer takes from Python: UTF-8 <-> code points, the classes of its
// pre-tokenisation regex (`[\p{L}]`, `[\p{N}]`, `\s` of the `regex` module), `str.strip`'s whitespace
// and `str.lower` (full mapping: U+0130 lowercases to two code points). The tables are generated from
// Python by scripts/gen_clip_unicode_tables.py, so no ICU is needed.
#include <string>
#include <string_view>

namespace imu2clip::clip_unicode {

// Throws Error(InvalidInput) on malformed UTF-8 (overlong forms, surrogates, truncated sequences).
std::u32string decode_utf8(std::string_view text);
void append_utf8(std::string& out, char32_t c);
std::string encode_utf8(std::u32string_view text);

bool is_letter(char32_t c);        // regex [\p{L}]
bool is_number(char32_t c);        // regex [\p{N}]
bool is_regex_space(char32_t c);   // regex \s (Unicode White_Space)
bool is_strip_space(char32_t c);   // str.isspace(), what str.strip() removes
// No alternative of CLIP's pattern matches it (under IGNORECASE: U+0345), so the split skips it.
bool is_unmatched(char32_t c);
// Python's str.lower() of a whole string: per code point, except that a capital sigma ending a word
// (Unicode's Final_Sigma context, with Python's cased / case-ignorable properties) becomes the final form.
std::u32string lower(std::u32string_view text);
// Appends Python's chr(c).lower().
void append_lower(std::u32string& out, char32_t c);

}  // namespace imu2clip::clip_unicode
