// LiveSampleStore on its own, over a real migrated SQLite database: sessions, raw samples and
// the restart backlog.
#include <catch2/catch.hpp>

#include <limits>

#include "common/error.h"
#include "storage/live_sample_store.h"
#include "storage/recording_store.h"
#include "storage/user_store.h"
#include "storage_test_util.h"

using namespace imu2clip;
using imu2clip::test::MigratedDatabase;
using imu2clip::test::utc_ms;

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Samples at the given instants; each value is its index, so reads can be checked.
struct Batch {
  std::vector<int64_t> t;
  std::vector<std::array<float, 6>> v;
  LiveAppendRequest request(int64_t user_id, const std::string& device = "watch",
                            const std::string& model = "imu2clip-v1") const {
    LiveAppendRequest r;
    r.user_id = user_id;
    r.device = device;
    r.device_kind = "watch";
    r.model_id = model;
    r.max_gap_ms = 1000;
    r.t_utc_ms = t.data();
    r.values = v.data();
    r.n = t.size();
    return r;
  }
};

Batch every_20ms(int64_t from, int n) {
  Batch b;
  for (int i = 0; i < n; ++i) {
    b.t.push_back(from + 20 * i);
    b.v.push_back({static_cast<float>(i), 0, 9.81f, 0, 0, 0});
  }
  return b;
}

}  // namespace

TEST_CASE("The first batch starts a session and the next one continues it", "[storage][live]") {
  MigratedDatabase m;
  LiveSampleStore live(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "Europe/Berlin");
  const int64_t t0 = utc_ms(2024, 5, 1, 9, 0);

  const auto first = live.append(every_20ms(t0, 50).request(ana));
  REQUIRE(first.parts.size() == 1);
  CHECK(first.parts[0].created);
  CHECK(first.parts[0].start_utc_ms == t0);
  CHECK(first.parts[0].samples == 50);
  CHECK(first.parts[0].last_t_utc_ms == t0 + 49 * 20);
  CHECK(first.closed_recordings.empty());
  const int64_t session = first.parts[0].recording_id;

  auto rec = RecordingStore(m.db).find(session);
  REQUIRE(rec);
  CHECK(rec->source_key == "live:watch:" + std::to_string(t0));
  CHECK(rec->start_utc_ms == t0);
  CHECK(rec->tz == "Europe/Berlin");  // the owner's zone
  CHECK(rec->status == "tagging");
  CHECK(rec->device_id == first.device_id);
  CHECK(rec->meta["live"] == true);
  REQUIRE(UserStore(m.db).devices(ana).size() == 1);
  CHECK(UserStore(m.db).devices(ana)[0].kind == "watch");

  const auto second = live.append(every_20ms(t0 + 1000, 10).request(ana));
  REQUIRE(second.parts.size() == 1);
  CHECK_FALSE(second.parts[0].created);
  CHECK(second.parts[0].recording_id == session);
  CHECK(second.parts[0].start_utc_ms == t0);
  CHECK(second.device_id == first.device_id);

  auto samples = live.samples(session, kMin, kMax);
  REQUIRE(samples.size() == 60);
  CHECK(samples[0].t_utc_ms == t0);
  CHECK(samples[1].v[0] == 1.0f);
  CHECK(samples[1].v[2] == Approx(9.81f));
  CHECK(live.samples(session, t0 + 20, t0 + 60).size() == 2);  // half-open
  CHECK(live.samples(session, kMin, kMax, 5).size() == 5);
}

TEST_CASE("A long pause or another model starts a new session and closes the old one", "[storage][live]") {
  MigratedDatabase m;
  LiveSampleStore live(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  const int64_t t0 = utc_ms(2024, 5, 1, 9, 0);
  const int64_t a = live.append(every_20ms(t0, 5).request(ana)).parts[0].recording_id;

  // A batch with a pause inside: the samples before it continue `a`, those after start `b`.
  Batch gap = every_20ms(t0 + 100, 3);
  Batch later = every_20ms(t0 + 10000, 4);
  gap.t.insert(gap.t.end(), later.t.begin(), later.t.end());
  gap.v.insert(gap.v.end(), later.v.begin(), later.v.end());
  const auto split = live.append(gap.request(ana));
  REQUIRE(split.parts.size() == 2);
  CHECK(split.parts[0].recording_id == a);
  CHECK(split.parts[0].samples == 3);
  CHECK(split.parts[1].created);
  CHECK(split.parts[1].samples == 4);
  CHECK(split.closed_recordings == std::vector<int64_t>{a});
  const int64_t b = split.parts[1].recording_id;

  const auto other_model = live.append(every_20ms(t0 + 10100, 2).request(ana, "watch", "imu2clip-v2"));
  REQUIRE(other_model.parts.size() == 1);
  CHECK(other_model.parts[0].created);
  CHECK(other_model.closed_recordings == std::vector<int64_t>{b});

  // Devices are independent streams.
  const auto phone = live.append(every_20ms(t0, 2).request(ana, "phone"));
  CHECK(phone.parts[0].created);
  CHECK(phone.closed_recordings.empty());
  CHECK(m.count("recordings") == 4);
  CHECK(m.count("live_streams") == 2);
}

TEST_CASE("A batch that goes back in time is refused whole", "[storage][live]") {
  MigratedDatabase m;
  LiveSampleStore live(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  const int64_t t0 = utc_ms(2024, 5, 1, 9, 0);
  live.append(every_20ms(t0, 5).request(ana));
  const int64_t stored = m.count("live_samples");

  try {
    live.append(every_20ms(t0 + 80, 3).request(ana));  // overlaps the last stored sample
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().field == "t_utc_ms[0]");
    CHECK_THAT(e.what(), Catch::Contains("watch"));
  }
  Batch unordered = every_20ms(t0 + 1000, 3);
  unordered.t[2] = unordered.t[1];
  try {
    live.append(unordered.request(ana));
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.context().field == "t_utc_ms[2]");
  }
  try {
    live.append(every_20ms(t0 + 1000, 3).request(ana + 100));
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
  }
  CHECK_THROWS_AS(live.append(Batch{}.request(ana)), Error);
  CHECK(m.count("live_samples") == stored);
  CHECK(m.count("recordings") == 1);
}

TEST_CASE("Tagged samples are trimmed to the interpolation anchor and the backlog is listed",
          "[storage][live]") {
  MigratedDatabase m;
  LiveSampleStore live(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  const int64_t t0 = utc_ms(2024, 5, 1, 9, 0);
  const int64_t first = live.append(every_20ms(t0, 10).request(ana)).parts[0].recording_id;
  const int64_t second = live.append(every_20ms(t0 + 5000, 10).request(ana)).parts[0].recording_id;

  auto pending = live.pending();
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].recording_id == first);
  CHECK_FALSE(pending[0].open);  // the pause closed it
  CHECK(pending[0].samples == 10);
  CHECK(pending[0].first_t_utc_ms == t0);
  CHECK(pending[0].last_t_utc_ms == t0 + 180);
  CHECK(pending[1].recording_id == second);
  CHECK(pending[1].open);

  // Keep the last sample at or before t0 + 50 (t0 + 40) as the next window's anchor.
  CHECK(live.trim(first, t0 + 50) == 2);
  auto left = live.samples(first, kMin, kMax);
  REQUIRE(left.size() == 8);
  CHECK(left[0].t_utc_ms == t0 + 40);
  CHECK(live.trim(first, t0 + 50) == 0);

  CHECK(live.delete_before(first, kMax) == 8);
  CHECK(live.samples(first, kMin, kMax).empty());
  pending = live.pending();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].recording_id == second);
}
