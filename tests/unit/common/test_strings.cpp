#include <catch2/catch.hpp>

#include "common/strings.h"

using namespace imu2clip;

TEST_CASE("trim removes ASCII whitespace at both ends only", "[common][strings]") {
  CHECK(trim("  a b \t\r\n") == "a b");
  CHECK(trim("") == "");
  CHECK(trim(" \n\t ") == "");
  CHECK(trim_view("\vx\f") == "x");
  const std::string text = "  keep ";
  CHECK(trim_view(text).data() == text.data() + 2);  // a view into the input, no copy
}

TEST_CASE("lower and iequals fold ASCII letters only", "[common][strings]") {
  CHECK(lower("Europe/BERLIN") == "europe/berlin");
  CHECK(lower("\xC3\x84rger") == "\xC3\x84rger");  // UTF-8 bytes are kept
  CHECK(iequals("Content-Length", "content-length"));
  CHECK_FALSE(iequals("Content-Length", "content-lengths"));
  CHECK(istarts_with("Retry-After: 3", "retry-after:"));
  CHECK_FALSE(istarts_with("Retry", "retry-after:"));
}

TEST_CASE("starts_with and ends_with are case-sensitive", "[common][strings]") {
  CHECK(starts_with("http://x", "http://"));
  CHECK_FALSE(starts_with("HTTP://x", "http://"));
  CHECK(ends_with("a.csv.gz", ".csv.gz"));
  CHECK(ends_with("x", ""));
  CHECK_FALSE(ends_with("gz", ".gz"));
}

TEST_CASE("join and split are inverses for a separator not in the parts", "[common][strings]") {
  CHECK(join(std::vector<std::string>{"a", "b", "c"}, ", ") == "a, b, c");
  CHECK(join(std::vector<std::string>{}, ", ") == "");
  CHECK(join(std::vector<std::string_view>{"lie", "down"}, "_") == "lie_down");
  CHECK(split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(split("", ',') == std::vector<std::string>{""});
  CHECK(join(split("x\ty\tz", '\t'), "\t") == "x\ty\tz");
  std::vector<std::string_view> fields{"stale"};
  split_views("1,2,", ',', fields);
  CHECK(fields == std::vector<std::string_view>{"1", "2", ""});
}
