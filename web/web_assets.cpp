#include "web/web_assets.h"

#include "common/strings.h"
#include "embedded_web_files.h"

namespace imu2clip {
namespace {

std::string content_type_for(const std::string& name) {
  if (ends_with(name, ".html")) return "text/html; charset=utf-8";
  if (ends_with(name, ".js")) return "text/javascript; charset=utf-8";
  if (ends_with(name, ".css")) return "text/css; charset=utf-8";
  if (ends_with(name, ".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::map<std::string, WebAsset> build_assets() {
  std::map<std::string, WebAsset> assets;
  for (const EmbeddedFile& file : embedded_web_files()) {
    WebAsset asset{content_type_for(file.name), std::string(file.text())};
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
