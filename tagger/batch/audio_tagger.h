#pragma once
// Batch zero-shot tagging of audio: file -> mono at the model's rate -> 5 s windows -> quiet
// gate -> log-mels -> audio encoder -> label scores -> segments -> SQLite, as the IMU batch
// tagger does (one transaction per batch of windows; a re-run skips finished recordings and
// finishes interrupted ones without writing anything twice). Windows the gate calls quiet are
// logged "quiet" and never encoded. The audio itself is never stored.
#include <atomic>
#include <vector>

#include "tagger/batch/tag_job.h"

namespace imu2clip {

struct ModelBundle;
class AudioWindowEncoder;
class LogStore;

// Per-window outcome of one stretch of audio, shared by batch and live tagging.
struct AudioWindowScores {
  std::vector<ScoredWindow> windows;   // start/end seconds from the audio's first sample; invalid
                                       // when the window holds NaN or infinite samples
  std::vector<bool> quiet;             // gated: never encoded
  std::vector<std::vector<uint16_t>> embeddings_f16;  // per window, for search; empty = not encoded
  std::vector<float> scores;           // windows x (labels + 1); the last column is "quiet": 1 for a
                                       // quiet window (its labels 0), -1 for a sound (its cosines)
  int64_t encoded = 0;
};

// Cuts `samples` (mono, at the model's rate, the first sample at offset_s) into consecutive
// windows of the model's length and scores them. A trailing piece of at least half a window is
// padded with silence and scored; a shorter one is left for the caller (live: the next chunk).
AudioWindowScores score_audio_windows(const ModelBundle& bundle, AudioWindowEncoder& encoder, const float* samples,
                                      int64_t n, double offset_s, bool score_partial_tail = true);

class AudioBatchTagger {
 public:
  AudioBatchTagger(LogStore& store, const ModelBundle& bundle, AudioWindowEncoder& encoder, TagOptions options);
  ~AudioBatchTagger();

  TagSummary run(const std::vector<TagJob>& jobs, TagObserver* observer = nullptr,
                 const std::atomic<bool>* stop = nullptr);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace imu2clip
