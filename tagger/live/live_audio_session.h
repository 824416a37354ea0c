#pragma once
// One live audio session (a recording fed by POST /v1/audio) as the background worker sees it:
// which window it tags next, and the recent windows' scores for re-segmenting. Everything it
// needs to resume after a restart is in the database (tagged_until_s, the stored chunks).
#include <atomic>
#include <cstdint>
#include <functional>

#include "tagger/live/live_segments.h"

namespace imu2clip {

struct AudioWindowScores;
struct ModelBundle;
class AudioWindowEncoder;
class LogStore;

struct LiveAudioSessionContext {
  LogStore& store;
  const ModelBundle& bundle;           // modality "audio"
  AudioWindowEncoder& encoder;
  int top_k = 3;
  int batch_windows = 12;              // windows per encoder call and per database transaction
  bool keep_audio = false;             // keep the raw audio once tagged
  SegmenterOptions segmenter;
  size_t keep_windows = 24;            // recent windows re-segmented with each batch
};

class LiveAudioSession {
 public:
  // Loads the recording's start and resume point. Throws NotFound when it is gone,
  // InvalidInput when it was recorded for another model (its audio may be at another rate).
  LiveAudioSession(LiveAudioSessionContext& ctx, int64_t recording_id);

  int64_t recording_id() const { return recording_id_; }
  int64_t next_window() const { return next_window_; }

  // Tags, in batches of ctx.batch_windows, every whole window of the audio stored up to
  // end_samples; when `closed` (no more audio will come), also a last piece of at least half a
  // window, padded with silence. Each batch commits its windows, then the segments and log
  // lines, then deletes the audio it tagged (unless ctx.keep_audio); on_batch(next_window, n)
  // follows. `cancel` is checked between batches. Returns the number of windows tagged.
  int64_t tag(int64_t end_samples, bool closed, const std::function<void(int64_t, int64_t)>& on_batch = {},
              const std::atomic<bool>* cancel = nullptr);
  // For a closed session, once tagged: writes its final segments, marks the recording complete
  // and deletes its remaining audio (unless ctx.keep_audio).
  void complete(int64_t end_samples);

 private:
  void store_windows(const AudioWindowScores& scored, int64_t end_samples);
  void write_segments(int64_t end_samples, bool complete);

  LiveAudioSessionContext& ctx_;
  int64_t recording_id_;
  int64_t user_id_ = 0;
  int64_t start_ms_ = 0;
  int64_t window_samples_ = 0;
  double rate_hz_ = 0;
  int64_t next_window_ = 0;
  LiveSegments segments_;
};

}  // namespace imu2clip
