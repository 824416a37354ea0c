#pragma once
// One live session (a recording fed by POST /v1/imu) as the background worker sees it: where
// its next window starts, and the recent windows' scores for re-segmenting. Everything it
// needs to resume after a restart is in the database (tagged_until_s, stored raw samples).
#include <atomic>
#include <cstdint>
#include <functional>

#include "tagger/live/live_segments.h"
#include "tagger/live/live_windowing.h"

namespace imu2clip {

struct ModelBundle;
class WindowEncoder;
class LogStore;

struct LiveSessionContext {
  LogStore& store;
  const ModelBundle& bundle;
  WindowEncoder& encoder;
  const LiveWindowing& windowing;
  int top_k = 3;
  int batch_windows = 64;
  SegmenterOptions segmenter;
  size_t keep_windows = 24;   // recent windows re-segmented with each batch
};

class LiveSession {
 public:
  // Loads the recording's start and resume point; throws NotFound when it is gone.
  LiveSession(LiveSessionContext& ctx, int64_t recording_id);

  int64_t recording_id() const { return recording_id_; }
  int64_t start_ms() const { return start_ms_; }
  int64_t next_window() const { return next_window_; }

  // Tags, in batches of ctx.batch_windows, every window the stored samples complete. last_t_ms
  // is the session's latest stored sample; unless `final`, windows within the resampling
  // margin of it wait for more data. Each batch commits its windows, then the segments and log
  // lines, then drops the raw samples it no longer needs; on_batch(next_window, n) follows.
  // `cancel` is checked between batches. Returns the number of windows tagged.
  int64_t tag(int64_t last_t_ms, bool final, const std::function<void(int64_t, int64_t)>& on_batch = {},
              const std::atomic<bool>* cancel = nullptr);
  // For a session that will get no more data: writes its final segments, marks the recording
  // complete and deletes its remaining raw samples (a tail too short for a window).
  void complete(int64_t last_t_ms);

 private:
  void write_segments(int64_t last_t_ms, bool complete);

  LiveSessionContext& ctx_;
  int64_t recording_id_;
  int64_t user_id_ = 0;
  int64_t start_ms_ = 0;
  int64_t next_window_ = 0;
  LiveSegments segments_;
};

}  // namespace imu2clip
