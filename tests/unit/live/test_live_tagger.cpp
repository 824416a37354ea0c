#include <catch2/catch.hpp>

#include <set>

#include "storage/log_format.h"
#include "storage/log_store.h"
#include "tagger/batch/batch_tagger.h"
#include "tagger/live/live_tagger.h"
#include "tagger/model/window_encoder.h"
#include "tests/support/test_paths.h"
#include "tests/unit/live/live_test_util.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

std::vector<WindowTag> batch_tag(const std::string& dir, const Stream& s, const ModelBundle& bundle) {
  const std::string csv = dir + "/stream.csv";
  write_canonical_csv(csv, s);
  LogStore store(dir + "/batch.db");
  auto encoder = make_window_encoder(bundle, 1);
  TagOptions o;
  o.user = "ann";
  o.tz = "UTC";
  o.top_k = 3;
  BatchTagger tagger(store, bundle, *encoder, o);
  TagJob job;
  job.source_key = "stream";
  job.path = csv;
  job.start_utc_ms = s.t.front();
  auto summary = tagger.run({job});
  REQUIRE(summary.recordings.size() == 1);
  REQUIRE(summary.recordings[0].status == RecordingOutcome::Status::Tagged);
  return store.recordings().windows(summary.recordings[0].recording_id);
}

// Streams `s` in batches of `per_batch` samples and checks the live windows against the batch
// tagger's on the very same samples.
// Returns how many windows were invalid.
int64_t check_live_matches_batch(const std::string& tag, const Stream& s, double rate_hz, size_t per_batch) {
  const std::string dir = make_temp_dir(tag);
  const std::string db = dir + "/live.db";
  auto bundle = small_live_bundle();
  const int64_t user = make_user(db);

  int64_t recording = 0;
  {
    LiveTagger live(db, bundle);
    for (const auto& b : batches_of(s, per_batch)) {
      auto r = live.ingest(user, b);
      CHECK(r.accepted == static_cast<int64_t>(b.t_utc_ms.size()));
      if (recording == 0) recording = r.recording_id;
      CHECK(r.recording_id == recording);
    }
    live.flush();
    CHECK(live.stats().samples_ingested == static_cast<int64_t>(s.t.size()));
    CHECK(live.stats().windows_tagged == 24);
    CHECK(live.stats().queue_windows == 0);
  }

  LogStore store(db);
  const auto live_windows = store.recordings().windows(recording);
  const auto batch_windows = batch_tag(dir, s, *bundle);
  REQUIRE(batch_windows.size() == 24);  // 122.5 s: 24 full 5 s windows and a partial one
  REQUIRE(live_windows.size() == batch_windows.size());
  for (size_t i = 0; i < live_windows.size(); ++i) {
    INFO("window " << i);
    CHECK(live_windows[i].start_s == Approx(5.0 * static_cast<double>(i)));
    CHECK(live_windows[i].start_s == Approx(batch_windows[i].start_s));
    CHECK(live_windows[i].end_s == Approx(batch_windows[i].end_s));
    CHECK(live_windows[i].valid == batch_windows[i].valid);
    if (!batch_windows[i].valid) continue;
    REQUIRE(live_windows[i].labels.size() == 3);
    REQUIRE(batch_windows[i].labels.size() == 3);
    CHECK(live_windows[i].labels[0].label == batch_windows[i].labels[0].label);
    CHECK(live_windows[i].labels[0].score == Approx(batch_windows[i].labels[0].score).margin(1e-4));
  }

  auto rec = store.recordings().find(recording);
  REQUIRE(rec);
  CHECK(rec->source_key == "live:watch:" + std::to_string(kStreamStartMs));
  CHECK(rec->start_utc_ms == kStreamStartMs);
  CHECK(rec->status == "tagging");
  CHECK(rec->tagged_until_s == Approx(120.0));
  CHECK(rec->duration_s == Approx((s.t.back() - s.t.front()) / 1000.0));

  // One log line per segment, at the segment's wall-clock start, text = label.
  const auto segments = store.recordings().segments(recording);
  const auto lines = store.log().for_recording(recording);
  REQUIRE(!segments.empty());
  REQUIRE(lines.size() == segments.size());
  int64_t covered = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    CHECK(lines[i].text == segments[i].label);
    CHECK(lines[i].modality == "imu");
    REQUIRE(lines[i].t_utc_ms);
    CHECK(*lines[i].t_utc_ms == kStreamStartMs + static_cast<int64_t>(std::llround(segments[i].start_s * 1000)));
    if (i > 0) CHECK(segments[i].start_s >= segments[i - 1].end_s - 1e-9);
    covered += segments[i].n_windows;
  }
  int64_t valid = 0;
  for (const auto& w : batch_windows) valid += w.valid;
  CHECK(covered == valid);
  CHECK(store.count("window_embeddings") == valid);  // each encoded window's embedding, for search
  CHECK(format_log_line(lines[0], "UTC") == "[22:13] Motion: " + segments[0].label);
  CHECK(store.log().between(user, kStreamStartMs, kStreamStartMs + 200000).size() == lines.size());

  // Tagged samples are gone; only the tail the next window needs stays.
  const int64_t kept = store.count("live_samples");
  CHECK(kept > 0);
  CHECK(kept < static_cast<int64_t>(5 * rate_hz));
  return static_cast<int64_t>(batch_windows.size()) - valid;
}

}  // namespace

TEST_CASE("live: 1 s batches at 50 Hz are tagged exactly like the batch tagger tags the same samples", "[live]") {
  CHECK(check_live_matches_batch("live-50hz", synthetic_stream(122.5, 50), 50, 50) == 0);
}

