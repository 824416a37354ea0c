#pragma once
// Terminal progress for long jobs: a redrawn bar on a TTY, plain periodic lines otherwise
// (logs, CI), so both humans and log files get useful output.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace imu2clip::cli {

struct ProgressState {
  int64_t items_done = 0, items_total = 0;     // e.g. recordings
  int64_t units_done = 0, units_total = 0;     // e.g. windows (total may be an estimate)
  std::string current;                          // what is being worked on
};

class ProgressBar {
 public:
  // `interactive`: redraw one line in place; otherwise print a line every `plain_interval`.
  ProgressBar(std::FILE* out, bool interactive, std::string item_name, std::string unit_name,
              std::chrono::milliseconds plain_interval = std::chrono::seconds(10));
  void update(const ProgressState& state, bool force = false);
  void finish();   // ends the in-place line so later output starts on a fresh line

  static bool stderr_is_tty();

 private:
  std::string render(const ProgressState& s, double elapsed_s) const;

  std::FILE* out_;
  bool interactive_;
  std::string item_name_, unit_name_;
  std::chrono::milliseconds plain_interval_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

}  // namespace imu2clip::cli
