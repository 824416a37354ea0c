#include "tagger/batch/job_sources.h"

#include <filesystem>

#include "common/error.h"
#include "common/strings.h"
#include "tagger/io/ego4d_index.h"
#include "tagger/io/imu_dataset.h"

namespace fs = std::filesystem;

namespace imu2clip {
namespace {

RecordingOutcome skip_note(const std::string& key, const std::string& path, const std::string& why) {
  RecordingOutcome out;
  out.source_key = key;
  out.path = path;
  out.status = RecordingOutcome::Status::Skipped;
  out.reason = why;
  return out;
}

std::string stem_of(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  for (const std::string_view ext : {".csv.gz", ".csv", ".gz"}) {
    if (name.size() > ext.size() && ends_with(name, ext)) return name.substr(0, name.size() - ext.size());
  }
  return name;
}

}  // namespace

JobList jobs_from_ego4d(const std::string& root) {
  const Ego4dIndex index = load_ego4d_index(root);
  JobList list;
  for (const auto& v : index.videos) {
    if (!v.has_imu) continue;
    if (v.imu_path.empty()) {
      list.skipped.push_back(skip_note(v.video_uid, "", "ego4d.json says has_imu but " + root + "/v2/imu/" +
                                                             v.video_uid + ".csv does not exist"));
      continue;
    }
    TagJob job;
    job.source_key = v.video_uid;
    job.path = v.imu_path;
    job.start_utc_ms = v.start_epoch_ms;
    job.expected_duration_s = v.duration_sec.value_or(0);
    job.meta = {{"source", "ego4d"}, {"video_uid", v.video_uid}, {"narrations", v.narrations.size()}};
    list.jobs.push_back(std::move(job));
  }
  return list;
}

JobList jobs_from_imu_dir(const std::string& dir) {
  const ImuDataset ds = list_imu_recordings(dir);
  JobList list;
  for (const auto& r : ds.recordings) {
    TagJob job;
    job.source_key = r.id;
    job.path = r.path;
    job.start_utc_ms = r.start_epoch_ms;
    job.meta = {{"source", "imu-dir"}, {"dataset", ds.name}};
    if (r.subject) job.meta["subject"] = *r.subject;
    if (r.split) job.meta["split"] = *r.split;
    list.jobs.push_back(std::move(job));
  }
  return list;
}

JobList jobs_from_files(const std::vector<std::string>& files) {
  JobList list;
  for (const auto& f : files) {
    if (!fs::is_regular_file(f)) {
      list.skipped.push_back(skip_note(stem_of(f), f, "not a readable file"));
      continue;
    }
    TagJob job;
    job.source_key = stem_of(f);
    job.path = f;
    job.meta = {{"source", "file"}};
    list.jobs.push_back(std::move(job));
  }
  return list;
}

}  // namespace imu2clip
