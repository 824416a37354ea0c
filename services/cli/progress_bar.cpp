#include "services/cli/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "common/time/duration_format.h"

namespace imu2clip::cli {

ProgressBar::ProgressBar(std::FILE* out, bool interactive, std::string item_name,
                         std::string unit_name, std::chrono::milliseconds plain_interval)
    : out_(out),
      interactive_(interactive),
      item_name_(std::move(item_name)),
      unit_name_(std::move(unit_name)),
      plain_interval_(plain_interval),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

bool ProgressBar::stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

std::string ProgressBar::render(const ProgressState& s, double elapsed) const {
  const double rate = elapsed > 0 ? static_cast<double>(s.units_done) / elapsed : 0.0;
  double frac = 0;
  if (s.units_total > 0) frac = std::min(1.0, static_cast<double>(s.units_done) / static_cast<double>(s.units_total));
  else if (s.items_total > 0) frac = static_cast<double>(s.items_done) / static_cast<double>(s.items_total);
  const double eta = (rate > 0 && s.units_total > s.units_done)
                         ? static_cast<double>(s.units_total - s.units_done) / rate
                         : (frac >= 1.0 ? 0.0 : NAN);
  char buf[256];
  std::string out;
  if (interactive_) {
    const int width = 24;
    const int filled = static_cast<int>(frac * width);
    out += "[" + std::string(static_cast<size_t>(filled), '#') +
           std::string(static_cast<size_t>(width - filled), '.') + "] ";
  }
  std::snprintf(buf, sizeof buf, "%3.0f%% | %lld/%lld %s | %lld/%lld %s | %.0f %s/s | ETA %s | %s",
                frac * 100.0, (long long)s.items_done, (long long)s.items_total, item_name_.c_str(),
                (long long)s.units_done, (long long)s.units_total, unit_name_.c_str(), rate,
                unit_name_.c_str(), format_duration_compact(eta).c_str(), format_duration_compact(elapsed).c_str());
  out += buf;
  if (!s.current.empty()) {
    std::string cur = s.current;
    if (interactive_ && cur.size() > 28) cur = "..." + cur.substr(cur.size() - 25);
    out += " | " + cur;
  }
  return out;
}

void ProgressBar::update(const ProgressState& state, bool force) {
  const auto now = std::chrono::steady_clock::now();
  const auto since = now - last_draw_;
  const auto min_gap = interactive_ ? std::chrono::milliseconds(100) : plain_interval_;
  if (!force && drawn_ && since < min_gap) return;
  if (!force && !drawn_ && !interactive_ && since < min_gap) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::string line = render(state, elapsed);
  if (interactive_) std::fprintf(out_, "\r\033[K%s", line.c_str());
  else std::fprintf(out_, "progress: %s\n", line.c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (interactive_ && drawn_) std::fprintf(out_, "\n");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace imu2clip::cli
