#pragma once
// Continuous tagging of a microphone, the live audio path. LiveAudioTagger takes POST /v1/audio
// chunks, stores them durably (SQLite, committed, mono PCM16 at the audio model's rate) before
// acknowledging them, and tags them in the background: every whole window of a session (its
// chunks are one time line) goes through the quiet gate, the audio encoder and the label bank,
// and the session's windows, segments and "Audio: ..." log lines are kept current. Once a
// session ends (a pause longer than max_gap_s, a new model, or nothing posted for
// idle_close_s) its last piece of at least half a window is padded with silence and tagged.
// A microphone log is private: the raw audio is deleted as soon as it is tagged unless
// keep_audio. A crash loses nothing acknowledged: a new LiveAudioTagger on the same database
// tags the stored backlog. Torch-free header; the same rules as LiveTagger (live_tagger.h).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tagger/live/live_input.h"

namespace imu2clip {

struct ModelBundle;

struct LiveAudioTaggerOptions {
  double max_pending_s = 30 * 60;   // per user: untagged audio beyond this makes ingest() throw Busy
  double max_gap_s = 2.0;           // a longer pause between chunks starts a new session
  double idle_close_s = 60;         // an open session nothing was posted to for this long (server
                                    // time) ends and its tail is tagged; 0 = only pauses end one
  int top_k = 3;
  int encoder_threads = 1;
  int batch_windows = 12;           // windows per encoder call and per database transaction
  bool keep_audio = false;          // keep the raw audio after tagging (default: delete it)
  bool start_paused = false;        // worker waits for resume(): lets tests and tools inspect
                                    // the durable backlog before it is tagged
};

// One POST /v1/audio body, already decoded by the server.
struct LiveAudioChunk {
  std::string device = "default";
  std::string device_kind = "microphone";
  int64_t start_utc_ms = 0;         // wall-clock time of the first sample
  double sample_rate_hz = 0;        // of `samples`; resampled to the model's rate when different
  std::vector<float> samples;       // mono, full scale = 1
};

struct LiveAudioIngestResult {
  int64_t accepted_samples = 0;     // at the model's rate
  double accepted_s = 0;
  int64_t recording_id = 0;
  int64_t pending_windows = 0;      // the user's untagged audio in windows (a last partial one counts)
};

struct LiveAudioStats {
  int64_t windows_tagged = 0;
  int64_t samples_ingested = 0;     // at the model's rate
  double seconds_ingested = 0;
  int64_t pending_windows = 0;
};

class LiveAudioTagger {   // thread-safe; owns one background worker thread and its own connections
 public:
  // Throws Error(InvalidInput) for a bundle that is not an audio model or bad options.
  LiveAudioTagger(std::string db_path, std::shared_ptr<const ModelBundle> bundle, LiveAudioTaggerOptions options = {});
  ~LiveAudioTagger();   // stop()
  LiveAudioTagger(const LiveAudioTagger&) = delete;
  LiveAudioTagger& operator=(const LiveAudioTagger&) = delete;

  // Durably stores the chunk (SQLite, committed) BEFORE returning; tagging happens in the
  // background. Throws Error(InvalidInput) for a bad chunk (field "samples", "sample_rate_hz",
  // "device", "start"), BusyError when the user's backlog would exceed max_pending_s (other
  // users are not affected; nothing is stored then).
  LiveAudioIngestResult ingest(int64_t user_id, const LiveAudioChunk& chunk);
  // Blocks until every whole window of the audio ingested so far is tagged, and every ended
  // session is finished (tail, segments, log lines). An open session's last partial window
  // waits for more audio or for the session to end. Resumes a worker started paused; returns
  // at once after abandon().
  void flush();
  void stop();          // flush, then stop the worker; idempotent
  LiveAudioStats stats() const;
  double sample_rate_hz() const;    // the model's rate: what accepted_samples count
  double max_pending_s() const;     // the per-user backlog allowance: no chunk can be longer

  // Starts a worker created with start_paused. Idempotent.
  void resume();
  // Runs `erase` (a delete of stored data) while no chunk is being stored and the worker is
  // between passes, then has the worker reload its sessions from the database: nothing read or
  // computed before the delete is written back after it. Waits for the current pass to end.
  void run_exclusive(const std::function<void()>& erase);
  // Stops the worker WITHOUT tagging the backlog (what a crash leaves behind: the audio stays
  // stored and a later LiveAudioTagger tags it). Idempotent; ingest() afterwards still stores.
  void abandon();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imu2clip
