// LiveAudioTagger with a tiny untrained audio model (1 s windows at 8 kHz) and a real SQLite
// file: chunks are durable before ingest() returns, whole windows are tagged in the background
// into "audio" windows and log lines, silence is "quiet", an ended session's tail is padded and
// tagged, a restart tags the stored backlog exactly once, one user's full backlog refuses only
// that user, and raw audio is deleted once tagged unless kept.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <thread>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/live/live_audio_tagger.h"
#include "tests/support/audio_fixtures.h"
#include "tests/support/small_tagging_bundle.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

constexpr int64_t kStartMs = 1764604800000;  // 2025-12-01T16:00:00Z
constexpr double kRate = 8000;               // small_audio_bundle's rate; windows are 1 s

std::shared_ptr<const ModelBundle> audio_bundle() {
  static const auto bundle = std::make_shared<const ModelBundle>(small_audio_bundle());
  return bundle;
}

int64_t make_user(const std::string& db, const std::string& name = "ann") {
  LogStore store(db);
  return store.users().ensure(name, "UTC");
}

LiveAudioChunk chunk(int64_t start_ms, std::vector<float> samples, const std::string& device = "kitchen",
                     double rate = kRate) {
  LiveAudioChunk c;
  c.device = device;
  c.start_utc_ms = start_ms;
  c.sample_rate_hz = rate;
  c.samples = std::move(samples);
  return c;
}

std::vector<float> silence(double seconds) { return std::vector<float>(static_cast<size_t>(std::lround(seconds * kRate)), 0.f); }

// Windows of a recording, checked to be consecutive 1 s windows from 0 with modality "audio".
void check_consecutive_audio_windows(const std::vector<WindowTag>& windows, size_t expected) {
  REQUIRE(windows.size() == expected);
  for (size_t i = 0; i < windows.size(); ++i) {
    CHECK(windows[i].modality == "audio");
    CHECK(windows[i].start_s == Approx(static_cast<double>(i)));
    CHECK(windows[i].end_s == Approx(static_cast<double>(i + 1)));
    CHECK_FALSE(windows[i].labels.empty());
  }
}

// Log lines of a recording cover [0, until_ms) without gaps or overlaps.
void check_log_covers(const std::vector<LogEntry>& entries, int64_t start_ms, int64_t until_ms) {
  REQUIRE_FALSE(entries.empty());
  int64_t t = start_ms;
  for (const auto& e : entries) {
    CHECK(e.modality == "audio");
    REQUIRE(e.t_utc_ms);
    CHECK(*e.t_utc_ms == t);
    t = *e.t_utc_ms + e.duration_ms;
  }
  CHECK(t == start_ms + until_ms);
}

}  // namespace

TEST_CASE("live audio: ingested chunks become audio windows and log lines, the ended session's tail padded", "[live][audio]") {
  const std::string db = make_temp_dir("live-audio") + "/log.db";
  const int64_t user = make_user(db);
  LiveAudioTagger live(db, audio_bundle());
  const auto a = live.ingest(user, chunk(kStartMs, tone(kRate, 3, 440)));
  CHECK(a.accepted_samples == 24000);
  CHECK(a.accepted_s == Approx(3.0));
  const auto b = live.ingest(user, chunk(kStartMs + 3000, tone(kRate, 4.6, 880)));
  CHECK(b.recording_id == a.recording_id);
  CHECK(b.pending_windows >= 1);
  live.flush();
  {
    LogStore store(db);
    // 7.6 s stored: 7 whole windows; the last 0.6 s waits for more audio.
    check_consecutive_audio_windows(store.recordings().windows(a.recording_id), 7);
    check_log_covers(store.log().for_recording(a.recording_id), kStartMs, 7000);
    CHECK(store.recordings().find(a.recording_id)->status == "tagging");
  }
  // A chunk after a pause longer than max_gap_s ends the session: its tail (0.6 s, over half a
  // window) is padded with silence and tagged, and the recording is complete.
  const auto c = live.ingest(user, chunk(kStartMs + 7600 + 2500, tone(kRate, 1, 440)));
  CHECK(c.recording_id != a.recording_id);
  live.flush();
  LogStore store(db);
  check_consecutive_audio_windows(store.recordings().windows(a.recording_id), 8);
  check_log_covers(store.log().for_recording(a.recording_id), kStartMs, 8000);
  const auto rec = store.recordings().find(a.recording_id);
  CHECK(rec->status == "complete");
  CHECK(rec->modality == "audio");
  CHECK(rec->duration_s == Approx(7.6));
  CHECK(rec->model_id == audio_bundle()->model_id);
  const auto stats = live.stats();
  CHECK(stats.samples_ingested == 24000 + 36800 + 8000);
  CHECK(stats.seconds_ingested == Approx(8.6));
  CHECK(stats.windows_tagged == 9);
  // Every encoded window (valid, not gated quiet) keeps its embedding for search.
  const int64_t encoded = store.database().query_int64(
      "SELECT COUNT(*) FROM windows w JOIN window_labels l ON l.window_id = w.id AND l.rank = 0 "
      "WHERE w.valid = 1 AND l.label != 'quiet'");
  CHECK(encoded > 0);
  CHECK(store.count("window_embeddings") == encoded);
}

