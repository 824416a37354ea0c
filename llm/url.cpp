#include "llm/url.h"

#include "common/strings.h"
#include "llm/openai_client.h"

namespace imu2clip::llm {
std::string normalise_api_root(const std::string& base_url) {
  std::string root = trim(base_url);
  if (root.empty())
    throw LlmError(LlmErrorKind::Connect, 0, "", "",
                   "no LLM base URL configured: set it to e.g. http://127.0.0.1:8080/v1");
  if (!starts_with(root, "http://") && !starts_with(root, "https://"))
    throw LlmError(LlmErrorKind::Connect, 0, "", "",
                   "LLM base URL '" + redact_url(root) + "' must start with http:// or https://");
  while (ends_with(root, "/")) root.pop_back();
  if (!ends_with(root, "/v1")) root += "/v1";
  return root;
}

std::string endpoint_url(const std::string& api_root, const std::string& endpoint) {
  return api_root + "/" + endpoint;
}

std::string redact_url(const std::string& url) {
  size_t scheme_end = url.find("://");
  size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  size_t path_start = url.find('/', host_start);
  size_t at = url.find('@', host_start);
  if (at == std::string::npos || (path_start != std::string::npos && at > path_start)) return url;
  return url.substr(0, host_start) + "***@" + url.substr(at + 1);
}

}  // namespace imu2clip::llm
