#include "tagger/live/live_segments.h"

#include <algorithm>

namespace imu2clip {

LiveSegments::LiveSegments(int n_labels, SegmenterOptions options, size_t keep_windows, double from_s)
    : n_labels_(n_labels), options_(options), keep_windows_(std::max<size_t>(keep_windows, 1)), from_s_(from_s) {}

void LiveSegments::add(const ScoredWindow& window, const float* scores) {
  windows_.push_back(window);
  const size_t n = static_cast<size_t>(n_labels_);
  if (window.valid && scores) {
    scores_.insert(scores_.end(), scores, scores + n);
  } else {
    scores_.resize(scores_.size() + n, 0.f);
  }
}

std::vector<TaggedSegment> LiveSegments::segments() const {
  return segment_windows(windows_, scores_, n_labels_, options_);
}

void LiveSegments::freeze(const std::vector<TaggedSegment>& segs) {
  const double eps = 1e-9;
  for (size_t k = segs.size(); k-- > 1;) {
    const double boundary = segs[k].start_s;
    const auto first_kept = std::lower_bound(windows_.begin(), windows_.end(), boundary - eps,
                                             [](const ScoredWindow& w, double t) { return w.start_s < t; });
    const size_t after = static_cast<size_t>(windows_.end() - first_kept);
    if (after < keep_windows_) continue;
    const size_t drop = static_cast<size_t>(first_kept - windows_.begin());
    windows_.erase(windows_.begin(), first_kept);
    scores_.erase(scores_.begin(), scores_.begin() + static_cast<long>(drop * static_cast<size_t>(n_labels_)));
    from_s_ = boundary;
    return;
  }
}

}  // namespace imu2clip
