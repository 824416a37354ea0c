// Window embeddings in the log store (schema v4): written with their windows under the
// recording's model, read back per user, and erased with the recording, period or account
// they belong to.
#include <catch2/catch.hpp>

#include <vector>

#include "common/error.h"
#include "storage/embedding_store.h"
#include "storage/erasure_store.h"
#include "storage/recording_store.h"
#include "storage/user_store.h"
#include "storage_test_util.h"

using namespace imu2clip;
using imu2clip::test::MigratedDatabase;
using imu2clip::test::utc_ms;

namespace {

constexpr uint16_t kOne = 0x3C00;   // 1.0 in fp16
constexpr uint16_t kHalf = 0x3800;  // 0.5

// A recording of 5 s windows starting every 5 s; window i has the one-hot vector on axis i % 4.
int64_t recording_with_vectors(MigratedDatabase& m, int64_t user_id, const std::string& key, int64_t start_ms,
                               int windows, const std::string& model_id = "model-a") {
  RecordingStore recordings(m.db);
  RecordingRow r;
  r.user_id = user_id;
  r.source_key = key;
  r.source_path = key;
  r.start_utc_ms = start_ms;
  r.tz = "UTC";
  r.duration_s = 5.0 * windows;
  r.model_id = model_id;
  const int64_t id = recordings.create(r);
  std::vector<WindowTag> tags;
  for (int i = 0; i < windows; ++i) {
    WindowTag w;
    w.start_s = 5.0 * i;
    w.end_s = w.start_s + 5;
    w.labels = {{"label" + std::to_string(i % 4), 0.5f}};
    w.embedding_f16 = {0, 0, 0, 0};
    w.embedding_f16[static_cast<size_t>(i % 4)] = kOne;
    tags.push_back(w);
  }
  recordings.append_windows(id, tags, 5.0 * windows);
  LogEntry line;
  line.offset_ms = 0;
  line.duration_ms = 60000;
  line.text = "Motion: " + key;
  recordings.complete(id, {}, {line});
  return id;
}

std::vector<int64_t> scanned_ids(EmbeddingStore& store, int64_t user, const EmbeddingModel& model,
                                 const TimeRange& range = {}) {
  std::vector<int64_t> ids;
  store.scan(user, model, 0, range, [&](int64_t id, const uint16_t*) {
    ids.push_back(id);
    return true;
  });
  return ids;
}

}  // namespace

TEST_CASE("window embeddings are stored under the recording's model and read per user", "[embeddings]") {
  MigratedDatabase m;
  UserStore users(m.db);
  const int64_t ann = users.ensure("ann", "UTC");
  const int64_t bob = users.ensure("bob", "UTC");
  recording_with_vectors(m, ann, "ann-walk", utc_ms(2026, 5, 1, 9), 8);
  recording_with_vectors(m, bob, "bob-walk", utc_ms(2026, 5, 1, 9), 3);
  EmbeddingStore store(m.db);
  const auto model = store.model("model-a");
  REQUIRE(model);
  CHECK(model->dim == 4);
  CHECK(store.counts(ann, model->ref).stored == 8);
  CHECK(store.counts(bob, model->ref).stored == 3);
  CHECK(scanned_ids(store, ann, *model).size() == 8);

  // Bob's windows are not Ann's, not even by id.
  const auto bobs = scanned_ids(store, bob, *model);
  REQUIRE(bobs.size() == 3);
  CHECK_FALSE(store.vector(ann, *model, bobs[0]));
  CHECK(store.details(ann, bobs).empty());
  const auto own = store.vector(bob, *model, bobs[1]);
  REQUIRE(own);
  CHECK(*own == std::vector<uint16_t>{0, kOne, 0, 0});

  const auto details = store.details(bob, {bobs[2]});
  REQUIRE(details.size() == 1);
  CHECK(details[0].start_s == 10.0);
  CHECK(details[0].start_utc_ms == utc_ms(2026, 5, 1, 9, 0, 10));
  CHECK(details[0].top_label == "label2");
  CHECK(details[0].log_line == "Motion: bob-walk");
  CHECK(details[0].model_id == "model-a");
}

