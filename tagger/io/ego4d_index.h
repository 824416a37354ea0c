#pragma once
// An Ego4D-layout root: ROOT/ego4d.json (video metadata), ROOT/v2/imu/<video_uid>.csv and,
// optionally, ROOT/v2/annotations/narration.json. Tolerates the real Ego4D metadata, where
// fields may be missing or null, and reports (rather than throws for) videos whose IMU file
// is missing, so a batch run can tag what exists and list what does not.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace imu2clip {

struct Ego4dNarration {
  double timestamp_sec = 0;
  int64_t timestamp_frame = -1;  // -1 when absent
  std::string text;
  std::string annotation_uid;
  std::string pass;  // "narration_pass_1", "narration_pass_2", ...
};

struct Ego4dVideo {
  std::string video_uid;
  std::optional<double> duration_sec;   // duration_sec, else video_metadata.video_duration_sec
  bool has_imu = false;                 // as declared (missing/null: true iff the file exists)
  std::string imu_path;                 // empty when the video has no IMU file on disk
  std::optional<int64_t> start_epoch_ms;  // x_source.start_epoch_ms when present
  std::vector<Ego4dNarration> narrations; // all passes, sorted by time
};

struct Ego4dIndex {
  std::string root;
  std::vector<Ego4dVideo> videos;           // every video of ego4d.json, in file order
  std::vector<std::string> missing_imu;     // video_uids with has_imu but no IMU file
  std::optional<std::string> narration_path;
  std::vector<std::string> warnings;

  // Videos whose IMU file exists: the ones a tagger can process.
  std::vector<const Ego4dVideo*> imu_videos() const;
};

// Throws Error(NotFound) without ROOT/ego4d.json, Error(Corrupt) when a JSON file does not
// parse or lacks the "videos" array.
Ego4dIndex load_ego4d_index(const std::string& root);

// video_uid -> narrations of all passes sorted by timestamp_sec. Entries without a usable
// timestamp are skipped (counted in *skipped when given).
std::map<std::string, std::vector<Ego4dNarration>> read_ego4d_narrations(const std::string& path,
                                                                         int64_t* skipped = nullptr);

}  // namespace imu2clip
