#pragma once
// Prints a user's log the way the paper shows it: one header per recording, then lines like
// "[15:50] Motion: sitting" in the recording's time zone. Recordings that overlap in time (motion
// from a watch, audio from a phone) share their lines: what several modalities logged in one
// minute is one line ("[15:50] Motion: sitting, Audio: person speaking").
#include <cstdio>
#include <string>

namespace imu2clip {
class LogStore;
}

namespace imu2clip::cli {

// Returns the number of lines printed; throws NotFound for an unknown user.
int64_t print_user_log(LogStore& store, const std::string& user, std::FILE* out);

}  // namespace imu2clip::cli
