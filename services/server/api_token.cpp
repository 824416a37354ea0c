#include "services/server/api_token.h"

#include <openssl/sha.h>

#include <array>
#include <fstream>

#include "common/error.h"
#include "common/strings.h"

namespace imu2clip::server {
namespace {

std::string to_hex(const unsigned char* data, size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 15];
  }
  return out;
}

}  // namespace

std::string generate_api_token() {
  std::array<unsigned char, 32> bytes{};
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(reinterpret_cast<char*>(bytes.data()), bytes.size()))
    throw Error(ErrorKind::Io, "cannot read random bytes for a token", {"/dev/urandom", 0, ""});
  return "i2c_" + to_hex(bytes.data(), bytes.size());
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return to_hex(digest, sizeof digest);
}

std::string hash_api_token(const std::string& token) { return "sha256:" + sha256_hex(token); }

std::string bearer_token(const std::string& authorization_header) {
  const std::string value = trim(authorization_header);
  static const std::string scheme = "bearer";
  if (value.size() <= scheme.size() || !is_ascii_space(value[scheme.size()])) return "";
  if (!istarts_with(value, scheme)) return "";
  return trim(value.substr(scheme.size()));
}

}  // namespace imu2clip::server
