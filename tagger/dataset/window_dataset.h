#pragma once
// Labelled IMU windows from a canonical dataset folder (manifest.json + labels.csv +
// recordings/): the common input of pretraining (tagger/train) and evaluation (tagger/eval).
// Torch-free. Every recording is resampled to one rate and cut into fixed windows; a window
// gets the label that covers more than `min_label_fraction` of its span. Preprocessing can be
// cached on disk so later epochs and later runs skip CSV parsing and resampling.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "tagger/text/label_map.h"

namespace imu2clip {

struct WindowDatasetOptions {
  double rate_hz = 50.0;            // resample every recording to this rate
  double window_s = 5.0;
  double stride_s = 2.5;
  double min_label_fraction = 0.5;  // a window's label = the label covering MORE than this fraction of its span
  std::vector<std::string> splits;  // manifest splits to take ("train", "val", "test"); empty = all recordings
  bool keep_unlabelled = false;     // keep windows without a majority label (label = -1)
  std::string cache_dir;            // "" = no cache; else preprocessed windows are cached here (keyed by
                                    // dataset path, file sizes/mtimes and these options)
};

struct LabelledWindows {
  std::string dataset;                 // manifest name, e.g. "hapt"
  int channels = 6;
  int samples = 0;                     // T = round(window_s * rate_hz)
  double rate_hz = 0;
  std::vector<float> data;             // size() * channels * samples, channel-major per window (ax ay az gx gy gz)
  std::vector<int> label;              // index into `labels`, -1 = no majority label
  std::vector<std::string> labels;     // label phrases present in the dataset (labels.csv `label` column), sorted
  std::vector<int> recording;          // index into `recording_ids`
  std::vector<std::string> recording_ids;
  std::vector<std::string> recording_subjects;
  std::vector<std::string> recording_splits;
  std::vector<double> start_s;         // window start within its recording
  size_t size() const { return label.size(); }
  const float* window(size_t i) const { return data.data() + i * channels * samples; }
};

// Loads a canonical dataset folder (manifest.json + labels.csv + recordings/). Throws Error with file context.
// `progress` (may be empty) is called with (recordings done, recordings total).
LabelledWindows load_labelled_windows(const std::string& dataset_dir, const WindowDatasetOptions& options,
                                      const std::function<void(size_t, size_t)>& progress = {});

// Keeps only windows whose label phrase is in `keep` (others dropped), re-indexing labels in `keep` order.
LabelledWindows filter_labels(const LabelledWindows& windows, const std::vector<std::string>& keep);

// Relabels windows with the everyday activities of `map` (labels become map.activities, in
// vocabulary order). Windows whose label maps to nothing get label -1 when `keep_unmapped`
// (product evaluation smooths over them like the tagger does) and are dropped otherwise.
// Throws Error(InvalidInput) when the map lacks the dataset or one of its labels: a label
// nobody reviewed must not silently vanish from training.
LabelledWindows apply_label_map(const LabelledWindows& windows, const LabelMap& map, bool keep_unmapped = false);

// --- combining and trimming window sets ---

// Appends `more` to `into` (same channels/samples/rate required, else Error(InvalidInput)).
// Labels are merged by phrase into one sorted list and re-indexed; recordings are kept apart
// (ids prefixed by "<dataset>/" when the datasets differ). `into.dataset` becomes "a+b".
void append_windows(LabelledWindows& into, const LabelledWindows& more);

// At most `max_windows` windows, taken round-robin over recordings (the first window of every
// recording, then the second, ...) so a small slice still spans recordings and labels (tiny
// runs). Window order is kept. max_windows == 0 keeps everything.
LabelledWindows take_windows(const LabelledWindows& windows, size_t max_windows);

}  // namespace imu2clip
