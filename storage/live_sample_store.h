#pragma once
// Live streams (tables live_streams, live_samples; schema v2): the raw samples a device sends,
// kept until they are tagged, and each device's current session. A session is a recording
// ("live:<device>:<first ms>") that grows as samples arrive.
// A view over one open Database: cheap to construct, used from the connection's thread only.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace imu2clip {

class Database;

struct LiveSample {
  int64_t t_utc_ms = 0;
  std::array<float, 6> v{};  // ax ay az gx gy gz
};

struct LiveAppendRequest {
  int64_t user_id = 0;
  std::string device;                  // created on first use
  std::string device_kind = "unknown";
  std::string model_id;                // a session belongs to one model
  int64_t max_gap_ms = 1000;           // a longer pause (or a new model) starts a new session
  const int64_t* t_utc_ms = nullptr;   // n strictly increasing instants
  const std::array<float, 6>* values = nullptr;
  size_t n = 0;
};

// The samples of one append that went to one live session (recording).
struct LiveSessionPart {
  int64_t recording_id = 0;
  int64_t start_utc_ms = 0;   // the session's first sample (its recording's start)
  int64_t first_t_utc_ms = 0, last_t_utc_ms = 0;
  int64_t samples = 0;
  bool created = false;       // this append started the session
};

struct LiveAppendResult {
  int64_t device_id = 0;
  std::vector<LiveSessionPart> parts;   // in time order; the last one is the device's current session
  std::vector<int64_t> closed_recordings;   // sessions this append ended (by a gap or a model change)
};

// A live session that still has stored raw samples (the restart backlog).
struct LivePending {
  int64_t recording_id = 0;
  int64_t first_t_utc_ms = 0, last_t_utc_ms = 0;
  int64_t samples = 0;
  bool open = false;   // still its device's current session
};

class LiveSampleStore {
 public:
  explicit LiveSampleStore(Database& db) : db_(db) {}

  // Stores one batch of a device's raw samples in one transaction: creates the device, starts
  // a new session (status "tagging") at the first sample, after a pause longer than max_gap_ms
  // or when the model changed, and records the device's last sample time. Throws InvalidInput
  // (field "t_utc_ms[0]") when the batch does not start after the device's last stored
  // sample, NotFound for an unknown user; nothing is stored then.
  LiveAppendResult append(const LiveAppendRequest& request);
  // The session's stored raw samples with from <= t < to, in time order (at most `limit`).
  std::vector<LiveSample> samples(int64_t recording_id, int64_t from_utc_ms, int64_t to_utc_ms,
                                  int64_t limit = INT64_MAX);
  // Deletes the session's raw samples with t < before_utc_ms; returns how many.
  int64_t delete_before(int64_t recording_id, int64_t before_utc_ms);
  // Deletes the raw samples before the last one at or before `t_utc_ms` (that one is kept as
  // the interpolation anchor of the next window); returns how many.
  int64_t trim(int64_t recording_id, int64_t t_utc_ms);
  // Sessions with stored raw samples, by recording id.
  std::vector<LivePending> pending();

 private:
  Database& db_;
};

}  // namespace imu2clip
