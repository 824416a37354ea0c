#pragma once
// Background tagging of whole uploaded files (POST /v1/recordings): one worker thread works
// through the queued jobs with the batch tagger and reports progress. Jobs are rows of the log
// database (storage/upload_job_store.h), so they outlive the process: on start the jobs a
// previous run left queued or running are queued again (a running one is tagged again from its
// file; the batch tagger resumes the recording it had begun, so nothing is stored twice), and
// those whose file is gone fail with a message saying so. Torch-free.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tagger/io/imu_units.h"

namespace imu2clip {

struct ModelBundle;

struct JobStatus { int64_t id = 0; int64_t user_id = 0; std::string state;  // queued|running|done|failed
                   double progress = 0; std::string error; std::optional<int64_t> recording_id;
                   nlohmann::json summary = nlohmann::json::object(); };

// Finished (done or failed) jobs kept per user; older ones are deleted as new ones finish.
inline constexpr int64_t kFinishedUploadJobsKept = 1000;

class RecordingJobs {   // thread-safe; one worker thread; job rows in the database, files on disk
 public:
  // Takes up the unfinished jobs `db_path` holds (their files are looked for under upload_dir).
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
  // The user's jobs not yet done or failed (queued or running): their files are still on disk.
  int64_t unfinished(int64_t user_id) const;
  // Jobs by state (queued, running, done, failed) as the database holds them; states without
  // jobs are absent. Kept up to date on every change, so reading it costs no query.
  std::map<std::string, int64_t> counts_by_state() const;
  // Stops the worker. A job being tagged is interrupted and, like the queued ones, stays queued
  // in the database (with its file) for the next start.
  void stop();

  // Blocks until every job submitted so far is done or failed (tests, shutdown).
  void wait_idle();
  // Runs `erase` (a delete of the user's data) once every upload of that user submitted before
  // the call is tagged (or failed), while no job runs: a file being tagged into data the delete
  // removes is finished first and deleted with the rest, never written back after the delete.
  // Blocks meanwhile. Exceptions from `erase` propagate. A user's job rows go with the user
  // (foreign key), so the counts are read again from the database after `erase`.
  void run_exclusive(int64_t user_id, const std::function<void()>& erase);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imu2clip
