#pragma once
// The LLM endpoint flags `serve` and `ask` share (--llm-url, --llm-model, --llm-api-key-env),
// checked by one function so both commands accept and refuse the same combinations. Each
// command registers the flags itself: their --help wording is part of that command's contract.
#include <optional>
#include <string>

#include "llm/openai_client.h"

namespace imu2clip::cli {

struct LlmFlags {
  std::string url;          // --llm-url; empty = the built-in answerer only
  std::string model;        // --llm-model
  std::string api_key_env;  // --llm-api-key-env: name of the environment variable holding the key
};

// nullopt without --llm-url. Throws InvalidInput naming the flag when --llm-model or
// --llm-api-key-env come without --llm-url, when --llm-url comes without --llm-model, or when
// the key's environment variable is unset or empty.
std::optional<llm::ClientOptions> llm_client_options(const LlmFlags& flags);

}  // namespace imu2clip::cli
