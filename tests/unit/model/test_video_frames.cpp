// embed-video's core: frame trees through a (tiny) CLIP image tower into the file the trainer's
// VideoEmbeddings reads.
#include <catch2/catch.hpp>

#include <stb_image_write.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "tagger/dataset/narration_windows.h"
#include "tagger/model/clip_towers.h"
#include "tagger/model/image_file.h"
#include "tagger/model/safetensors.h"
#include "tagger/model/video_frames.h"
#include "tests/support/test_paths.h"
#include "tests/support/tiny_clip.h"

using namespace imu2clip;
namespace fs = std::filesystem;

namespace {

RgbImage gradient(int w, int h, int seed) {
  RgbImage im{w, h, {}};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      im.pixels.insert(im.pixels.end(), {uint8_t(seed * 40 + x * 9), uint8_t(y * 20), uint8_t(255 - seed * 30)});
    }
  }
  return im;
}

void write_png(const std::string& path, const RgbImage& im) {
  REQUIRE(stbi_write_png(path.c_str(), im.width, im.height, 3, im.pixels.data(), im.width * 3) != 0);
}

}  // namespace

TEST_CASE("embed-video: frames become <video_uid>@<time_ms> rows the trainer reads", "[model][clip][video]") {
  const auto dir = test::make_temp_dir("video_frames");
  test::write_tiny_clip(dir);
  const auto root = dir + "/frames";
  fs::create_directories(root + "/vidA");
  fs::create_directories(root + "/vidB");
  write_png(root + "/vidA/1500.png", gradient(6, 5, 1));
  write_png(root + "/vidA/0.png", gradient(8, 4, 2));
  write_png(root + "/vidB/250.5.PNG", gradient(4, 4, 3));
  std::ofstream(root + "/vidA/notes.txt") << "not a frame";

  const auto frames = list_video_frames(root);
  REQUIRE(frames.size() == 3);
  CHECK(frames[0].time_ms == "0");  // sorted by time within a video
  CHECK(frames[1].time_ms == "1500");
  CHECK(frames[2].video_uid == "vidB");

  // PNG is lossless, so the decoded frame is the image written.
  CHECK(read_rgb_image(root + "/vidA/1500.png").pixels == gradient(6, 5, 1).pixels);

  ClipImageTower tower(dir);
  const auto file = embed_video_frames(tower, frames, 2);
  CHECK(file.tensors.size() == 3);
  write_safetensors(dir + "/video.safetensors", file);
  const auto video = VideoEmbeddings::load(dir + "/video.safetensors");
  CHECK(video.dim() == 3);
  CHECK(video.size() == 3);
  const float* row = video.nearest("vidA", 1.5, 0.01);
  REQUIRE(row != nullptr);
  const auto expected = tower.embed({gradient(6, 5, 1)}).at(0);
  CHECK(std::vector<float>(row, row + 3) == expected);
  CHECK(video.nearest("vidB", 0.2505, 0.001) != nullptr);
}

TEST_CASE("embed-video: bad trees and files are named", "[model][clip][video]") {
  const auto dir = test::make_temp_dir("video_frames_bad");
  auto kind_of = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::Internal;
  };
  CHECK(kind_of([&] { list_video_frames(dir + "/absent"); }) == ErrorKind::NotFound);
  fs::create_directories(dir + "/empty/vid");
  CHECK(kind_of([&] { list_video_frames(dir + "/empty"); }) == ErrorKind::InvalidInput);
  fs::create_directories(dir + "/named/vid");
  std::ofstream(dir + "/named/vid/frame_001.png") << "x";
  try {
    list_video_frames(dir + "/named");
    FAIL("accepted a frame without a time");
  } catch (const Error& e) {
    CHECK(e.context().file.find("frame_001.png") != std::string::npos);
  }
  std::ofstream(dir + "/broken.png") << "not a png";
  CHECK(kind_of([&] { read_rgb_image(dir + "/broken.png"); }) == ErrorKind::Corrupt);
}