TEST_CASE("live: windows spanning uneven batches of a 200 Hz stream match the batch tagger", "[live]") {
  // 37-sample batches never line up with the 5 s windows; 200 Hz is downsampled to 50 Hz.
  CHECK(check_live_matches_batch("live-200hz", synthetic_stream(122.5, 200), 200, 37) == 0);
}

TEST_CASE("live: short holes inside a session invalidate the same windows as in the batch tagger", "[live]") {
  // 0.8 s holes: longer than the resampler bridges (0.5 s), shorter than a new session (1 s).
  // The second one covers the point a chunk is resampled from before the window at 35 s.
  Stream s = synthetic_stream(122.5, 200);
  Stream holed;
  for (size_t i = 0; i < s.t.size(); ++i) {
    const double t = static_cast<double>(s.t[i] - kStreamStartMs) / 1000.0;
    if ((t > 12.3 && t < 13.1) || (t > 33.9 && t < 34.7)) continue;
    holed.t.push_back(s.t[i]);
    holed.v.push_back(s.v[i]);
  }
  CHECK(check_live_matches_batch("live-holes", holed, 200, 200) == 2);  // 10-15 s and 30-35 s
}

TEST_CASE("live: a pause longer than max_gap_s starts a new live recording", "[live]") {
  const std::string dir = make_temp_dir("live-gap");
  const std::string db = dir + "/live.db";
  auto bundle = small_live_bundle();
  const int64_t user = make_user(db);
  const Stream first = synthetic_stream(30, 50, kStreamStartMs);
  const Stream second = synthetic_stream(30, 50, kStreamStartMs + 35000);

  int64_t rec1 = 0, rec2 = 0;
  {
    LiveTaggerOptions opt;
    opt.max_gap_s = 2.0;
    LiveTagger live(db, bundle, opt);
    for (const auto& b : batches_of(first, 50)) rec1 = live.ingest(user, b).recording_id;
    for (const auto& b : batches_of(second, 50)) rec2 = live.ingest(user, b).recording_id;
    live.flush();
  }
  CHECK(rec1 != rec2);
  LogStore store(db);
  auto r1 = store.recordings().find(rec1), r2 = store.recordings().find(rec2);
  REQUIRE(r1);
  REQUIRE(r2);
  CHECK(r1->source_key == "live:watch:" + std::to_string(kStreamStartMs));
  CHECK(r2->source_key == "live:watch:" + std::to_string(kStreamStartMs + 35000));
  CHECK(r2->start_utc_ms == kStreamStartMs + 35000);
  // The first session ended with the pause: complete, its raw samples gone.
  CHECK(r1->status == "complete");
  CHECK(r2->status == "tagging");
  CHECK(store.recordings().windows(rec1).size() == 6);
  CHECK(store.recordings().windows(rec2).size() == 6);
  CHECK(store.live().samples(rec1, INT64_MIN, INT64_MAX).empty());
  CHECK(!store.log().for_recording(rec1).empty());
  CHECK(!store.log().for_recording(rec2).empty());
  const auto devices = store.users().devices(user);
  REQUIRE(devices.size() == 1);
  CHECK(r1->device_id == devices[0].id);
}

TEST_CASE("live: a hole inside one batch splits it between two sessions", "[live]") {
  const std::string dir = make_temp_dir("live-gap-in-batch");
  const std::string db = dir + "/live.db";
  const int64_t user = make_user(db);
  Stream s = synthetic_stream(12, 50);
  Stream later = synthetic_stream(12, 50, s.t.back() + 3000);
  s.t.insert(s.t.end(), later.t.begin(), later.t.end());
  s.v.insert(s.v.end(), later.v.begin(), later.v.end());
  LiveTagger live(db, small_live_bundle());
  auto r = live.ingest(user, batches_of(s, s.t.size())[0]);
  live.flush();
  LogStore store(db);
  const auto recs = store.recordings().for_user(user);
  REQUIRE(recs.size() == 2);
  CHECK(r.recording_id == recs[1].id);
  CHECK(recs[0].status == "complete");
  CHECK(store.recordings().windows(recs[0].id).size() == 2);
  CHECK(store.recordings().windows(recs[1].id).size() == 2);
}

TEST_CASE("live: devices stream independently into their own sessions", "[live]") {
  const std::string dir = make_temp_dir("live-devices");
  const std::string db = dir + "/live.db";
  const int64_t user = make_user(db);
  const Stream s = synthetic_stream(20, 50);
  LiveTagger live(db, small_live_bundle());
  int64_t a = 0, b = 0;
  for (const auto& batch : batches_of(s, 50, "watch")) a = live.ingest(user, batch).recording_id;
  for (const auto& batch : batches_of(s, 50, "glasses")) b = live.ingest(user, batch).recording_id;
  live.flush();
  CHECK(a != b);
  LogStore store(db);
  CHECK(store.recordings().windows(a).size() == 4);
  CHECK(store.recordings().windows(b).size() == 4);
  CHECK(store.users().devices(user).size() == 2);
}

TEST_CASE("live: stats say how far the furthest-behind session's tagging is from its newest sample", "[live]") {
  const std::string dir = make_temp_dir("live-lag");
  const std::string db = dir + "/live.db";
  auto bundle = small_live_bundle();
  const int64_t user = make_user(db);
  const auto batches = batches_of(synthetic_stream(60, 50), 50);
  LiveTaggerOptions opt;
  opt.start_paused = true;  // nothing tagged yet: the whole minute is behind
  LiveTagger live(db, bundle, opt);
  for (const auto& b : batches) live.ingest(user, b);
  CHECK(live.stats().max_lag_s == Approx(59.98).margin(0.001));  // last sample at 59.98 s
  live.flush();
  // Tagged to the end: at most the last, partial window is left.
  CHECK(live.stats().max_lag_s < 5.0);
  CHECK(live.stats().max_lag_s >= 0.0);
}
