#pragma once
// Continuous tagging, the live path. LiveTagger takes POST /v1/imu batches, stores the raw
// samples durably (SQLite, committed) before acknowledging them, and tags them in the
// background: resample to the model's rate, cut windows as data arrives (a window may span
// batches), encode, score against the label bank, and keep the live recording's windows,
// segments and log lines current. A crash loses nothing acknowledged: a new LiveTagger on the
// same database picks up the stored, untagged samples. RecordingJobs tags whole uploaded files
// in the background with progress. Torch-free.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagger/io/imu_units.h"

namespace imu2clip {

struct ModelBundle;

struct ImuSamples {                 // one POST /v1/imu batch, already parsed and validated by the server
  std::string device = "default";   // device name, created on first use
  std::string device_kind = "unknown";
  std::vector<int64_t> t_utc_ms;    // absolute time of each sample, strictly increasing
  std::vector<std::array<float, 6>> values;  // ax ay az (m/s^2) gx gy gz (rad/s)
};

struct LiveTaggerOptions {
  size_t max_queue_windows = 20000;   // beyond this pending backlog ingest() throws Busy (-> HTTP 429)
  double max_gap_s = 1.0;             // a gap longer than this starts a new live session (new recording)
  int top_k = 3;
  int encoder_threads = 1;
  // Added members:
  bool start_paused = false;          // worker waits for resume(): lets tests and tools inspect
                                      // the durable backlog before it is tagged
  int batch_windows = 64;             // windows per encoder call and per database transaction
  std::string tz = "UTC";             // zone of new users' recordings when the user has none
};

struct IngestResult { int64_t accepted = 0; int64_t recording_id = 0; int64_t pending_windows = 0; };
struct LiveStats { int64_t windows_tagged = 0; int64_t samples_ingested = 0; int64_t queue_windows = 0; };

class BusyError : public std::runtime_error { using std::runtime_error::runtime_error; };

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

  // Added: starts a worker created with start_paused. Idempotent.
  void resume();
  // Added: stops the worker WITHOUT tagging the backlog (what a crash leaves behind: the
  // samples stay stored and a later LiveTagger tags them). Idempotent; ingest() afterwards
  // still stores durably.
  void abandon();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Background jobs for whole-file uploads (POST /v1/recordings).
struct JobStatus { int64_t id = 0; int64_t user_id = 0; std::string state;  // queued|running|done|failed
                   double progress = 0; std::string error; std::optional<int64_t> recording_id;
                   nlohmann::json summary = nlohmann::json::object(); };

class RecordingJobs {   // thread-safe; one worker thread; jobs survive in memory only, files on disk
 public:
  RecordingJobs(std::string db_path, std::shared_ptr<const ModelBundle> bundle, std::string upload_dir);
  ~RecordingJobs();
  RecordingJobs(const RecordingJobs&) = delete;
  RecordingJobs& operator=(const RecordingJobs&) = delete;

  // `path` is a file the server already wrote under upload_dir; format "auto"|"csv"|"ego4d".
  // `units`: what the client declared (converted); undeclared g / deg/s data fails the job
  // with an error naming the accel_units / gyro_units parameter.
  int64_t submit(int64_t user_id, const std::string& path, const std::string& format,
                 std::optional<int64_t> start_utc_ms, const std::string& tz, const std::string& device,
                 const ImuUnits& units = {});
  std::optional<JobStatus> status(int64_t job_id) const;   // server checks user_id itself
  void stop();

  // Added: blocks until every job submitted so far is done or failed (tests, shutdown).
  void wait_idle();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imu2clip