TEST_CASE("live audio: silence is logged quiet", "[live][audio]") {
  const std::string db = make_temp_dir("live-audio-quiet") + "/log.db";
  const int64_t user = make_user(db);
  LiveAudioTaggerOptions opt;
  opt.max_gap_s = 1;
  LiveAudioTagger live(db, audio_bundle(), opt);
  const auto quiet = live.ingest(user, chunk(kStartMs, silence(3)));
  live.ingest(user, chunk(kStartMs + 5000, tone(kRate, 1, 440)));  // ends the silent session
  live.flush();
  LogStore store(db);
  const auto windows = store.recordings().windows(quiet.recording_id);
  REQUIRE(windows.size() == 3);
  for (const auto& w : windows) {
    REQUIRE(w.labels.size() == 1);
    CHECK(w.labels[0].label == "quiet");
  }
  const auto entries = store.log().for_recording(quiet.recording_id);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].text == "quiet");
  CHECK(entries[0].modality == "audio");
  CHECK(*entries[0].t_utc_ms == kStartMs);
  CHECK(entries[0].duration_ms == 3000);
}

TEST_CASE("live audio: a restart tags the stored backlog exactly once", "[live][audio]") {
  const std::string db = make_temp_dir("live-audio-restart") + "/log.db";
  const int64_t user = make_user(db);
  int64_t recording = 0;
  {
    LiveAudioTagger live(db, audio_bundle());
    recording = live.ingest(user, chunk(kStartMs, tone(kRate, 4, 440))).recording_id;
    live.flush();  // 4 windows tagged ...
  }
  {
    LiveAudioTaggerOptions opt;
    opt.start_paused = true;  // the worker never runs: what a crash right after ingest leaves
    LiveAudioTagger live(db, audio_bundle(), opt);
    CHECK(live.ingest(user, chunk(kStartMs + 4000, noise(kRate, 3.5, 0.2))).recording_id == recording);
    CHECK(live.ingest(user, chunk(kStartMs + 7500, tone(kRate, 3, 300))).recording_id == recording);
    CHECK(live.stats().pending_windows == 7);
    live.abandon();  // ... then 6.5 s acknowledged but never tagged
  }
  {
    LogStore store(db);
    CHECK(store.recordings().windows(recording).size() == 4);
    CHECK(store.count("live_audio_chunks") == 2);
  }
  {
    LiveAudioTagger live(db, audio_bundle());
    CHECK(live.stats().pending_windows == 7);
    live.flush();
    CHECK(live.stats().windows_tagged == 6);
    // The stream goes on where it stopped, into the same session.
    CHECK(live.ingest(user, chunk(kStartMs + 10500, tone(kRate, 1.5, 300))).recording_id == recording);
    live.flush();
  }
  LogStore store(db);
  check_consecutive_audio_windows(store.recordings().windows(recording), 12);
  int64_t covered = 0;
  for (const auto& seg : store.recordings().segments(recording)) covered += seg.n_windows;
  CHECK(covered == 12);
  check_log_covers(store.log().for_recording(recording), kStartMs, 12000);
  CHECK(store.recordings().for_user(user).size() == 1);
}

