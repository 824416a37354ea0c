#pragma once
// The project's one set of ASCII string helpers, for every layer. The text they see (CSV and
// HTTP headers, zone names, questions) is ASCII where it matters, so no locale is consulted.
#include <string>
#include <string_view>
#include <vector>

namespace imu2clip {

// ' ', '\t', '\n', '\v', '\f', '\r' (the "C" locale's isspace). Inline: the CSV readers
// call it per field.
inline bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Without surrounding whitespace. trim_view allocates nothing: the CSV readers call it per field.
std::string_view trim_view(std::string_view s);
std::string trim(std::string_view s);

// 'A'-'Z' -> 'a'-'z'; every other byte (including UTF-8) is kept.
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
std::string lower(std::string_view s);

// Equal, or a prefix, ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);

bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);

// {"a", "b", "c"} with ", " -> "a, b, c".
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string join(const std::vector<std::string_view>& parts, std::string_view separator);

// "a,,b" on ',' -> {"a", "", "b"}; "" -> {""}. Fields are not trimmed.
std::vector<std::string> split(std::string_view s, char separator);
// The same into `out` (cleared; its capacity is reused, so no allocation after warm-up). The
// views point into `s`.
void split_views(std::string_view s, char separator, std::vector<std::string_view>& out);

}  // namespace imu2clip
