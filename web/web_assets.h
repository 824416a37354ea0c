#pragma once
// The chat web UI (web/index.html, app.js, app.css, device_motion.js), compiled into the binary so `imu2clip serve`
// needs no files on disk. The bytes are generated from the web/ sources at build time.
#include <map>
#include <string>

namespace imu2clip {

struct WebAsset {
  std::string content_type;  // e.g. "text/html; charset=utf-8"
  std::string body;
};

// Keyed by URL path: "/" (index.html), "/index.html", "/app.js", "/app.css", "/device_motion.js".
const std::map<std::string, WebAsset>& web_assets();

}  // namespace imu2clip
