#include <catch2/catch.hpp>

#include <set>

#include "services/server/api_token.h"

using namespace imu2clip::server;

TEST_CASE("tokens are i2c_ plus 64 hex digits and differ every time", "[server][token]") {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    const std::string t = generate_api_token();
    REQUIRE(t.size() == 4 + 64);
    CHECK(t.rfind("i2c_", 0) == 0);
    CHECK(t.find_first_not_of("0123456789abcdef", 4) == std::string::npos);
    seen.insert(t);
  }
  CHECK(seen.size() == 20);
}

TEST_CASE("sha256 matches the FIPS test vectors", "[server][token]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hash_api_token("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hash_api_token("i2c_a") != hash_api_token("i2c_b"));
}

TEST_CASE("bearer tokens are taken from the Authorization header", "[server][token]") {
  CHECK(bearer_token("Bearer i2c_abc") == "i2c_abc");
  CHECK(bearer_token("bearer   i2c_abc  ") == "i2c_abc");
  CHECK(bearer_token("Basic dXNlcjpwYXNz") == "");
  CHECK(bearer_token("Bearer") == "");
  CHECK(bearer_token("Bearer ") == "");
  CHECK(bearer_token("Bearerx i2c") == "");
  CHECK(bearer_token("") == "");
}
