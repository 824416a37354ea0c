#pragma once
// Background tagging of whole uploaded files (POST /v1/recordings): one worker thread works
// through the queued jobs with the batch tagger and reports progress. Torch-free.
#include <cstdint>
#include <functional>
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
  // The user's jobs not yet done or failed (queued or running): their files are still on disk.
  int64_t unfinished(int64_t user_id) const;
  void stop();

  // Blocks until every job submitted so far is done or failed (tests, shutdown).
  void wait_idle();
  // Runs `erase` (a delete of the user's data) once every upload of that user submitted before
  // the call is tagged (or failed), while no job runs: a file being tagged into data the delete
  // removes is finished first and deleted with the rest, never written back after the delete.
  // Blocks meanwhile. Exceptions from `erase` propagate.
  void run_exclusive(int64_t user_id, const std::function<void()>& erase);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imu2clip
