#include <catch2/catch.hpp>

#include <cstdlib>

#include "common/error.h"
#include "services/cli/llm_flags.h"

using namespace imu2clip;
using namespace imu2clip::cli;

namespace {

// The flag an InvalidInput names, or "" when the call succeeded.
std::string refused_flag(const LlmFlags& flags) {
  try {
    llm_client_options(flags);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    return e.context().field;
  }
  return "";
}

}  // namespace

TEST_CASE("Without --llm-url the built-in answerer is used and its companion flags are refused", "[cli][llm]") {
  CHECK_FALSE(llm_client_options({}).has_value());
  CHECK(refused_flag({"", "qwen", ""}) == "--llm-url");
  CHECK(refused_flag({"", "", "MY_KEY"}) == "--llm-url");
}

TEST_CASE("An LLM URL needs --llm-model and fills the client options", "[cli][llm]") {
  CHECK(refused_flag({"http://127.0.0.1:8080", "", ""}) == "--llm-model");
  const auto options = llm_client_options({"http://127.0.0.1:8080/v1", "qwen", ""});
  REQUIRE(options.has_value());
  CHECK(options->base_url == "http://127.0.0.1:8080/v1");
  CHECK(options->model == "qwen");
  CHECK(options->api_key.empty());
}

TEST_CASE("The API key is read from the environment variable --llm-api-key-env names", "[cli][llm]") {
  ::setenv("IMU2CLIP_TEST_LLM_KEY", "sk-test", 1);
  const auto options = llm_client_options({"http://127.0.0.1:8080", "qwen", "IMU2CLIP_TEST_LLM_KEY"});
  REQUIRE(options.has_value());
  CHECK(options->api_key == "sk-test");
  ::unsetenv("IMU2CLIP_TEST_LLM_KEY_UNSET");
  CHECK(refused_flag({"http://127.0.0.1:8080", "qwen", "IMU2CLIP_TEST_LLM_KEY_UNSET"}) == "--llm-api-key-env");
  ::setenv("IMU2CLIP_TEST_LLM_KEY_EMPTY", "", 1);
  CHECK(refused_flag({"http://127.0.0.1:8080", "qwen", "IMU2CLIP_TEST_LLM_KEY_EMPTY"}) == "--llm-api-key-env");
}
