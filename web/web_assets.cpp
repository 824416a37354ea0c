#include "web/web_assets.h"

#include "embedded_files.h"

namespace imu2clip {
namespace {

std::string content_type_for(const std::string& name) {
  auto ends_with = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::map<std::string, WebAsset> build_assets() {
  std::map<std::string, WebAsset> assets;
  for (size_t i = 0; i < web_detail::kEmbeddedFileCount; ++i) {
    const auto& file = web_detail::kEmbeddedFiles[i];
    WebAsset asset{content_type_for(file.name),
                   std::string(reinterpret_cast<const char*>(file.data), file.size)};
    const std::string path = "/" + std::string(file.name);
    if (path == "/index.html") assets["/"] = asset;
    assets[path] = std::move(asset);
  }
  return assets;
}

}  // namespace

const std::map<std::string, WebAsset>& web_assets() {
  static const std::map<std::string, WebAsset> assets = build_assets();
  return assets;
}

}  // namespace imu2clip
