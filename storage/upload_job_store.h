#pragma once
// Upload jobs (table upload_jobs; schema v5): the files POST /v1/recordings accepted and their
// tagging's state, kept across restarts. States: queued -> running -> done | failed; a restart
// puts running jobs back to queued. Ids come from AUTOINCREMENT and are never reused, so a
// client polling an old id never sees someone else's newer job.
// A view over one open Database: cheap to construct, used from the connection's thread only.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace imu2clip {

class Database;

struct UploadJobRow {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string state;        // queued | running | done | failed
  std::string upload_name;  // the file under the server's upload folder, e.g. "u3/1700000000000-ab12.csv"
  nlohmann::json options = nlohmann::json::object();  // what running it needs (format, start, tz, ...)
  std::optional<int64_t> recording_id;                // done: the recording it made (NULL once deleted)
  nlohmann::json summary = nlohmann::json::object();  // done: windows, segments, ...
  std::string error;        // failed: what the uploader may read (never a server path)
  int64_t created_utc_ms = 0, updated_utc_ms = 0;
  std::optional<int64_t> finished_utc_ms;
};

class UploadJobStore {
 public:
  explicit UploadJobStore(Database& db) : db_(db) {}

  // A new queued job; returns its id (larger than every id this database ever gave).
  // Throws InvalidInput for an empty upload_name, Database for an unknown user (foreign key).
  int64_t add(int64_t user_id, const std::string& upload_name, const nlohmann::json& options);
  std::optional<UploadJobRow> get(int64_t id);
  // The largest id ever given (0 before the first job), deleted rows included.
  int64_t last_id();

  // queued <-> running. Throws InvalidInput for another state, NotFound for an unknown job.
  void set_state(int64_t id, const std::string& state);
  // Final states; they set finished_utc_ms.
  void finish_done(int64_t id, int64_t recording_id, const nlohmann::json& summary);
  void finish_failed(int64_t id, const std::string& error);

  // Jobs that are queued or running, oldest first (the work a restart takes up again).
  std::vector<UploadJobRow> unfinished();
  // Jobs by state; states without jobs are absent.
  std::map<std::string, int64_t> count_by_state();
  // Deletes the user's finished (done or failed) jobs beyond the `keep` newest; returns how many.
  int64_t prune_finished(int64_t user_id, int64_t keep);

 private:
  Database& db_;
};

}  // namespace imu2clip