TEST_CASE("a time range keeps the windows that overlap it", "[embeddings]") {
  MigratedDatabase m;
  const int64_t ann = UserStore(m.db).ensure("ann", "UTC");
  recording_with_vectors(m, ann, "walk", utc_ms(2026, 5, 1, 9), 12);  // 09:00:00 - 09:01:00
  EmbeddingStore store(m.db);
  const auto model = *store.model("model-a");
  TimeRange range{utc_ms(2026, 5, 1, 9, 0, 12), utc_ms(2026, 5, 1, 9, 0, 20)};  // windows 10-15 and 15-20
  CHECK(scanned_ids(store, ann, model, range).size() == 2);
  CHECK(scanned_ids(store, ann, model, TimeRange{utc_ms(2026, 5, 1, 10), std::nullopt}).empty());
  const auto all = scanned_ids(store, ann, model);
  CHECK(store.in_range(ann, all[2], range));
  CHECK_FALSE(store.in_range(ann, all[0], range));
}

TEST_CASE("embeddings that cannot be right are refused", "[embeddings]") {
  MigratedDatabase m;
  const int64_t ann = UserStore(m.db).ensure("ann", "UTC");
  const int64_t id = recording_with_vectors(m, ann, "walk", utc_ms(2026, 5, 1, 9), 2);
  RecordingStore recordings(m.db);
  WindowTag w;
  w.start_s = 100;
  w.end_s = 105;

  w.embedding_f16 = {kOne, 0, 0};  // the model stored dim 4
  CHECK_THROWS_AS(recordings.append_windows(id, {w}, 105), Error);
  w.embedding_f16 = {kOne, 0x7C00, 0, 0};  // +inf
  CHECK_THROWS_AS(recordings.append_windows(id, {w}, 105), Error);
  w.embedding_f16 = {kOne, 0, 0, 0};
  w.valid = false;
  w.invalid_reason = "gap";
  CHECK_THROWS_AS(recordings.append_windows(id, {w}, 105), Error);
  CHECK(m.count("window_embeddings") == 2);

  w.valid = true;
  w.invalid_reason.clear();
  w.embedding_f16 = {kHalf, kHalf, kHalf, kHalf};
  recordings.append_windows(id, {w}, 105);
  CHECK(m.count("window_embeddings") == 3);
}

TEST_CASE("erasing a recording, a period or an account erases its vectors", "[embeddings][erasure]") {
  MigratedDatabase m;
  UserStore users(m.db);
  const int64_t ann = users.ensure("ann", "UTC");
  const int64_t bob = users.ensure("bob", "UTC");
  const int64_t first = recording_with_vectors(m, ann, "morning", utc_ms(2026, 5, 1, 9), 4);
  recording_with_vectors(m, ann, "noon", utc_ms(2026, 5, 1, 12), 12);
  recording_with_vectors(m, bob, "bob", utc_ms(2026, 5, 1, 9), 5);
  EmbeddingStore store(m.db);
  const auto model = *store.model("model-a");
  ErasureStore erasure(m.db);

  REQUIRE(erasure.remove_recording(ann, first));
  CHECK(store.counts(ann, model.ref).stored == 12);
  CHECK(store.counts(ann, model.ref).deleted == 4);
  CHECK(scanned_ids(store, ann, model).size() == 12);

  // 12:00:00 - 12:00:20 holds windows 0-3 of "noon".
  erasure.remove_between(ann, utc_ms(2026, 5, 1, 12), utc_ms(2026, 5, 1, 12, 0, 20));
  CHECK(scanned_ids(store, ann, model).size() == 8);
  CHECK(store.counts(ann, model.ref).stored == 8);

  REQUIRE(users.remove(ann));
  CHECK(scanned_ids(store, ann, model).empty());
  CHECK(store.counts(ann, model.ref).stored == 0);
  CHECK(m.count("window_embeddings") == 5);  // Bob's
  CHECK(store.counts(bob, model.ref).stored == 5);
}
