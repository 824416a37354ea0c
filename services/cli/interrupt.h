#pragma once
// Ctrl-C / SIGTERM handling for long jobs: the first signal asks the job to stop at the next
// safe point (everything committed is kept); a second one exits immediately.
#include <atomic>

namespace imu2clip::cli {

const std::atomic<bool>& install_stop_handler();

}  // namespace imu2clip::cli
