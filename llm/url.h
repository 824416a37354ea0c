#pragma once
// Base-URL handling for OpenAI-compatible servers.
#include <string>

namespace imu2clip::llm {

// The API root every endpoint hangs off. llama.cpp's server, vLLM, Ollama (/v1) and hosted APIs all serve
// /v1/..., so a base that does not already end in "/v1" gets "/v1" appended; trailing slashes are dropped.
// "http://h:8080" -> "http://h:8080/v1", "http://h:8080/v1/" -> "http://h:8080/v1".
// Throws LlmError(Connect) for an empty base or one without an http:// or https:// scheme.
std::string normalise_api_root(const std::string& base_url);

// api_root + "/" + endpoint ("chat/completions", "models").
std::string endpoint_url(const std::string& api_root, const std::string& endpoint);

// The URL with any "user:password@" removed, for log lines and error messages.
std::string redact_url(const std::string& url);

}  // namespace imu2clip::llm
