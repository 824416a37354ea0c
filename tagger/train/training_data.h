#pragma once
// What the trainer consumes: IMU windows, each paired with a target text (a class label or a
// narration) and optionally a video-frame embedding. Torch-free.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tagger/dataset/narration_windows.h"
#include "tagger/dataset/window_dataset.h"

namespace imu2clip {

class TextTower;

struct TrainingData {
  int channels = 6;
  int samples = 0;
  double rate_hz = 0;
  std::vector<float> windows;           // size() * channels * samples, channel-major per window
  std::vector<int> text;                // per window: index into texts
  std::vector<std::string> texts;       // distinct target texts
  std::vector<uint8_t> text_is_label;   // per text: 1 = class label (rendered through prompt templates)
  std::vector<int> source;              // per window: index into sources (the dataset it came from)
  std::vector<std::string> sources;     // dataset names ("hapt", "ego4d", ...)
  std::vector<int> video;               // per window: row of video_embeddings, -1 = none (empty = no video)
  std::vector<float> video_embeddings;  // rows x video_dim
  int video_dim = 0;

  size_t size() const { return text.size(); }
  const float* window(size_t i) const { return windows.data() + i * channels * samples; }
  bool has_video() const { return video_dim > 0; }
  // Class-label phrases among `texts`, sorted: the labels a trained bundle's label bank gets.
  std::vector<std::string> label_texts() const;
};

// Windows without a label (-1) are dropped.
TrainingData training_data_from_labels(const LabelledWindows& windows);
// `video` may be null; windows without a video embedding within max_video_distance_s keep -1.
TrainingData training_data_from_narrations(const NarrationWindows& windows, const VideoEmbeddings* video,
                                           double max_video_distance_s = 1.0);
// Appends `more` (same window shape, else Error(InvalidInput)); texts are merged by string.
void append_training_data(TrainingData& into, const TrainingData& more);

// Frozen target embeddings: every label text through every template, every narration as is.
// Row r of `rows` (dim floats, unit length); text t owns rows [offset[t], offset[t] + count[t]).
struct TextTargets {
  int dim = 0;
  std::vector<float> rows;
  std::vector<int> offset, count;
  // The template-averaged (then re-normalised) row per text, as a label bank would hold it:
  // the deterministic target for validation.
  std::vector<float> mean_rows;

  static TextTargets build(const TextTower& tower, const std::vector<std::string>& texts,
                           const std::vector<uint8_t>& text_is_label, const std::vector<std::string>& templates);
};

}  // namespace imu2clip
