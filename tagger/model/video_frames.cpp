#include "tagger/model/video_frames.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "tagger/model/image_file.h"

namespace fs = std::filesystem;

namespace imu2clip {
namespace {

bool is_image(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

bool is_time(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && v >= 0 && std::isdigit(static_cast<unsigned char>(s[0]));
}

}  // namespace

std::vector<VideoFrame> list_video_frames(const std::string& root) {
  if (!fs::is_directory(root)) {
    throw Error(ErrorKind::NotFound, "frame folder not found (ROOT/<video_uid>/<time_ms>.jpg)", ErrorContext{root, 0, ""});
  }
  std::vector<VideoFrame> frames;
  for (const auto& video : fs::directory_iterator(root)) {
    if (!video.is_directory()) continue;
    const std::string uid = video.path().filename().string();
    if (uid.find('@') != std::string::npos) {
      throw Error(ErrorKind::InvalidInput, "a video folder name must not contain '@'", ErrorContext{video.path().string(), 0, ""});
    }
    for (const auto& f : fs::directory_iterator(video.path())) {
      if (!f.is_regular_file() || !is_image(f.path())) continue;
      const std::string stem = f.path().stem().string();
      if (!is_time(stem)) {
        throw Error(ErrorKind::InvalidInput, "a frame's file name must be its time in milliseconds, e.g. 1500.jpg",
                    ErrorContext{f.path().string(), 0, ""});
      }
      frames.push_back({uid, stem, f.path().string()});
    }
  }
  if (frames.empty()) {
    throw Error(ErrorKind::InvalidInput, "no frames: expected ROOT/<video_uid>/<time_ms>.jpg|png", ErrorContext{root, 0, ""});
  }
  std::sort(frames.begin(), frames.end(), [](const VideoFrame& a, const VideoFrame& b) {
    if (a.video_uid != b.video_uid) return a.video_uid < b.video_uid;
    return std::strtod(a.time_ms.c_str(), nullptr) < std::strtod(b.time_ms.c_str(), nullptr);
  });
  return frames;
}

SafetensorsFile embed_video_frames(const ClipImageTower& tower, const std::vector<VideoFrame>& frames, int batch,
                                   const std::function<void(size_t, size_t)>& progress) {
  if (batch < 1) throw Error(ErrorKind::InvalidInput, "batch must be positive", ErrorContext{"", 0, "batch"});
  SafetensorsFile out;
  out.metadata["format"] = "imu2clip-video-embeddings";
  out.metadata["clip_model"] = tower.config().model;
  out.metadata["embed_dim"] = std::to_string(tower.dim());
  for (size_t start = 0; start < frames.size(); start += static_cast<size_t>(batch)) {
    const size_t n = std::min(frames.size() - start, static_cast<size_t>(batch));
    std::vector<RgbImage> images;
    images.reserve(n);
    for (size_t i = 0; i < n; ++i) images.push_back(read_rgb_image(frames[start + i].path));
    const auto rows = tower.embed(images, batch);
    for (size_t i = 0; i < n; ++i) {
      const auto& f = frames[start + i];
      out.tensors[f.video_uid + "@" + f.time_ms] = tensor_from_f32({tower.dim()}, rows[i].data(), DType::F32);
    }
    if (progress) progress(start + n, frames.size());
  }
  return out;
}

}  // namespace imu2clip
