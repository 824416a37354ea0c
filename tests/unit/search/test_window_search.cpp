// WindowSearch over a real SQLite log: the FAISS index path returns what the exact scan
// returns, sees windows stored after its build, never returns deleted windows, and keeps users
// apart; a text query goes through the bundle's own tower.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/model/bundle.h"
#include "tagger/model/float16.h"
#include "tagger/search/window_search.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/text_tower.h"

using namespace imu2clip;

namespace {

constexpr int kDim = 16;
constexpr int64_t kDayStart = 1710028800000;  // 2024-03-10T00:00:00Z

std::shared_ptr<const ModelBundle> bundle() {
  auto b = std::make_shared<ModelBundle>();
  b->model_id = "search-test";
  b->text_tower_id = "lexical-v1";
  b->text_tower_params = {{"dim", kDim}};
  return b;
}

// A deterministic unit vector for window number i.
std::vector<float> vec(int64_t i) {
  std::vector<float> v(kDim);
  double n = 0;
  for (int d = 0; d < kDim; ++d) {
    v[d] = static_cast<float>(std::sin(0.37 * static_cast<double>(i + 1) * (d + 1)) + (d == i % kDim ? 1.5 : 0.0));
    n += v[d] * v[d];
  }
  for (auto& x : v) x = static_cast<float>(x / std::sqrt(n));
  return v;
}

// A recording of `n` windows (5 s each) with vectors first..first+n-1; its id.
int64_t add_recording(LogStore& store, int64_t user, const std::string& key, int64_t first, int n, int64_t start_ms,
                      const std::vector<std::vector<float>>* explicit_vectors = nullptr) {
  RecordingRow r;
  r.user_id = user;
  r.source_key = key;
  r.source_path = key;
  r.start_utc_ms = start_ms;
  r.tz = "UTC";
  r.model_id = "search-test";
  const int64_t id = store.recordings().create(r);
  std::vector<WindowTag> tags;
  for (int i = 0; i < n; ++i) {
    WindowTag w;
    w.start_s = 5.0 * i;
    w.end_s = w.start_s + 5;
    const auto v = explicit_vectors ? (*explicit_vectors)[static_cast<size_t>(i)] : vec(first + i);
    for (float x : v) w.embedding_f16.push_back(f32_to_f16(x));
    tags.push_back(std::move(w));
  }
  store.recordings().append_windows(id, tags, 5.0 * n);
  return id;
}

std::vector<int64_t> ids_of(const SearchResult& r) {
  std::vector<int64_t> ids;
  for (const auto& h : r.hits) ids.push_back(h.window.window_id);
  return ids;
}

WindowSearchOptions indexed_options() {
  WindowSearchOptions o;
  o.min_indexed = 500;           // the test's users are "large"
  o.index.nprobe = 64;           // every list of the 64 the index has: the index path is exact
  o.shortlist = 64;
  return o;
}

WindowSearchOptions exact_options() {
  WindowSearchOptions o;
  o.min_indexed = std::numeric_limits<int64_t>::max();
  return o;
}

}  // namespace

TEST_CASE("the index path ranks like the exact scan and follows additions and deletions", "[search]") {
  LogStore store(":memory:");
  const int64_t ann = store.users().ensure("ann", "UTC");
  const int64_t bob = store.users().ensure("bob", "UTC");
  const int64_t first = add_recording(store, ann, "a1", 0, 1500, kDayStart);
  add_recording(store, ann, "a2", 1500, 1500, kDayStart + 86400000);
  add_recording(store, bob, "b1", 5000, 300, kDayStart);

  WindowSearch indexed({bundle()}, indexed_options());
  WindowSearch exact({bundle()}, exact_options());
  for (int q = 0; q < 10; ++q) {
    const auto query = vec(q * 97 + 3);
    const auto a = indexed.search_vector(store, ann, query, 10);
    const auto b = exact.search_vector(store, ann, query, 10);
    CHECK(a.method == "index");
    CHECK(b.method == "exact");
    CHECK(ids_of(a) == ids_of(b));
    REQUIRE(a.hits.size() == 10);
    CHECK(a.hits[0].score == Approx(b.hits[0].score));
  }

  SECTION("windows stored after the build are found") {
    // A window that is exactly the query, stored after the index was built.
    const auto query = vec(12345);
    const std::vector<std::vector<float>> same = {query};
    add_recording(store, ann, "late", 0, 1, kDayStart + 2 * 86400000, &same);
    const auto r = indexed.search_vector(store, ann, query, 3);
    CHECK(r.method == "index");
    REQUIRE(!r.hits.empty());
    CHECK(r.hits[0].score == Approx(1.0).margin(2e-3));
    CHECK(r.hits[0].window.start_utc_ms == kDayStart + 2 * 86400000);
  }

  SECTION("deleted windows never come back") {
    REQUIRE(store.erasure().remove_recording(ann, first));
    const auto after = indexed.search_vector(store, ann, vec(42), 10);
    CHECK(after.vectors == 1500);
    for (const auto& h : after.hits) CHECK(h.window.recording_id != first);
    CHECK(ids_of(after) == ids_of(exact.search_vector(store, ann, vec(42), 10)));
  }

  SECTION("a user's search never returns another user's windows") {
    const auto r = indexed.search_vector(store, bob, vec(5001), 50);
    CHECK(r.method == "exact");  // 300 windows: below min_indexed
    REQUIRE(r.hits.size() == 50);
    for (const auto& h : r.hits) CHECK(h.window.window_id > 3000);
    for (const auto& h : indexed.search_vector(store, ann, vec(5001), 100).hits) CHECK(h.window.window_id <= 3000);
  }

  SECTION("a time range keeps the windows inside it") {
    TimeRange day2{kDayStart + 86400000, kDayStart + 2 * 86400000};
    const auto r = indexed.search_vector(store, ann, vec(100), 10, day2);
    REQUIRE(r.hits.size() == 10);
    for (const auto& h : r.hits) {
      CHECK(*h.window.start_utc_ms >= kDayStart + 86400000);
      CHECK(*h.window.start_utc_ms < kDayStart + 2 * 86400000);
    }
    CHECK(ids_of(r) == ids_of(exact.search_vector(store, ann, vec(100), 10, day2)));
  }
}

TEST_CASE("a text query goes through the bundle's tower like a label", "[search]") {
  LogStore store(":memory:");
  const int64_t ann = store.users().ensure("ann", "UTC");
  const auto b = bundle();
  const auto tower = make_text_tower(b->text_tower_id, b->text_tower_params);
  // Window 1 is "jumping" as the label bank would embed it; the others are other phrases.
  std::vector<std::vector<float>> vectors;
  for (const char* phrase : {"sitting", "jumping", "eating", "swimming"})
    vectors.push_back(LabelBank::build(*tower, {phrase}, default_prompt_templates()).embeddings);
  add_recording(store, ann, "phrases", 0, 4, kDayStart, &vectors);
  WindowSearch search({b});
  const auto r = search.search(store, ann, {"jumping", 2, {}});
  REQUIRE(r.hits.size() == 2);
  CHECK(r.hits[0].window.start_s == 5.0);
  CHECK(r.hits[0].score == Approx(1.0).margin(2e-3));
  CHECK(r.models == std::vector<std::string>{"search-test"});
  CHECK_THROWS_AS(search.search(store, ann, {"  ", 5, {}}), Error);
  CHECK_THROWS_AS(search.search(store, ann, {"jumping", 0, {}}), Error);
}
