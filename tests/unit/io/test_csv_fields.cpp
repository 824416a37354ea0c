#include <catch2/catch.hpp>

#include <charconv>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "tagger/io/csv_fields.h"

using namespace imu2clip;

namespace {
template <typename T>
T reference(const std::string& s) {
  T v{};
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}
template <typename T>
bool same_bits(T a, T b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}
}  // namespace

TEST_CASE("number parsing agrees bit for bit with from_chars on plain decimals") {
  std::mt19937_64 rng(7);
  int mismatches = 0;
  for (int i = 0; i < 300000; ++i) {
    const int int_digits = static_cast<int>(rng() % 8);
    const int decimals = static_cast<int>(rng() % 9);
    std::string s = rng() % 2 ? "-" : "";
    for (int d = 0; d < int_digits; ++d) s += static_cast<char>('0' + rng() % 10);
    if (int_digits == 0) s += '0';
    if (decimals > 0) {
      s += '.';
      for (int d = 0; d < decimals; ++d) s += static_cast<char>('0' + rng() % 10);
    }
    float f = 0;
    double d = 0;
    REQUIRE(csv::parse_float(s, f) == csv::Parse::Ok);
    REQUIRE(csv::parse_double(s, d) == csv::Parse::Ok);
    mismatches += !same_bits(f, reference<float>(s)) || !same_bits(d, reference<double>(s));
  }
  CHECK(mismatches == 0);
}

TEST_CASE("number parsing: exponents, specials, padding, empty and garbage") {
  double d = 0;
  float f = 0;
  CHECK(csv::parse_double("1.5e3", d) == csv::Parse::Ok);
  CHECK(d == 1500);
  CHECK(csv::parse_double("12345678901234567", d) == csv::Parse::Ok);  // > 15 digits
  CHECK(d == 12345678901234567.0);
  CHECK(csv::parse_double(" +2.5 ", d) == csv::Parse::Ok);
  CHECK(d == 2.5);
  CHECK(csv::parse_double("\"7\"", d) == csv::Parse::Ok);
  CHECK(d == 7);
  CHECK(csv::parse_float("NaN", f) == csv::Parse::Ok);
  CHECK(std::isnan(f));
  CHECK(csv::parse_float("-inf", f) == csv::Parse::Ok);
  CHECK(std::isinf(f));
  CHECK(csv::parse_float("", f) == csv::Parse::Empty);
  CHECK(csv::parse_float("  ", f) == csv::Parse::Empty);
  for (const char* bad : {"-", ".", "1.2.3", "abc", "1,5", "12a", "1e", "--1"})
    CHECK(csv::parse_float(bad, f) == csv::Parse::NotNumber);
  CHECK(csv::parse_float("1e60", f) == csv::Parse::NotNumber);  // out of float range
  CHECK(csv::is_null_literal("NULL"));
  CHECK(csv::is_null_literal("None"));
  CHECK_FALSE(csv::is_null_literal("0"));
  CHECK(csv::normalize_header_name(" Acc-X ") == "acc_x");
}
