#pragma once
// Continuous tagging, the live path. LiveTagger takes POST /v1/imu batches, stores the raw
// samples durably (SQLite, committed) before acknowledging them, and tags them in the
// background: resample to the model's rate, cut windows as data arrives (a window may span
// batches), encode, score against the label bank, and keep the live recording's windows,
// segments and log lines current. A crash loses nothing acknowledged: a new LiveTagger on the
// same database picks up the stored, untagged samples. Torch-free.
// Whole uploaded files are tagged by RecordingJobs (recording_jobs.h).
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tagger/io/imu_units.h"
#include "tagger/live/live_input.h"

namespace imu2clip {

struct ModelBundle;

struct LiveTaggerOptions {
  size_t max_queue_windows = 160000;  // all users: beyond this pending backlog ingest() throws Busy (-> HTTP 429)
  size_t max_user_queue_windows = 20000;  // one user, counting the incoming batch: Busy beyond it, so one
                                          // user's backlog does not turn everyone else away; a batch that
                                          // alone spans more is InvalidInput (split it)
  double max_gap_s = 1.0;             // a gap longer than this starts a new live session (new recording)
  int top_k = 3;
  int encoder_threads = 1;
  bool start_paused = false;          // worker waits for resume(): lets tests and tools inspect
                                      // the durable backlog before it is tagged
  int batch_windows = 64;             // windows per encoder call and per database transaction
  std::string tz = "UTC";             // zone of new users' recordings when the user has none
  // A session whose tagging keeps failing (a database error, a model that throws on its data) is
  // retried with backoff: retry_backoff_s after the first failed pass, doubling up to
  // max_retry_backoff_s. After max_failed_passes failed passes in a row, or max_failing_s of
  // failing, it is set aside: logged, counted in LiveStats::sessions_set_aside_total, and its
  // stuck backlog no longer counts towards the backlog limits (samples arriving after that still
  // do), so one broken session does not turn its user away for good. It is still retried.
  int max_failed_passes = 3;
  double max_failing_s = 600;
  double retry_backoff_s = 1;
  double max_retry_backoff_s = 300;
  // Milliseconds of a monotonic clock for the backoff; tests set a hand-driven one. Empty: steady_clock.
  std::function<int64_t()> clock_ms;
};

struct IngestResult { int64_t accepted = 0; int64_t recording_id = 0; int64_t pending_windows = 0; };
struct LiveStats {
  int64_t windows_tagged = 0, samples_ingested = 0, queue_windows = 0;
  // The live session furthest behind: its newest stored sample minus the end of its newest tagged
  // window (its start when none is tagged), in seconds. Even with no backlog this is up to one
  // window plus the resampling margin, since a window is cut only once data reaches past it.
  double max_lag_s = 0;
  int64_t failed_passes = 0;             // passes over a session that threw (this run)
  int64_t sessions_set_aside = 0;        // sessions set aside now (see LiveTaggerOptions::max_failed_passes)
  int64_t sessions_set_aside_total = 0;  // times a session was set aside (this run)
};

class LiveTagger {   // thread-safe; owns one background worker thread and its own LogStore connection(s)
 public:
  LiveTagger(std::string db_path, std::shared_ptr<const ModelBundle> bundle, LiveTaggerOptions options = {});
  ~LiveTagger();    // stop()
  LiveTagger(const LiveTagger&) = delete;
  LiveTagger& operator=(const LiveTagger&) = delete;

  // Durably stores the samples (SQLite, committed) BEFORE returning; tagging happens in the background.
  // Throws Error(InvalidInput) for bad samples, BusyError when the backlog is full (nothing stored then).
  IngestResult ingest(int64_t user_id, const ImuSamples& samples);
  void flush();     // blocks until everything ingested so far is tagged and its log lines written
                    // (resumes a worker started paused; returns at once after abandon())
  void stop();      // flush, then stop the worker; idempotent
  LiveStats stats() const;

  // Starts a worker created with start_paused. Idempotent.
  void resume();
  // Runs `erase` (a delete of stored data: a recording, a period, an account) while no ingest is
  // storing and the worker is between passes, then has the worker reload its sessions from the
  // database, so nothing it read or computed before the delete (samples, windows, the open
  // segment and its log lines) is written back afterwards. Waits for the current pass to end.
  // Exceptions from `erase` propagate.
  void run_exclusive(const std::function<void()>& erase);

  // Stops the worker WITHOUT tagging the backlog (what a crash leaves behind: the
  // samples stay stored and a later LiveTagger tags them). Idempotent; ingest() afterwards
  // still stores durably.
  void abandon();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imu2clip
