#include "tagger/eval/eval_windows.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "common/error.h"
#include "tagger/model/bundle.h"
#include "tagger/model/window_encoder.h"

namespace imu2clip {

LabelledWindows load_eval_windows(const std::string& dataset_dir, const ModelBundle& bundle,
                                  const EvalDataOptions& options,
                                  const std::function<void(size_t, size_t)>& progress) {
  WindowDatasetOptions w;
  w.rate_hz = bundle.encoder.sample_rate_hz;
  w.window_s = bundle.window_s();
  w.stride_s = options.stride_s > 0 ? options.stride_s : w.window_s;
  w.min_label_fraction = 0.5;
  w.keep_unlabelled = options.keep_unlabelled;
  w.cache_dir = options.cache_dir;
  if (options.split != "all") w.splits = {options.split};
  LabelledWindows windows = load_labelled_windows(dataset_dir, w, progress);
  if (windows.samples != bundle.encoder.window_samples) {
    throw Error(ErrorKind::Internal, "dataset windows have " + std::to_string(windows.samples) +
                                         " samples but the model expects " +
                                         std::to_string(bundle.encoder.window_samples));
  }
  if (windows.size() == 0 && !options.allow_empty) {
    throw Error(ErrorKind::InvalidInput,
                "split '" + options.split + "' of " + dataset_dir +
                    " has no labelled window; pick another --split (train, val, test or all)",
                ErrorContext{dataset_dir, 0, "--split"});
  }
  return windows;
}

std::vector<float> encode_windows(WindowEncoder& encoder, const LabelledWindows& windows,
                                  const std::function<void(size_t, size_t)>& progress) {
  if (windows.samples != encoder.window_samples() || windows.channels != encoder.options().in_channels) {
    throw Error(ErrorKind::InvalidInput, "windows of " + std::to_string(windows.channels) + " x " +
                                             std::to_string(windows.samples) + " do not fit an encoder of " +
                                             std::to_string(encoder.options().in_channels) + " x " +
                                             std::to_string(encoder.window_samples()));
  }
  const size_t n = windows.size(), dim = static_cast<size_t>(encoder.dim());
  constexpr size_t kBatch = 256;
  std::vector<float> out(n * dim);
  for (size_t i = 0; i < n; i += kBatch) {
    const size_t b = std::min(kBatch, n - i);
    encoder.encode(windows.window(i), static_cast<int64_t>(b), out.data() + i * dim);
    if (progress) progress(i + b, n);
  }
  return out;
}

std::vector<int> argmax_rows(const std::vector<float>& scores, size_t n, size_t columns) {
  if (columns == 0 || scores.size() != n * columns) {
    throw Error(ErrorKind::Internal, "argmax_rows: score matrix has the wrong size");
  }
  std::vector<int> best(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const float* row = scores.data() + i * columns;
    best[i] = static_cast<int>(std::max_element(row, row + columns) - row);
  }
  return best;
}


}  // namespace imu2clip
