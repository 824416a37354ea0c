#pragma once
// Runs the real imu2clip binary from integration tests.
#include <string>
#include <sys/types.h>
#include <vector>

namespace imu2clip::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out, err;
};

std::string imu2clip_binary();
// Runs argv[0] with arguments, waits, and captures stdout and stderr.
ProcessResult run_process(const std::vector<std::string>& argv);
// Starts a process in the background with stdout/stderr to files; returns its pid.
pid_t spawn_process(const std::vector<std::string>& argv, const std::string& out_file,
                    const std::string& err_file);
// Waits for pid; returns its exit code (128 + signal when killed).
int wait_process(pid_t pid);
std::string read_file(const std::string& path);

}  // namespace imu2clip::test
