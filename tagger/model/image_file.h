#pragma once
// Decodes a JPEG or PNG file (also BMP, GIF's first frame, TGA: whatever stb_image reads) into 8-bit
// RGB, for CLIP's image tower. Torch-free.
#include <string>

#include "tagger/model/clip_preprocess.h"

namespace imu2clip {

// Throws Error(NotFound) when the file is missing, Error(Corrupt) when it is no image stb can decode.
RgbImage read_rgb_image(const std::string& path);

}  // namespace imu2clip
