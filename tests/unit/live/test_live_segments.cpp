#include <catch2/catch.hpp>

#include <algorithm>

#include "tagger/live/live_segments.h"

using namespace imu2clip;

TEST_CASE("live segments: re-segmenting only the recent part gives the whole recording's segments", "[live]") {
  // 120 windows in blocks of 10 alternating labels (with noise), one invalid window, one hole.
  const int n_labels = 3;
  std::vector<ScoredWindow> all;
  std::vector<float> scores;
  for (int i = 0; i < 120; ++i) {
    const double start = 5.0 * i + (i >= 70 ? 20.0 : 0.0);  // a 20 s hole before window 70
    all.push_back({start, start + 5.0, i != 45});
    const int label = (i / 10) % n_labels;
    for (int l = 0; l < n_labels; ++l) scores.push_back(l == label ? 0.6f + 0.01f * (i % 3) : 0.2f + 0.05f * l);
  }
  const SegmenterOptions options;
  const auto expected = segment_windows(all, scores, n_labels, options);

  LiveSegments live(n_labels, options, 24, 0.0);
  std::vector<TaggedSegment> stored;  // what update_live_segments would leave in the database
  size_t max_in_memory = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    live.add(all[i], &scores[i * n_labels]);
    const auto segs = live.segments();
    stored.erase(std::remove_if(stored.begin(), stored.end(),
                                [&](const TaggedSegment& s) { return s.start_s >= live.from_s() - 1e-9; }),
                 stored.end());
    stored.insert(stored.end(), segs.begin(), segs.end());
    live.freeze(segs);
    max_in_memory = std::max(max_in_memory, live.windows_in_memory());
  }
  REQUIRE(stored.size() == expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    INFO("segment " << k);
    CHECK(stored[k].start_s == expected[k].start_s);
    CHECK(stored[k].end_s == expected[k].end_s);
    CHECK(stored[k].label == expected[k].label);
    CHECK(stored[k].n_windows == expected[k].n_windows);
  }
  CHECK(max_in_memory < 50);  // bounded by the recent part, not the recording
}
