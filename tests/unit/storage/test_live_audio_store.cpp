// LiveAudioStore on its own, over a real migrated SQLite database: sessions, placement of
// chunks on the session's sample axis, the per-user backlog, and deleting tagged audio.
#include <catch2/catch.hpp>

#include "common/error.h"
#include "storage/live_audio_store.h"
#include "storage/recording_store.h"
#include "storage/user_store.h"
#include "storage_test_util.h"

using namespace imu2clip;
using imu2clip::test::MigratedDatabase;
using imu2clip::test::utc_ms;

namespace {

// 1 kHz keeps the arithmetic readable: one sample per millisecond.
constexpr int kRate = 1000;

// `n` samples whose values count up from `first`, so reads can be checked sample by sample.
struct Chunk {
  std::vector<int16_t> pcm;
  int64_t start = 0;
  LiveAudioAppendRequest request(int64_t user_id, const std::string& device = "kitchen",
                                 const std::string& model = "audio-v1") const {
    LiveAudioAppendRequest r;
    r.user_id = user_id;
    r.device = device;
    r.model_id = model;
    r.sample_rate_hz = kRate;
    r.start_utc_ms = start;
    r.max_gap_ms = 2000;
    r.pcm16 = pcm.data();
    r.n = pcm.size();
    return r;
  }
};

Chunk counting(int64_t start, int n, int first = 1) {
  Chunk c;
  c.start = start;
  for (int i = 0; i < n; ++i) c.pcm.push_back(static_cast<int16_t>(first + i));
  return c;
}

WindowTag window(double start_s, double end_s) {
  WindowTag w;
  w.start_s = start_s;
  w.end_s = end_s;
  w.modality = "audio";
  w.labels = {{"person speaking", 0.5f}};
  return w;
}

}  // namespace

TEST_CASE("live audio: the first chunk starts a session and the next one continues it", "[storage][live-audio]") {
  MigratedDatabase m;
  LiveAudioStore audio(m.db);
  const int64_t ana = UserStore(m.db).ensure("ana", "Europe/Berlin");
  const int64_t t0 = utc_ms(2024, 5, 1, 9, 0);

  const auto first = audio.append(counting(t0, 3000).request(ana));
  CHECK(first.created);
  CHECK(first.offset_samples == 0);
  CHECK(first.end_samples == 3000);
  CHECK(first.session_start_utc_ms == t0);
  CHECK_FALSE(first.closed_recording);
  auto rec = RecordingStore(m.db).find(first.recording_id);
  REQUIRE(rec);
  CHECK(rec->source_key == "live-audio:kitchen:" + std::to_string(t0));
  CHECK(rec->modality == "audio");
  CHECK(rec->model_id == "audio-v1");
  CHECK(rec->start_utc_ms == t0);
  CHECK(rec->tz == "Europe/Berlin");
  CHECK(rec->status == "tagging");
  CHECK(rec->meta["live"] == true);
  REQUIRE(UserStore(m.db).devices(ana).size() == 1);
  CHECK(UserStore(m.db).devices(ana)[0].kind == "microphone");

  const auto second = audio.append(counting(t0 + 3000, 4000, 3001).request(ana));
  CHECK_FALSE(second.created);
  CHECK(second.recording_id == first.recording_id);
  CHECK(second.offset_samples == 3000);
  CHECK(second.end_samples == 7000);

  const auto all = audio.samples(first.recording_id, 0, 7000);
  REQUIRE(all.size() == 7000);
  bool counts_up = true;
  for (size_t i = 0; i < all.size(); ++i) counts_up = counts_up && all[i] == static_cast<int16_t>(i + 1);
  CHECK(counts_up);
  // A range across the two chunks, and one past the end (silence).
  const auto middle = audio.samples(first.recording_id, 2998, 3002);
  CHECK(middle == std::vector<int16_t>{2999, 3000, 3001, 3002});
  CHECK(audio.samples(first.recording_id, 6999, 7002) == std::vector<int16_t>{7000, 0, 0});
  CHECK(m.count("live_audio_chunks") == 2);
  CHECK(audio.pending_samples(ana, "audio-v1") == 7000);
}