TEST_CASE("live audio: one user's full backlog refuses that user's chunks, not another user's", "[live][audio]") {
  const std::string db = make_temp_dir("live-audio-busy") + "/log.db";
  const int64_t ann = make_user(db, "ann");
  const int64_t bob = make_user(db, "bob");
  LiveAudioTaggerOptions opt;
  opt.max_pending_s = 5;
  opt.start_paused = true;
  LiveAudioTagger live(db, audio_bundle(), opt);
  live.ingest(ann, chunk(kStartMs, tone(kRate, 4, 440)));
  // The incoming chunk counts: 4 s + 2 s is over the 5 s limit.
  CHECK_THROWS_AS(live.ingest(ann, chunk(kStartMs + 4000, tone(kRate, 2, 440))), BusyError);
  {
    LogStore store(db);
    CHECK(store.count("live_audio_chunks") == 1);
  }
  CHECK(live.ingest(bob, chunk(kStartMs, tone(kRate, 4, 440))).accepted_samples == 32000);
  // Longer than the whole backlog: never acceptable, so not "busy" but a bad chunk.
  try {
    live.ingest(bob, chunk(kStartMs + 60000, tone(kRate, 6, 440), "phone"));
    FAIL("a chunk longer than the backlog was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().field == "samples");
  }
  live.flush();  // tags ann's backlog: her next chunk fits again
  CHECK(live.ingest(ann, chunk(kStartMs + 4000, tone(kRate, 2, 440))).accepted_samples == 16000);
}

TEST_CASE("live audio: raw audio is deleted once tagged unless kept", "[live][audio]") {
  const bool keep = GENERATE(false, true);
  const std::string db = make_temp_dir("live-audio-keep") + "/log.db";
  const int64_t user = make_user(db);
  LiveAudioTaggerOptions opt;
  opt.keep_audio = keep;
  LiveAudioTagger live(db, audio_bundle(), opt);
  const auto a = live.ingest(user, chunk(kStartMs, tone(kRate, 2, 440)));
  live.ingest(user, chunk(kStartMs + 2000, tone(kRate, 1.3, 440)));
  live.flush();
  {
    LogStore store(db);
    // 3 whole windows tagged: the first chunk is fully tagged, the second is not (0.3 s left).
    CHECK(store.count("live_audio_chunks") == (keep ? 2 : 1));
  }
  live.ingest(user, chunk(kStartMs + 10000, tone(kRate, 1, 440)));  // ends the first session
  live.flush();
  LogStore store(db);
  CHECK(store.recordings().windows(a.recording_id).size() == 3);  // 0.3 s is under half a window
  CHECK(store.recordings().find(a.recording_id)->status == "complete");
  if (keep) {
    const auto kept = store.live_audio().samples(a.recording_id, 0, 26400);
    CHECK(kept[8000 + 2] != 0);
    CHECK(store.count("live_audio_chunks") == 3);
  } else {
    // Everything tagged is gone: the ended session's 0.3 s tail too, and the new session's
    // chunk, a whole window.
    CHECK(store.count("live_audio_chunks") == 0);
  }
}

TEST_CASE("live audio: a session nothing is posted to ends after idle_close_s and its tail is tagged", "[live][audio]") {
  const std::string db = make_temp_dir("live-audio-idle") + "/log.db";
  const int64_t user = make_user(db);
  LiveAudioTaggerOptions opt;
  opt.idle_close_s = 0.2;
  LiveAudioTagger live(db, audio_bundle(), opt);
  const auto a = live.ingest(user, chunk(kStartMs, tone(kRate, 2.5, 440)));
  LogStore store(db);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (store.recordings().find(a.recording_id)->status != "complete" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(store.recordings().find(a.recording_id)->status == "complete");
  check_consecutive_audio_windows(store.recordings().windows(a.recording_id), 3);
  CHECK(store.count("live_audio_chunks") == 0);
  // The device's next chunk, right where the audio ended, starts a new session.
  const auto b = live.ingest(user, chunk(kStartMs + 2500, tone(kRate, 1, 440)));
  CHECK(b.recording_id != a.recording_id);
}

TEST_CASE("live audio: other rates are resampled and bad chunks are refused naming the field", "[live][audio]") {
  const std::string db = make_temp_dir("live-audio-bad") + "/log.db";
  const int64_t user = make_user(db);
  LiveAudioTaggerOptions opt;
  opt.start_paused = true;
  LiveAudioTagger live(db, audio_bundle(), opt);
  CHECK(live.sample_rate_hz() == kRate);
  const auto r = live.ingest(user, chunk(kStartMs, tone(16000, 2, 440), "kitchen", 16000));
  CHECK(r.accepted_samples == 16000);
  CHECK(r.accepted_s == Approx(2.0));

  auto field_of = [&](const LiveAudioChunk& c) {
    try {
      live.ingest(user, c);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::InvalidInput);
      return e.context().field;
    }
    return std::string("(accepted)");
  };
  auto nan = tone(kRate, 1, 440);
  nan[5] = std::nanf("");
  CHECK(field_of(chunk(kStartMs + 2000, nan)) == "samples[5]");
  CHECK(field_of(chunk(kStartMs + 1000, tone(kRate, 1, 440))) == "start");  // before the previous end
  CHECK(field_of(chunk(kStartMs + 2000, {})) == "samples");
  CHECK(field_of(chunk(kStartMs + 2000, tone(kRate, 1, 440), "")) == "device");
  CHECK(field_of(chunk(kStartMs + 2000, tone(kRate, 1, 440), "kitchen", 0)) == "sample_rate_hz");
  LogStore store(db);
  CHECK(store.count("live_audio_chunks") == 1);
  live.abandon();

  CHECK_THROWS_AS(LiveAudioTagger(db, std::make_shared<const ModelBundle>(small_tagging_bundle())), Error);
}

TEST_CASE("live audio: a period deleted while its session is still open is not written back by the tagger",
          "[live][audio][erasure]") {
  const std::string db = make_temp_dir("live-audio-erase") + "/live.db";
  const int64_t user = make_user(db);
  LiveAudioTaggerOptions opt;
  opt.keep_audio = true;  // the deleted period's audio must go too, not only be left untagged
  LiveAudioTagger live(db, audio_bundle(), opt);
  const int64_t recording = live.ingest(user, chunk(kStartMs, tone(kRate, 4, 440))).recording_id;
  live.flush();
  const auto count = [&](const std::string& sql) {
    LogStore store(db);
    auto s = store.database().prepare(sql);
    s.bind_all(recording).step();
    return s.column_int64(0);
  };
  const std::string cut = std::to_string(kStartMs + 2000);
  REQUIRE(count("SELECT COUNT(*) FROM log_entries WHERE recording_id = ?1 AND t_utc_ms < " + cut) > 0);

  // The first 2 s go while the session is open: the worker holds its open segment in memory.
  live.run_exclusive([&] {
    LogStore store(db);
    store.erasure().remove_between(user, kStartMs - 1000, kStartMs + 2000);
  });
  CHECK(live.ingest(user, chunk(kStartMs + 4000, tone(kRate, 4, 440))).recording_id == recording);
  live.flush();

  CHECK(count("SELECT COUNT(*) FROM log_entries WHERE recording_id = ?1 AND t_utc_ms < " + cut) == 0);
  CHECK(count("SELECT COUNT(*) FROM windows WHERE recording_id = ?1 AND start_s < 2") == 0);
  CHECK(count("SELECT COUNT(*) FROM segments WHERE recording_id = ?1 AND start_s < 2") == 0);
  CHECK(count("SELECT COUNT(*) FROM live_audio_chunks WHERE recording_id = ?1 AND start_utc_ms < " + cut) == 0);
  // The audio after the delete is tagged as usual.
  CHECK(count("SELECT COUNT(*) FROM windows WHERE recording_id = ?1 AND start_s >= 4") > 0);
}
