#include "tagger/zeroshot/segmenter.h"

#include <algorithm>
#include <limits>

#include "common/error.h"
#include "tagger/zeroshot/calibration.h"

namespace imu2clip {
namespace {

struct Run {
  size_t begin, end;  // [begin, end) into the stretch
  int label;
};

std::vector<Run> runs_of(const std::vector<int>& labels) {
  std::vector<Run> runs;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (runs.empty() || runs.back().label != labels[i]) runs.push_back({i, i + 1, labels[i]});
    else runs.back().end = i + 1;
  }
  return runs;
}

void smooth_stretch(const std::vector<size_t>& idx, const std::vector<float>& scores, int n_labels,
                    const SegmenterOptions& opt, std::vector<float>& smoothed) {
  const size_t n = idx.size();
  const int half = std::max(0, (opt.smooth_windows - 1) / 2);
  smoothed.assign(n * static_cast<size_t>(n_labels), 0.f);
  for (size_t i = 0; i < n; ++i) {
    const size_t lo = i >= static_cast<size_t>(half) ? i - static_cast<size_t>(half) : 0;
    const size_t hi = std::min(n - 1, i + static_cast<size_t>(half));
    float* row = &smoothed[i * static_cast<size_t>(n_labels)];
    for (size_t j = lo; j <= hi; ++j) {
      const float* src = &scores[idx[j] * static_cast<size_t>(n_labels)];
      for (int l = 0; l < n_labels; ++l) row[l] += src[l];
    }
    const float inv = 1.f / static_cast<float>(hi - lo + 1);
    for (int l = 0; l < n_labels; ++l) row[l] *= inv;
  }
}

// Labels one stretch of contiguous valid windows (indices into the caller's arrays).
std::vector<int> label_stretch(const std::vector<size_t>& idx, const std::vector<float>& scores,
                               int n_labels, const SegmenterOptions& opt,
                               std::vector<float>& smoothed) {
  const size_t n = idx.size();
  smooth_stretch(idx, scores, n_labels, opt, smoothed);
  std::vector<int> labels(n);
  for (size_t i = 0; i < n; ++i) {
    const float* row = &smoothed[i * static_cast<size_t>(n_labels)];
    int best = 0;
    for (int l = 0; l < n_labels; ++l)
      if (row[l] > row[best]) best = l;
    labels[i] = best;
    if (opt.temperature > 0 && calibrated_confidence(row, n_labels, opt.temperature) < opt.min_confidence)
      labels[i] = kUnclearLabel;
  }

  // Absorb short runs into the neighbour whose label fits those windows better, shortest first,
  // until every run is long enough or the stretch is a single run.
  const size_t min_run = static_cast<size_t>(std::max(1, opt.min_run_windows));
  for (;;) {
    auto runs = runs_of(labels);
    if (runs.size() <= 1) break;
    size_t victim = runs.size();
    for (size_t r = 0; r < runs.size(); ++r) {
      const size_t len = runs[r].end - runs[r].begin;
      if (len < min_run && (victim == runs.size() || len < runs[victim].end - runs[victim].begin))
        victim = r;
    }
    if (victim == runs.size()) break;
    const Run& v = runs[victim];
    auto fit = [&](int label) {
      if (label == kUnclearLabel) return -std::numeric_limits<float>::infinity();
      float s = 0.f;
      for (size_t i = v.begin; i < v.end; ++i) s += smoothed[i * static_cast<size_t>(n_labels) + static_cast<size_t>(label)];
      return s;
    };
    int target;
    if (victim == 0) target = runs[1].label;
    else if (victim + 1 == runs.size()) target = runs[victim - 1].label;
    else if (runs[victim - 1].label == kUnclearLabel && runs[victim + 1].label == kUnclearLabel) target = kUnclearLabel;
    else target = fit(runs[victim - 1].label) >= fit(runs[victim + 1].label) ? runs[victim - 1].label
                                                                           : runs[victim + 1].label;
    for (size_t i = v.begin; i < v.end; ++i) labels[i] = target;
  }
  return labels;
}

// Calls f(indices of one stretch) for every stretch of valid, contiguous windows.
template <typename F>
void for_each_stretch(const std::vector<ScoredWindow>& windows, double max_join_gap_s, F f) {
  size_t i = 0;
  while (i < windows.size()) {
    if (!windows[i].valid) { ++i; continue; }
    std::vector<size_t> idx{i};
    size_t j = i + 1;
    while (j < windows.size() && windows[j].valid && windows[j].start_s <= windows[idx.back()].end_s + max_join_gap_s) {
      idx.push_back(j);
      ++j;
    }
    f(idx);
    i = j;
  }
}

void check_scores(const std::vector<ScoredWindow>& windows, const std::vector<float>& scores, int n_labels) {
  if (n_labels <= 0) throw Error(ErrorKind::InvalidInput, "segmenting needs at least one label");
  if (scores.size() != windows.size() * static_cast<size_t>(n_labels))
    throw Error(ErrorKind::Internal, "score matrix does not match the window count");
}

}  // namespace

std::vector<float> smooth_window_scores(const std::vector<ScoredWindow>& windows, const std::vector<float>& scores,
                                        int n_labels, const SegmenterOptions& options) {
  check_scores(windows, scores, n_labels);
  std::vector<float> out(scores.size(), 0.f), smoothed;
  for_each_stretch(windows, options.max_join_gap_s, [&](const std::vector<size_t>& idx) {
    smooth_stretch(idx, scores, n_labels, options, smoothed);
    for (size_t k = 0; k < idx.size(); ++k)
      std::copy_n(&smoothed[k * static_cast<size_t>(n_labels)], n_labels, &out[idx[k] * static_cast<size_t>(n_labels)]);
  });
  return out;
}

std::vector<TaggedSegment> segment_windows(const std::vector<ScoredWindow>& windows,
                                          const std::vector<float>& scores, int n_labels,
                                          const SegmenterOptions& options) {
  check_scores(windows, scores, n_labels);

  std::vector<TaggedSegment> out;
  std::vector<float> smoothed;
  for_each_stretch(windows, options.max_join_gap_s, [&](const std::vector<size_t>& idx) {
    const auto labels = label_stretch(idx, scores, n_labels, options, smoothed);
    const auto runs = runs_of(labels);
    for (size_t r = 0; r < runs.size(); ++r) {
      TaggedSegment seg;
      seg.label = runs[r].label;
      seg.start_s = windows[idx[runs[r].begin]].start_s;
      seg.end_s = windows[idx[runs[r].end - 1]].end_s;
      // Overlapping windows (stride < size): the next segment starts where this one ends.
      if (r + 1 < runs.size()) seg.end_s = std::min(seg.end_s, windows[idx[runs[r + 1].begin]].start_s);
      double sum = 0;
      for (size_t k = runs[r].begin; k < runs[r].end; ++k) {
        const float* row = &scores[idx[k] * static_cast<size_t>(n_labels)];
        sum += seg.label == kUnclearLabel ? *std::max_element(row, row + n_labels) : row[seg.label];
      }
      seg.n_windows = static_cast<int64_t>(runs[r].end - runs[r].begin);
      seg.mean_score = static_cast<float>(sum / static_cast<double>(seg.n_windows));
      out.push_back(seg);
    }
  });
  return out;
}

}  // namespace imu2clip
