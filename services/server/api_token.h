#pragma once
// API tokens: "i2c_" + 64 hex digits of /dev/urandom (32 bytes). The store keeps only the
// SHA-256 of a token, so a leaked database does not leak working credentials; the token itself
// is shown once, when it is created.
#include <string>

namespace imu2clip::server {

// A fresh token; throws Error(Io) when /dev/urandom cannot be read.
std::string generate_api_token();

// Lowercase hex SHA-256 of the bytes.
std::string sha256_hex(const std::string& bytes);

// What the user store keeps for a token: "sha256:" + sha256_hex(token).
std::string hash_api_token(const std::string& token);

// The token of an "Authorization: Bearer <token>" header value; "" when the value is not of
// that form (scheme compared case-insensitively, surrounding spaces ignored).
std::string bearer_token(const std::string& authorization_header);

}  // namespace imu2clip::server
