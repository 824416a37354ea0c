#pragma once
// CLIP's image preprocessing on an in-memory RGB image, as torchvision + PIL do it for CLIP:
// resize the shorter side to `resize` (the longer one to int(resize * long / short)) with PIL's
// antialiased bicubic or bilinear filter (its 8-bit fixed-point arithmetic, so pixels match PIL's),
// centre crop (offsets rounded half to even, as Python's round), scale to [0, 1], normalise per
// channel. Torch-free.
#include <cstdint>
#include <string>
#include <vector>

#include "tagger/model/clip_config.h"

namespace imu2clip {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // row-major, 3 bytes (R, G, B) per pixel
};

// PIL's Image.resize((width, height), BICUBIC or BILINEAR) for 8-bit RGB. Throws Error(InvalidInput)
// for an empty image or target size.
RgbImage resize_like_pil(const RgbImage& image, int width, int height, const std::string& interpolation);

// The image tower's input: 3 x crop x crop floats, channel-major. Throws Error(InvalidInput) for an
// image without pixels or whose pixel buffer does not match its size.
std::vector<float> clip_preprocess(const RgbImage& image, const ClipImagePreprocess& options);

}  // namespace imu2clip
