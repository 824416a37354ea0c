#include "tagger/io/csv_fields.h"

#include <charconv>
#include <cstdint>

#include "common/strings.h"

namespace imu2clip::csv {
namespace {

constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                             1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// "-123.4567" with at most 15 digits and no exponent: the integer mantissa and the power of
// ten are exact doubles, so one division is correctly rounded, the same result from_chars
// gives. A float is then rounded from that double; with at most 8 decimals the exact value
// cannot sit within 2^-53 of a float rounding midpoint, so this double rounding is exact too.
// Returns false for anything else (exponents, nan, spaces, long mantissas): use from_chars.
template <typename T>
inline bool parse_plain_decimal(const char* p, const char* end, T& out) {
  const bool negative = p != end && *p == '-';
  p += negative;
  uint64_t mantissa = 0;
  const char* digits_begin = p;
  while (p != end && static_cast<unsigned>(*p - '0') < 10) mantissa = mantissa * 10 + static_cast<unsigned>(*p++ - '0');
  int digits = static_cast<int>(p - digits_begin);
  int decimals = 0;
  if (p != end && *p == '.') {
    const char* frac_begin = ++p;
    while (p != end && static_cast<unsigned>(*p - '0') < 10) mantissa = mantissa * 10 + static_cast<unsigned>(*p++ - '0');
    decimals = static_cast<int>(p - frac_begin);
    digits += decimals;
  }
  if (p != end || digits == 0 || digits > 15 || (sizeof(T) == sizeof(float) && decimals > 8)) return false;
  double v = static_cast<double>(mantissa);
  if (decimals > 0) v /= kPow10[decimals];
  out = static_cast<T>(negative ? -v : v);
  return true;
}

template <typename T>
Parse parse_number(std::string_view field, T& out) {
  // Fast path first: the plain decimals of real files need no trimming.
  const char* first = field.data();
  const char* last = first + field.size();
  if (parse_plain_decimal(first, last, out)) return Parse::Ok;
  if (first != last && !is_ascii_space(*first) && *first != '"' && *first != '+' && !is_ascii_space(last[-1]) &&
      last[-1] != '"') {
    auto [ptr, ec] = std::from_chars(first, last, out);
    if (ec == std::errc() && ptr == last) return Parse::Ok;
    return Parse::NotNumber;
  }
  std::string_view t = unquote_field(field);
  if (t.empty()) return Parse::Empty;
  if (t.front() == '+') t.remove_prefix(1);
  if (t.empty()) return Parse::NotNumber;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec == std::errc() && ptr == t.data() + t.size()) return Parse::Ok;
  return Parse::NotNumber;
}

}  // namespace

std::string_view unquote_field(std::string_view s) {
  s = trim_view(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim_view(s.substr(1, s.size() - 2));
  return s;
}

std::string normalize_header_name(std::string_view s) {
  std::string out(unquote_field(s));
  for (char& c : out) {
    c = lower(c);
    if (c == ' ' || c == '-' || c == '.') c = '_';
  }
  return out;
}

Parse parse_double(std::string_view field, double& out) { return parse_number(field, out); }
Parse parse_float(std::string_view field, float& out) { return parse_number(field, out); }

bool is_null_literal(std::string_view t) {
  return t.empty() || iequals(t, "null") || iequals(t, "none") || iequals(t, "na") ||
         iequals(t, "n/a");
}

}  // namespace imu2clip::csv
