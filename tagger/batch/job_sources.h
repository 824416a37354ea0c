#pragma once
// Turns what the user pointed `imu2clip tag` at (an Ego4D root, a folder of IMU files, single
// files) into tag jobs. Problems with individual entries become skip notes, not failures.
#include <string>
#include <vector>

#include "tagger/batch/tag_job.h"

namespace imu2clip {

struct JobList {
  std::vector<TagJob> jobs;
  std::vector<RecordingOutcome> skipped;   // entries that cannot be tagged, with reasons
};

// ROOT/ego4d.json + ROOT/v2/imu/<video_uid>.csv (+ narration.json kept in job meta counts).
JobList jobs_from_ego4d(const std::string& root);
// *.csv / *.csv.gz in DIR (or DIR/recordings), with manifest.json metadata when present.
JobList jobs_from_imu_dir(const std::string& dir);
// Explicit files; source_key is the file name without .csv/.csv.gz.
JobList jobs_from_files(const std::vector<std::string>& files);

}  // namespace imu2clip
