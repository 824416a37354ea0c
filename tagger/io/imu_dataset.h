#pragma once
// A directory of IMU recordings (`--imu-dir DIR`). Either a plain folder of *.csv / *.csv.gz
// files, or the canonical dataset layout (shared/data/imu/<name>/): manifest.json, labels.csv
// and recordings/. DIR may be the dataset root or its recordings/ folder; in both cases the
// manifest's id, subject, split and start_epoch_ms are attached to each file.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace imu2clip {

struct RecordingEntry {
  std::string id;    // manifest id, else the file name without .csv / .csv.gz
  std::string path;  // file on disk
  std::optional<std::string> subject;
  std::optional<std::string> split;  // train | val | test
  std::optional<int64_t> start_epoch_ms;  // wall clock of t = 0 (UTC ms); null in the manifest -> none
  bool in_manifest = false;
};

struct ImuDataset {
  std::string dir;             // as given
  std::string recordings_dir;  // where the files were listed
  std::optional<std::string> manifest_path;
  std::optional<std::string> labels_path;  // labels.csv next to the manifest, when present
  std::string name;                        // manifest "name", else the directory name
  std::vector<RecordingEntry> recordings;  // sorted by file name
  std::vector<std::string> warnings;       // e.g. manifest entries without a file
};

// Throws Error(NotFound) when DIR does not exist, Error(Corrupt) for an unreadable manifest.
ImuDataset list_imu_recordings(const std::string& dir);

// One row of labels.csv: the label holds for start_ms <= t_ms <= end_ms (closed interval).
struct LabelSegment {
  std::string recording_id;
  double start_ms = 0;
  double end_ms = 0;
  std::string label;
  std::string source_label;  // empty when the column is absent
};

// Reads `recording_id,start_ms,end_ms,label[,source_label]` (columns in any order, extra
// columns ignored). Throws Error(InvalidInput) naming line and field for a bad row
// (non-numeric time, end before start, wrong field count).
std::vector<LabelSegment> read_labels_csv(const std::string& path);

}  // namespace imu2clip
