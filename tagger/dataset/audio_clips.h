#pragma once
// Labelled audio clips for training and evaluating the audio encoder, from a folder in the
// layout of ../shared/data/audio: clips/<clip_id>.<ext> + labels.csv
// (clip_id,label,source,fold,split) + manifest.json. Each clip becomes ONE window of the
// model's length: shorter clips are padded with silence after the sound, longer ones keep
// their first window. Torch-free.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tagger/model/audio_encoder_options.h"

namespace imu2clip {

struct AudioClipOptions {
  std::vector<std::string> splits = {"train"};   // "all" = every clip
  // Clips of these folds are left out (e.g. the fold a caller moved into validation), or,
  // with only_folds non-empty, only those folds are kept. Fold 0 = a source without folds.
  std::vector<int> exclude_folds, only_folds;
  int threads = 0;                                // decoding threads; <= 0: hardware threads
  std::function<void(size_t done, size_t total)> progress;
};

struct AudioClipSet {
  std::string dataset;                   // manifest "name", else the folder name
  std::vector<std::string> label_names;  // sorted phrases present in this set
  std::vector<std::string> clip_ids;
  std::vector<int> labels;               // index into label_names, one per clip
  std::vector<int> folds;
  std::vector<std::string> splits;
  std::vector<float> rms_dbfs;           // loudness of the window (the gate's measure)
  std::vector<bool> quiet;               // what the model's gate says about the window
  int n_mels = 0, frames = 0;
  std::vector<float> log_mels;           // size() x n_mels x frames
  std::vector<float> samples;            // size() x window_samples (kept only when asked)

  size_t size() const { return clip_ids.size(); }
  const float* log_mel(size_t i) const { return log_mels.data() + i * static_cast<size_t>(n_mels * frames); }
};

// Reads labels.csv and decodes the selected clips at the model's rate. keep_samples also keeps
// the padded waveforms. Throws Error naming the file and line for a malformed labels.csv, a
// missing clip, or a clip that does not decode.
AudioClipSet load_audio_clips(const std::string& dir, const AudioEncoderOptions& model,
                              const AudioClipOptions& options, bool keep_samples = false);

// Re-indexes `set` onto `labels` (e.g. a model's label bank); clips of other labels are dropped.
AudioClipSet restrict_labels(const AudioClipSet& set, const std::vector<std::string>& labels);

// Appends b to a (same front end); label indices are merged by phrase.
void append_clips(AudioClipSet& a, const AudioClipSet& b);

}  // namespace imu2clip