TEST_CASE("live audio: negative and extreme samples survive the little-endian BLOB", "[storage][live-audio]") {
  MigratedDatabase m;
  LiveAudioStore audio(m.db);
  const int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  Chunk c;
  c.start = utc_ms(2024, 5, 1, 9, 0);
  c.pcm = {-32768, -1, 0, 1, 32767, -256, 255};
  const auto r = audio.append(c.request(ana));
  CHECK(audio.samples(r.recording_id, 0, 7) == c.pcm);
}

TEST_CASE("live audio: a short pause is silence inside the session, a long one starts a new session", "[storage][live-audio]") {
  MigratedDatabase m;
  LiveAudioStore audio(m.db);
  const int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  const int64_t t0 = utc_ms(2024, 5, 1, 9, 0);

  const auto a = audio.append(counting(t0, 1000).request(ana));
  const auto b = audio.append(counting(t0 + 2500, 1000).request(ana));  // 1.5 s pause <= 2 s
  CHECK(b.recording_id == a.recording_id);
  CHECK(b.offset_samples == 2500);
  const auto gap = audio.samples(a.recording_id, 999, 2501);
  CHECK(gap.front() == 1000);
  CHECK(gap[1] == 0);
  CHECK(gap[gap.size() - 2] == 0);
  CHECK(gap.back() == 1);

  const auto c = audio.append(counting(t0 + 5600, 500).request(ana));  // 2.1 s pause
  CHECK(c.created);
  CHECK(c.recording_id != a.recording_id);
  REQUIRE(c.closed_recording);
  CHECK(*c.closed_recording == a.recording_id);
  CHECK(c.offset_samples == 0);
  const auto old = audio.session(a.recording_id);
  REQUIRE(old);
  CHECK_FALSE(old->open);
  CHECK(old->end_samples == 3500);
  CHECK(audio.session(c.recording_id)->open);
}

TEST_CASE("live audio: a chunk that starts before the previous one ended is refused", "[storage][live-audio]") {
  MigratedDatabase m;
  LiveAudioStore audio(m.db);
  const int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  const int64_t t0 = utc_ms(2024, 5, 1, 9, 0);
  const auto a = audio.append(counting(t0, 1000).request(ana));
  try {
    audio.append(counting(t0 + 500, 1000).request(ana));
    FAIL("an overlapping chunk was stored");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().field == "start");
  }
  CHECK(m.count("live_audio_chunks") == 1);
  CHECK(audio.session(a.recording_id)->end_samples == 1000);

  // Whole-millisecond start times: 1 ms early still continues the audio exactly.
  const auto b = audio.append(counting(t0 + 999, 10).request(ana));
  CHECK(b.recording_id == a.recording_id);
  CHECK(b.offset_samples == 1000);
  // Another device has its own time line.
  const auto other = audio.append(counting(t0, 10).request(ana, "phone"));
  CHECK(other.created);
  CHECK(other.device_id != a.device_id);
}

TEST_CASE("live audio: a new model or a closed session starts a new session", "[storage][live-audio]") {
  MigratedDatabase m;
  LiveAudioStore audio(m.db);
  const int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  const int64_t t0 = utc_ms(2024, 5, 1, 9, 0);
  const auto a = audio.append(counting(t0, 1000).request(ana));
  const auto b = audio.append(counting(t0 + 1000, 1000).request(ana, "kitchen", "audio-v2"));
  CHECK(b.created);
  CHECK(b.closed_recording == a.recording_id);
  CHECK(RecordingStore(m.db).find(b.recording_id)->model_id == "audio-v2");

  const auto closed = audio.close(b.recording_id);
  REQUIRE(closed);
  CHECK_FALSE(closed->open);
  CHECK(closed->end_samples == 1000);
  const auto c = audio.append(counting(t0 + 2000, 1000).request(ana, "kitchen", "audio-v2"));
  CHECK(c.created);
  CHECK_FALSE(c.closed_recording);  // already closed
  CHECK_FALSE(audio.close(987654));
}

