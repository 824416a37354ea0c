#pragma once
// Which audio files `imu2clip tag` tags: explicit files, or every audio file in a folder
// (recursively). The source key is the file name without its extension.
#include <optional>
#include <string>
#include <vector>

#include "tagger/batch/job_sources.h"

namespace imu2clip {

// Splits explicit inputs into audio files (by extension: .wav .flac .ogg .oga .opus) and the rest.
void split_audio_files(const std::vector<std::string>& files, std::vector<std::string>& audio,
                       std::vector<std::string>& other);

// One job per file; start_utc_ms (when given) is the wall-clock time of every file's first sample.
JobList jobs_from_audio_files(const std::vector<std::string>& files, std::optional<int64_t> start_utc_ms = {});
// Every audio file under DIR, sorted by path.
JobList jobs_from_audio_dir(const std::string& dir, std::optional<int64_t> start_utc_ms = {});
// The audio beside an Ego4D download's IMU: ROOT/v2/audio/<video_uid>.<wav|flac|ogg|oga|opus>
// (e.g. extracted from the video), with the video's start time from ego4d.json, so its lines
// merge with the motion of the same video. Videos without such a file are not listed.
JobList jobs_from_ego4d_audio(const std::string& root);

}  // namespace imu2clip
