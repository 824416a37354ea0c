#include "tagger/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace imu2clip {

double lr_at(const TrainOptions& o, int64_t step, int64_t total_steps) {
  const double base = o.effective_lr();
  if (o.warmup_steps > 0 && step < o.warmup_steps) return base * static_cast<double>(step + 1) / o.warmup_steps;
  if (o.schedule == "none") return base;
  const double span = static_cast<double>(std::max<int64_t>(1, total_steps - o.warmup_steps));
  const double progress = std::clamp((step - o.warmup_steps) / span, 0.0, 1.0);
  return base * 0.5 * (1.0 + std::cos(M_PI * progress));
}

}  // namespace imu2clip
