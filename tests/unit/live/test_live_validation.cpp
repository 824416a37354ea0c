#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/live/live_tagger.h"
#include "tests/support/test_paths.h"
#include "tests/unit/live/live_test_util.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

// The field the refusal names; fails the test when the batch is accepted or refused otherwise.
std::string refused_field(LiveTagger& live, int64_t user, const ImuSamples& batch) {
  try {
    live.ingest(user, batch);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    return e.context().field;
  }
  FAIL("the batch was accepted");
  return "";
}

}  // namespace

TEST_CASE("live: bad batches are refused naming the sample and field, and nothing is stored", "[live]") {
  const std::string dir = make_temp_dir("live-validation");
  const std::string db = dir + "/live.db";
  const int64_t user = make_user(db);
  LiveTagger live(db, small_live_bundle());
  const ImuSamples good = batches_of(synthetic_stream(2, 50), 50)[0];

  ImuSamples nan = good;
  nan.values[7][4] = std::numeric_limits<float>::quiet_NaN();
  CHECK(refused_field(live, user, nan) == "samples[7][4]");

  ImuSamples inf = good;
  inf.values[0][0] = std::numeric_limits<float>::infinity();
  CHECK(refused_field(live, user, inf) == "samples[0][0]");

  ImuSamples repeated = good;
  repeated.t_utc_ms[3] = repeated.t_utc_ms[2];
  CHECK(refused_field(live, user, repeated) == "t_utc_ms[3]");

  ImuSamples backwards = good;
  std::swap(backwards.t_utc_ms[10], backwards.t_utc_ms[11]);
  CHECK(refused_field(live, user, backwards) == "t_utc_ms[11]");

  ImuSamples empty = good;
  empty.t_utc_ms.clear();
  empty.values.clear();
  CHECK(refused_field(live, user, empty) == "t_utc_ms");

  ImuSamples mismatch = good;
  mismatch.values.pop_back();
  CHECK(refused_field(live, user, mismatch) == "samples");

  ImuSamples slow = good;  // 1 Hz: below the 5 Hz floor (seconds sent as milliseconds?)
  for (size_t i = 0; i < slow.t_utc_ms.size(); ++i) slow.t_utc_ms[i] = kStreamStartMs + 1000 * static_cast<int64_t>(i);
  CHECK(refused_field(live, user, slow) == "t_utc_ms");

  {
    LogStore store(db);
    CHECK(store.count("live_samples") == 0);
    CHECK(store.count("recordings") == 0);
  }

  // Going back behind what the device already stored.
  REQUIRE_NOTHROW(live.ingest(user, good));
  CHECK(refused_field(live, user, good) == "t_utc_ms[0]");
  ImuSamples overlap = good;
  for (auto& t : overlap.t_utc_ms) t += 500;  // starts inside the stored second
  CHECK(refused_field(live, user, overlap) == "t_utc_ms[0]");
  LogStore store(db);
  CHECK(store.count("live_samples") == static_cast<int64_t>(good.t_utc_ms.size()));

  // An unknown user is NotFound, not a crash.
  try {
    live.ingest(user + 100, batches_of(synthetic_stream(1, 50, kStreamStartMs + 60000), 50)[0]);
    FAIL("accepted a batch for an unknown user");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
  }
}
