#pragma once
// What the batch tagger is asked to do and what it reports back. Torch-free.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagger/io/imu_units.h"
#include "tagger/zeroshot/segmenter.h"

namespace imu2clip {

// One recording to tag.
struct TagJob {
  std::string source_key;                 // stable identity: Ego4D video_uid, manifest id, file stem
  std::string path;                       // the IMU file
  std::optional<int64_t> start_utc_ms;    // wall-clock start when known
  double expected_duration_s = 0;         // for progress estimates; 0 = unknown
  nlohmann::json meta = nlohmann::json::object();
};

struct TagOptions {
  std::string user = "local";
  std::string tz;                  // IANA zone of the recordings; empty = the user's zone
  std::string device = "default";
  double window_s = 0;             // 0 = the model's window
  double stride_s = 0;             // 0 = window_s (non-overlapping)
  int top_k = 5;
  bool force = false;              // re-tag recordings already tagged with this model
  std::string jsonl_path;          // also write one JSON line per window
  int batch_windows = 256;         // windows per encoder call and per database transaction
  double max_gap_s = 0.5;          // a hole longer than this invalidates a window
  double min_valid_fraction = 0.9; // share of real (not gap) samples a window needs
  SegmenterOptions segmenter;
  ImuUnits units;                  // declared units of every file (converted); undeclared g or
                                   // deg/s data skips the recording with the reason
  ImuUnitFields unit_fields;       // how the caller's user declares units (CLI flags by default)
};

struct RecordingOutcome {
  enum class Status { Tagged, Resumed, AlreadyTagged, Skipped, Interrupted };
  std::string source_key, path;
  Status status = Status::Skipped;
  std::string reason;              // why it was skipped / what happened
  int64_t recording_id = 0;
  int64_t windows = 0, invalid_windows = 0, segments = 0;
  double duration_s = 0;
};
const char* to_string(RecordingOutcome::Status s);

struct TagSummary {
  std::vector<RecordingOutcome> recordings;
  int64_t windows_encoded = 0;     // windows run through the encoder in this run
  double seconds = 0;
  bool interrupted = false;
  int64_t count(RecordingOutcome::Status s) const;
};

// Progress callbacks; called from the tagging thread.
class TagObserver {
 public:
  virtual ~TagObserver() = default;
  virtual void on_start(size_t jobs, int64_t expected_windows) {}
  virtual void on_recording_start(size_t index, const TagJob& job, int64_t windows) {}
  virtual void on_windows(int64_t windows_done_total) {}
  virtual void on_recording_done(size_t index, const RecordingOutcome& outcome) {}
};

}  // namespace imu2clip
