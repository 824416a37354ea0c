#include "services/cli/llm_flags.h"

#include <cstdlib>

#include "common/error.h"

namespace imu2clip::cli {

std::optional<llm::ClientOptions> llm_client_options(const LlmFlags& flags) {
  if (flags.url.empty()) {
    if (!flags.model.empty())
      throw Error(ErrorKind::InvalidInput, "--llm-model '" + flags.model + "' needs --llm-url", {"", 0, "--llm-url"});
    if (!flags.api_key_env.empty())
      throw Error(ErrorKind::InvalidInput, "--llm-api-key-env '" + flags.api_key_env + "' needs --llm-url",
                  {"", 0, "--llm-url"});
    return std::nullopt;
  }
  if (flags.model.empty())
    throw Error(ErrorKind::InvalidInput,
                "--llm-url '" + flags.url + "' needs --llm-model (the model name the endpoint serves)",
                {"", 0, "--llm-model"});
  llm::ClientOptions options;
  options.base_url = flags.url;
  options.model = flags.model;
  if (!flags.api_key_env.empty()) {
    const char* key = std::getenv(flags.api_key_env.c_str());
    if (!key || !*key)
      throw Error(ErrorKind::InvalidInput, "environment variable " + flags.api_key_env + " (the API key) is not set",
                  {"", 0, "--llm-api-key-env"});
    options.api_key = key;
  }
  return options;
}

}  // namespace imu2clip::cli
