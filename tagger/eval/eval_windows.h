#pragma once
// Getting a dataset split into the shape a bundle expects, and through its encoder. Torch-free.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tagger/text/label_file.h"  // read_label_phrases (--labels)

#include "tagger/dataset/window_dataset.h"

namespace imu2clip {

struct ModelBundle;
class WindowEncoder;

struct EvalDataOptions {
  std::string split = "test";   // manifest split; "all" = every recording
  double stride_s = 0;          // <= 0: the bundle's window length (non-overlapping windows)
  std::string cache_dir;        // "" = no window cache
  bool allow_empty = false;     // return an empty set instead of throwing when nothing is selected
  bool keep_unlabelled = false; // keep windows without a majority label (label -1), as the tagger sees them
};

// Windows of `dataset_dir` resampled to the bundle's rate and cut to its window length, each
// labelled by the label covering more than half its span (windows without one are left out).
// Throws Error(InvalidInput) when the split selects no labelled window (unless allow_empty).
LabelledWindows load_eval_windows(const std::string& dataset_dir, const ModelBundle& bundle,
                                  const EvalDataOptions& options,
                                  const std::function<void(size_t, size_t)>& progress = {});

// n x encoder.dim() unit embeddings, row-major, encoded in batches. `progress` gets
// (windows done, windows total).
std::vector<float> encode_windows(WindowEncoder& encoder, const LabelledWindows& windows,
                                  const std::function<void(size_t, size_t)>& progress = {});

// n x bank rows cosine scores -> the best label of each row (ties: the lower index).
std::vector<int> argmax_rows(const std::vector<float>& scores, size_t n, size_t columns);

}  // namespace imu2clip
