#pragma once
// Prints a user's log the way the paper shows it: one header per recording, then lines like
// "[15:50] Motion: sitting" in the recording's time zone.
#include <cstdio>
#include <string>

namespace imu2clip {
class LogStore;
}

namespace imu2clip::cli {

// Returns the number of log lines printed; throws NotFound for an unknown user.
int64_t print_user_log(LogStore& store, const std::string& user, std::FILE* out);

}  // namespace imu2clip::cli
