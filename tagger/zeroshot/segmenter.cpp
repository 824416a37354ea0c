#include "tagger/zeroshot/segmenter.h"

#include <algorithm>

#include "common/error.h"

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

// Labels one stretch of contiguous valid windows (indices into the caller's arrays).
std::vector<int> label_stretch(const std::vector<size_t>& idx, const std::vector<float>& scores,
                               int n_labels, const SegmenterOptions& opt,
                               std::vector<float>& smoothed) {
  const size_t n = idx.size();
  const int half = std::max(0, (opt.smooth_windows - 1) / 2);
  smoothed.assign(n * static_cast<size_t>(n_labels), 0.f);
  std::vector<int> labels(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t lo = i >= static_cast<size_t>(half) ? i - static_cast<size_t>(half) : 0;
    const size_t hi = std::min(n - 1, i + static_cast<size_t>(half));
    float* row = &smoothed[i * static_cast<size_t>(n_labels)];
    for (size_t j = lo; j <= hi; ++j) {
      const float* src = &scores[idx[j] * static_cast<size_t>(n_labels)];
      for (int l = 0; l < n_labels; ++l) row[l] += src[l];
    }
    const float inv = 1.f / static_cast<float>(hi - lo + 1);
    int best = 0;
    for (int l = 0; l < n_labels; ++l) {
      row[l] *= inv;
      if (row[l] > row[best]) best = l;
    }
    labels[i] = best;
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
      float s = 0.f;
      for (size_t i = v.begin; i < v.end; ++i) s += smoothed[i * static_cast<size_t>(n_labels) + static_cast<size_t>(label)];
      return s;
    };
    int target;
    if (victim == 0) target = runs[1].label;
    else if (victim + 1 == runs.size()) target = runs[victim - 1].label;
    else target = fit(runs[victim - 1].label) >= fit(runs[victim + 1].label) ? runs[victim - 1].label
                                                                           : runs[victim + 1].label;
    for (size_t i = v.begin; i < v.end; ++i) labels[i] = target;
  }
  return labels;
}

}  // namespace

std::vector<TaggedSegment> segment_windows(const std::vector<ScoredWindow>& windows,
                                          const std::vector<float>& scores, int n_labels,
                                          const SegmenterOptions& options) {
  if (n_labels <= 0) throw Error(ErrorKind::InvalidInput, "segmenting needs at least one label");
  if (scores.size() != windows.size() * static_cast<size_t>(n_labels))
    throw Error(ErrorKind::Internal, "score matrix does not match the window count");

  std::vector<TaggedSegment> out;
  std::vector<float> smoothed;
  size_t i = 0;
  while (i < windows.size()) {
    if (!windows[i].valid) { ++i; continue; }
    // One stretch: valid windows with no hole between them.
    std::vector<size_t> idx{i};
    size_t j = i + 1;
    while (j < windows.size() && windows[j].valid &&
           windows[j].start_s <= windows[idx.back()].end_s + options.max_join_gap_s) {
      idx.push_back(j);
      ++j;
    }
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
      for (size_t k = runs[r].begin; k < runs[r].end; ++k)
        sum += scores[idx[k] * static_cast<size_t>(n_labels) + static_cast<size_t>(seg.label)];
      seg.n_windows = static_cast<int64_t>(runs[r].end - runs[r].begin);
      seg.mean_score = static_cast<float>(sum / static_cast<double>(seg.n_windows));
      out.push_back(seg);
    }
    i = j;
  }
  return out;
}

}  // namespace imu2clip
