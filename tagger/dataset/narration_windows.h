#pragma once
// IMU windows paired with Ego4D narrations (IMU2CLIP's pretraining data, paper §4.1): one
// window centred on every narration time, with the narration cleaned the way the paper's
// code does, plus (optionally) the video-frame embedding nearest to that time, for IMU<->video
// alignment. Torch-free.
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace imu2clip {

// "#C C picks a cup." -> "picks a cup"; "#unsure" -> "something"; "#C"/"#O" markers removed,
// punctuation removed (apostrophes dropped inside words), whitespace collapsed, lowercase.
std::string clean_narration(const std::string& raw);

struct NarrationWindowOptions {
  double rate_hz = 50.0;
  double window_s = 5.0;
  std::vector<std::string> video_uids;  // empty = every video with an IMU file
  size_t max_windows = 0;               // 0 = all
};

struct NarrationWindows {
  int channels = 6;
  int samples = 0;                     // round(window_s * rate_hz)
  double rate_hz = 0;
  std::vector<float> data;             // size() * channels * samples, channel-major per window
  std::vector<std::string> text;       // cleaned narration
  std::vector<std::string> video_uid;
  std::vector<double> time_s;          // narration time on the video clock (seconds)
  size_t size() const { return text.size(); }
  const float* window(size_t i) const { return data.data() + i * channels * samples; }
};

// Reads ROOT/ego4d.json, ROOT/v2/imu/*.csv and ROOT/v2/annotations/narration.json. Narrations
// whose centred window leaves the IMU signal, or overlaps a gap, are skipped; so are empty
// texts after cleaning. Throws Error(NotFound) when the root has no narration file.
NarrationWindows load_narration_windows(const std::string& ego4d_root, const NarrationWindowOptions& options,
                                        const std::function<void(size_t, size_t)>& progress = {});

// Video-frame embeddings from a safetensors file whose tensors are named "<video_uid>@<time_ms>"
// (one vector of `dim` floats each, any float dtype).
class VideoEmbeddings {
 public:
  // Throws Error(Corrupt) naming the tensor for a bad name or a dimension mismatch.
  static VideoEmbeddings load(const std::string& path);
  int dim() const { return dim_; }
  size_t size() const { return count_; }
  // The embedding whose time is nearest to `time_s` for that video, if within max_distance_s;
  // nullptr otherwise.
  const float* nearest(const std::string& video_uid, double time_s, double max_distance_s) const;

 private:
  int dim_ = 0;
  size_t count_ = 0;
  std::map<std::string, std::vector<std::pair<double, std::vector<float>>>> by_video_;  // sorted by time
};

}  // namespace imu2clip
