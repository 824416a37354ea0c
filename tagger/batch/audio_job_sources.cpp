#include "tagger/batch/audio_job_sources.h"

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "tagger/audio/audio_file.h"
#include "tagger/io/ego4d_index.h"

namespace fs = std::filesystem;

namespace imu2clip {

void split_audio_files(const std::vector<std::string>& files, std::vector<std::string>& audio,
                       std::vector<std::string>& other) {
  for (const auto& f : files) (has_audio_extension(f) ? audio : other).push_back(f);
}

JobList jobs_from_audio_files(const std::vector<std::string>& files, std::optional<int64_t> start_utc_ms) {
  JobList list;
  for (const auto& f : files) {
    TagJob job;
    job.path = f;
    job.source_key = fs::path(f).stem().string();
    job.start_utc_ms = start_utc_ms;
    job.meta["kind"] = "audio file";
    list.jobs.push_back(std::move(job));
  }
  return list;
}

JobList jobs_from_audio_dir(const std::string& dir, std::optional<int64_t> start_utc_ms) {
  if (!fs::is_directory(dir)) throw Error(ErrorKind::NotFound, "not a folder", ErrorContext{dir, 0, "--audio-dir"});
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; it != end;
       it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file() && has_audio_extension(it->path().string())) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  JobList list = jobs_from_audio_files(files, start_utc_ms);
  // Two folders may each hold a "kitchen.wav": the key is the path under DIR, without extension.
  for (auto& job : list.jobs) {
    fs::path rel = fs::relative(job.path, dir, ec);
    if (!ec) job.source_key = rel.replace_extension().generic_string();
  }
  return list;
}

JobList jobs_from_ego4d_audio(const std::string& root) {
  const Ego4dIndex index = load_ego4d_index(root);
  JobList list;
  for (const auto& v : index.videos) {
    for (const char* ext : {".wav", ".flac", ".ogg", ".oga", ".opus"}) {
      const fs::path path = fs::path(root) / "v2" / "audio" / (v.video_uid + ext);
      if (!fs::is_regular_file(path)) continue;
      TagJob job;
      job.source_key = v.video_uid;
      job.path = path.string();
      job.start_utc_ms = v.start_epoch_ms;
      job.expected_duration_s = v.duration_sec.value_or(0);
      job.meta = {{"source", "ego4d"}, {"video_uid", v.video_uid}, {"kind", "audio file"}};
      list.jobs.push_back(std::move(job));
      break;
    }
  }
  return list;
}

}  // namespace imu2clip
