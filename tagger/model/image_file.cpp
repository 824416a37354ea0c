#include "tagger/model/image_file.h"

#include <stb_image.h>

#include <filesystem>
#include <memory>

#include "common/error.h"

namespace imu2clip {

RgbImage read_rgb_image(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(ErrorKind::NotFound, "image file not found", ErrorContext{path, 0, ""});
  }
  int w = 0, h = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> data(stbi_load(path.c_str(), &w, &h, &channels, 3), stbi_image_free);
  if (!data) {
    throw Error(ErrorKind::Corrupt, std::string("cannot decode the image: ") + stbi_failure_reason(),
                ErrorContext{path, 0, ""});
  }
  RgbImage image;
  image.width = w;
  image.height = h;
  image.pixels.assign(data.get(), data.get() + size_t(w) * h * 3);
  return image;
}

}  // namespace imu2clip
