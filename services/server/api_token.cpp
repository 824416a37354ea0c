#include "services/server/api_token.h"

#include <openssl/sha.h>

#include <array>
#include <cctype>
#include <fstream>

#include "common/error.h"

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

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
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
  if (value.size() <= scheme.size() || !std::isspace(static_cast<unsigned char>(value[scheme.size()]))) return "";
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(value[i])) != scheme[i]) return "";
  return trim(value.substr(scheme.size()));
}

}  // namespace imu2clip::server
