#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "tests/support/test_paths.h"
#include "web/web_assets.h"

using namespace imu2clip;

TEST_CASE("The web UI is served from the embedded copies of web/ with their content types", "[web]") {
  const auto& assets = web_assets();
  for (const char* name : {"index.html", "app.js", "app.css", "device_motion.js", "timeline_lanes.js", "audio_capture.js",
                           "search_marks.js", "your_data.js"}) {
    INFO(name);
    REQUIRE(assets.count(std::string("/") + name) == 1);
    std::ifstream in(test::source_dir() + "/web/" + name, std::ios::binary);
    const std::string on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(assets.at(std::string("/") + name).body == on_disk);
  }
  CHECK(assets.at("/").body == assets.at("/index.html").body);
  CHECK(assets.at("/index.html").content_type == "text/html; charset=utf-8");
  CHECK(assets.at("/app.js").content_type == "text/javascript; charset=utf-8");
  CHECK(assets.at("/app.css").content_type == "text/css; charset=utf-8");
}