TEST_CASE("live audio: a long chunk is stored in rows of at most a minute and read back whole", "[storage][live-audio]") {
  MigratedDatabase m;
  LiveAudioStore audio(m.db);
  const int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  const int64_t t0 = utc_ms(2024, 5, 1, 9, 0);
  Chunk c;
  c.start = t0;
  c.pcm.resize(150000);  // 150 s at 1 kHz
  for (size_t i = 0; i < c.pcm.size(); ++i) c.pcm[i] = static_cast<int16_t>(i % 30000);
  const auto r = audio.append(c.request(ana));
  CHECK(m.count("live_audio_chunks") == 3);
  CHECK(r.end_samples == 150000);
  const auto across = audio.samples(r.recording_id, 59990, 120010);
  REQUIRE(across.size() == 60020);
  bool same = true;
  for (size_t i = 0; i < across.size(); ++i) same = same && across[i] == c.pcm[59990 + i];
  CHECK(same);
  CHECK(audio.samples(r.recording_id, 149999, 150000) == std::vector<int16_t>{c.pcm.back()});
}

TEST_CASE("live audio: the backlog counts per user and tagged audio is deleted", "[storage][live-audio]") {
  MigratedDatabase m;
  LiveAudioStore audio(m.db);
  RecordingStore recordings(m.db);
  UserStore users(m.db);
  const int64_t ana = users.ensure("ana", "UTC");
  const int64_t bob = users.ensure("bob", "UTC");
  const int64_t t0 = utc_ms(2024, 5, 1, 9, 0);

  const auto a1 = audio.append(counting(t0, 2000).request(ana));
  audio.append(counting(t0 + 2000, 2000).request(ana));
  audio.append(counting(t0 + 4000, 2000).request(ana));
  const auto b1 = audio.append(counting(t0, 500).request(bob));
  CHECK(audio.pending_samples(ana, "audio-v1") == 6000);
  CHECK(audio.pending_samples(bob, "audio-v1") == 500);
  CHECK(audio.pending_samples(ana, "audio-v2") == 0);  // another model's tagger owes nothing

  // 4.5 s tagged: the first two chunks (0-4 s) are fully tagged, the third is not.
  recordings.append_windows(a1.recording_id, {window(0, 4.5)}, 4.5);
  CHECK(audio.pending_samples(ana, "audio-v1") == 1500);
  CHECK(audio.delete_tagged(a1.recording_id) == 2);
  CHECK(m.count("live_audio_chunks") == 2);
  CHECK(audio.samples(a1.recording_id, 4000, 4002) == std::vector<int16_t>{1, 2});

  auto pending = audio.pending();
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].recording_id == a1.recording_id);
  CHECK(pending[0].tagged_samples == 4500);
  CHECK(pending[0].end_samples == 6000);
  CHECK(pending[0].open);
  CHECK(pending[0].user_id == ana);
  CHECK(pending[0].sample_rate_hz == kRate);
  CHECK(pending[1].recording_id == b1.recording_id);

  // A complete session owes nothing, and all its audio goes.
  recordings.complete(a1.recording_id, {}, {});
  CHECK(audio.pending_samples(ana, "audio-v1") == 0);
  CHECK(audio.pending().size() == 1);
  CHECK(audio.delete_all_tagged() == 1);
  CHECK(m.count("live_audio_chunks") == 1);  // bob's, untagged
  CHECK(audio.pending_samples(bob, "audio-v1") == 500);
}

TEST_CASE("live audio: an unknown user or an empty chunk stores nothing", "[storage][live-audio]") {
  MigratedDatabase m;
  LiveAudioStore audio(m.db);
  CHECK_THROWS_AS(audio.append(counting(utc_ms(2024, 5, 1, 9, 0), 10).request(42)), Error);
  const int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  Chunk empty;
  empty.start = utc_ms(2024, 5, 1, 9, 0);
  CHECK_THROWS_AS(audio.append(empty.request(ana)), Error);
  CHECK(m.count("live_audio_chunks") == 0);
  CHECK(m.count("live_audio_sessions") == 0);
  CHECK(m.count("recordings") == 0);
}
