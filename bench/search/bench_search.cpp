// Search at scale: latency (p50/p99), recall@10 of the FAISS index against the exact scan,
// index build time and memory, on synthetic clustered unit embeddings (a year of 5 s windows
// is 6.3 M). Two modes:
//   --store N   the real path: N windows written to a temporary SQLite log, searched through
//               WindowSearch (exact scan vs index + exact re-ranking from the stored fp16).
//   --memory N  the index alone at sizes a test database would take too long to write: vectors
//               are regenerated from their id (no 6.4 GB matrix), the shortlist re-ranked from
//               the same fp16 values the store would hold.
// Prints one JSON object. Usage: imu2clip_bench_search (--store N | --memory N) [--dim 512]
//   [--queries 50] [--threads 2] [--nprobe 48] [--shortlist 256] [--factory F] [--db PATH]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>
#include <omp.h>
#include <spdlog/spdlog.h>

#include "storage/log_store.h"
#include "tagger/model/bundle.h"
#include "tagger/model/float16.h"
#include "tagger/search/f16_dot.h"
#include "tagger/search/vector_index.h"
#include "tagger/search/window_search.h"

using namespace imu2clip;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string mode;
  int64_t n = 100000;
  int dim = 512;
  int queries = 50;
  int threads = 2;
  int nprobe = 64;
  std::vector<int> nprobes;  // --memory: each measured on the one index built
  int64_t shortlist = 256;
  int64_t clusters = 2000;
  std::string factory, db;
};

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
// Roughly normal (sum of four uniforms), cheap and deterministic.
float gauss(uint64_t& s) {
  float sum = 0;
  for (int i = 0; i < 4; ++i) sum += static_cast<float>(splitmix(s) >> 40) / static_cast<float>(1 << 24);
  return (sum - 2.f) * 1.7320508f;
}

// Clustered embeddings: a window is its activity's centre plus its own noise, normalised, then
// rounded to fp16 as the store keeps it. Activities are unequally frequent (Zipf-like), as in
// a life log where sitting dwarfs swimming.
class Synthetic {
 public:
  Synthetic(int dim, int64_t clusters) : dim_(dim), clusters_(clusters), centres_(static_cast<size_t>(clusters * dim)) {
    uint64_t s = 12345;
    for (auto& v : centres_) v = gauss(s);
    for (int64_t c = 0; c < clusters; ++c) normalise(&centres_[static_cast<size_t>(c * dim)]);
  }
  int64_t cluster_of(int64_t id) const {
    uint64_t s = static_cast<uint64_t>(id) * 7919 + 1;
    const double u = static_cast<double>(splitmix(s) >> 11) / 9007199254740992.0;
    return std::min<int64_t>(clusters_ - 1, static_cast<int64_t>(std::pow(u, 2.0) * clusters_));
  }
  void vector(int64_t id, uint16_t* out) const {
    std::vector<float> v(static_cast<size_t>(dim_));
    uint64_t s = static_cast<uint64_t>(id) * 0x2545F4914F6CDD1Dull + 99;
    const float* c = &centres_[static_cast<size_t>(cluster_of(id) * dim_)];
    const float sigma = 1.0f / std::sqrt(static_cast<float>(dim_));
    for (int i = 0; i < dim_; ++i) v[static_cast<size_t>(i)] = c[i] + 1.1f * sigma * gauss(s);
    normalise(v.data());
    for (int i = 0; i < dim_; ++i) out[i] = f32_to_f16(v[static_cast<size_t>(i)]);
  }
  // A text query near an activity (a phrase is not exactly any window).
  std::vector<float> query(int q) const {
    uint64_t s = static_cast<uint64_t>(q) * 31337 + 5;
    std::vector<float> v(static_cast<size_t>(dim_));
    const int64_t c = static_cast<int64_t>(splitmix(s) % static_cast<uint64_t>(clusters_));
    const float sigma = 1.0f / std::sqrt(static_cast<float>(dim_));
    for (int i = 0; i < dim_; ++i) v[static_cast<size_t>(i)] = centres_[static_cast<size_t>(c * dim_ + i)] + 0.8f * sigma * gauss(s);
    normalise(v.data());
    return v;
  }

 private:
  void normalise(float* v) const {
    double n = 0;
    for (int i = 0; i < dim_; ++i) n += static_cast<double>(v[i]) * v[i];
    const float inv = static_cast<float>(1.0 / std::sqrt(n));
    for (int i = 0; i < dim_; ++i) v[i] *= inv;
  }
  int dim_;
  int64_t clusters_;
  std::vector<float> centres_;
};

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(std::min<double>(v.size() - 1, std::floor(p * (v.size() - 1) + 0.5)))];
}
int64_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  int64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}
double recall(const std::vector<std::vector<int64_t>>& truth, const std::vector<std::vector<int64_t>>& got) {
  double hit = 0, all = 0;
  for (size_t q = 0; q < truth.size(); ++q) {
    std::unordered_set<int64_t> t(truth[q].begin(), truth[q].end());
    for (int64_t id : got[q]) hit += t.count(id);
    all += static_cast<double>(truth[q].size());
  }
  return all > 0 ? hit / all : 1.0;
}
nlohmann::json latency_json(const std::vector<double>& ms) {
  return {{"p50_ms", percentile(ms, 0.5)}, {"p99_ms", percentile(ms, 0.99)}, {"max_ms", *std::max_element(ms.begin(), ms.end())}};
}

// --memory: the index alone.
nlohmann::json run_memory(const Args& a) {
  const Synthetic data(a.dim, a.clusters);
  const size_t dim = static_cast<size_t>(a.dim);
  VectorIndexOptions options;
  options.factory = a.factory;
  options.nprobe = a.nprobe;
  options.threads = a.threads;
  const int64_t rss0 = rss_bytes();
  VectorIndex index(a.dim, a.n, options);
  auto t0 = Clock::now();
  const int64_t want = std::min(a.n, index.train_size());
  const int64_t stride = std::max<int64_t>(1, a.n / want);
  std::vector<float> sample;
  std::vector<uint16_t> h(dim);
  for (int64_t id = 0; id < a.n && static_cast<int64_t>(sample.size() / dim) < want; id += stride) {
    data.vector(id, h.data());
    sample.resize(sample.size() + dim);
    f16_to_f32_array(h.data(), sample.data() + sample.size() - dim, a.dim);
  }
  index.train(sample.data(), static_cast<int64_t>(sample.size() / dim));
  sample = {};
  const double train_s = ms_since(t0) / 1000;
  constexpr int64_t kBatch = 65536;
  std::vector<float> batch(static_cast<size_t>(kBatch) * dim);
  std::vector<int64_t> ids(static_cast<size_t>(kBatch));
  for (int64_t b = 0; b < a.n; b += kBatch) {
    const int64_t e = std::min(a.n, b + kBatch);
    for (int64_t id = b; id < e; ++id) {
      data.vector(id, h.data());
      f16_to_f32_array(h.data(), &batch[static_cast<size_t>(id - b) * dim], a.dim);
      ids[static_cast<size_t>(id - b)] = id;
    }
    index.add(batch.data(), ids.data(), e - b);
    if ((b / kBatch) % 16 == 0) spdlog::info("added {} / {}", e, a.n);
  }
  batch = {};
  const double build_s = ms_since(t0) / 1000;
  const int64_t rss1 = rss_bytes();

  std::vector<std::vector<float>> queries;
  for (int q = 0; q < a.queries; ++q) queries.push_back(data.query(q));
  // Exact top 10 over the fp16 vectors: one pass, every query at once.
  std::vector<std::vector<std::pair<float, int64_t>>> best(queries.size());
  auto t1 = Clock::now();
  for (int64_t id = 0; id < a.n; ++id) {
    data.vector(id, h.data());
    for (size_t q = 0; q < queries.size(); ++q) {
      const float s = dot_f16(h.data(), queries[q].data(), a.dim);
      auto& b = best[q];
      if (b.size() < 10 || s > b.front().first) {
        b.emplace_back(s, id);
        std::push_heap(b.begin(), b.end(), std::greater<>());
        if (b.size() > 10) {
          std::pop_heap(b.begin(), b.end(), std::greater<>());
          b.pop_back();
        }
      }
    }
  }
  const double exact_pass_s = ms_since(t1) / 1000;
  std::vector<std::vector<int64_t>> truth, got;
  for (auto& b : best) {
    truth.emplace_back();
    for (auto& [s, id] : b) truth.back().push_back(id);
  }
  omp_set_num_threads(a.threads);
  nlohmann::json per_nprobe = nlohmann::json::array();
  for (int nprobe : a.nprobes.empty() ? std::vector<int>{a.nprobe} : a.nprobes) {
    index.set_nprobe(nprobe);
    std::vector<double> lat;
    for (int rep = 0; rep < 3; ++rep) {
      got.clear();
      for (const auto& q : queries) {
        auto t = Clock::now();
        std::vector<std::pair<float, int64_t>> ranked;
        for (const auto& [id, approx] : index.search(q.data(), std::max<int64_t>(a.shortlist, 10))) {
          (void)approx;
          data.vector(id, h.data());  // the stored fp16 vector
          ranked.emplace_back(dot_f16(h.data(), q.data(), a.dim), id);
        }
        std::partial_sort(ranked.begin(), ranked.begin() + std::min<size_t>(10, ranked.size()), ranked.end(),
                          std::greater<>());
        got.emplace_back();
        for (size_t i = 0; i < std::min<size_t>(10, ranked.size()); ++i) got.back().push_back(ranked[i].second);
        if (rep > 0) lat.push_back(ms_since(t));  // the first round warms caches
      }
    }
    per_nprobe.push_back({{"nprobe", nprobe}, {"recall_at_10", recall(truth, got)}, {"latency", latency_json(lat)}});
  }
  return {{"mode", "memory"}, {"windows", a.n}, {"dim", a.dim}, {"index", index.description()},
          {"shortlist", a.shortlist}, {"threads", a.threads}, {"queries", a.queries},
          {"train_s", train_s}, {"build_s", build_s},
          {"build_s_per_million", build_s / (static_cast<double>(a.n) / 1e6)},
          {"index_bytes", index.memory_bytes()},
          {"index_mb_per_million", index.memory_bytes() / 1e6 / (static_cast<double>(a.n) / 1e6)},
          {"rss_growth_mb", (rss1 - rss0) / 1e6},
          {"search", per_nprobe}, {"ground_truth_pass_s", exact_pass_s}};
}

// --store: through SQLite and WindowSearch.
nlohmann::json run_store(const Args& a) {
  const Synthetic data(a.dim, a.clusters);
  namespace fs = std::filesystem;
  const std::string path = a.db.empty() ? (fs::temp_directory_path() / ("bench_search_" + std::to_string(getpid()) + ".db")).string() : a.db;
  const bool fresh = !fs::exists(path);
  LogStore store(path);
  const int64_t user = store.users().ensure("bench", "UTC");
  auto t0 = Clock::now();
  if (fresh) {
    // Day-long recordings of 5 s windows (17,280 a day).
    const int64_t per_recording = 17280;
    for (int64_t r = 0; r * per_recording < a.n; ++r) {
      RecordingRow row;
      row.user_id = user;
      row.source_key = "day-" + std::to_string(r);
      row.source_path = row.source_key;
      row.start_utc_ms = 1704067200000LL + r * 86400000LL;
      row.tz = "UTC";
      row.model_id = "bench-model";
      const int64_t rec = store.recordings().create(row);
      const int64_t count = std::min(per_recording, a.n - r * per_recording);
      for (int64_t b = 0; b < count; b += 2000) {
        std::vector<WindowTag> tags;
        for (int64_t i = b; i < std::min(count, b + 2000); ++i) {
          WindowTag w;
          w.start_s = 5.0 * static_cast<double>(i);
          w.end_s = w.start_s + 5;
          w.labels = {{"activity", 0.5f}};
          w.embedding_f16.resize(static_cast<size_t>(a.dim));
          data.vector(r * per_recording + i, w.embedding_f16.data());
          tags.push_back(std::move(w));
        }
        store.recordings().append_windows(rec, tags, tags.back().end_s);
      }
    }
  }
  const double write_s = ms_since(t0) / 1000;
  ModelBundle bundle;
  bundle.model_id = "bench-model";
  bundle.text_tower_id = "lexical-v1";
  bundle.text_tower_params = {{"dim", a.dim}};
  WindowSearchOptions exact_options;
  exact_options.min_indexed = INT64_MAX;
  WindowSearch exact({std::make_shared<const ModelBundle>(bundle)}, exact_options);
  WindowSearchOptions index_options;
  index_options.min_indexed = 1;
  index_options.shortlist = a.shortlist;
  index_options.index.factory = a.factory;
  index_options.index.nprobe = a.nprobe;
  index_options.index.threads = a.threads;
  WindowSearch indexed({std::make_shared<const ModelBundle>(bundle)}, index_options);

  std::vector<std::vector<int64_t>> truth, got;
  std::vector<double> exact_ms, index_ms;
  for (int q = 0; q < a.queries; ++q) {
    const auto query = data.query(q);
    auto t = Clock::now();
    const auto r = exact.search_vector(store, user, query, 10);
    exact_ms.push_back(ms_since(t));
    truth.emplace_back();
    for (const auto& h : r.hits) truth.back().push_back(h.window.window_id);
  }
  auto tb = Clock::now();
  indexed.search_vector(store, user, data.query(0), 10);  // builds the index
  const double build_s = ms_since(tb) / 1000;
  for (int rep = 0; rep < 2; ++rep) {
    got.clear();
    for (int q = 0; q < a.queries; ++q) {
      auto t = Clock::now();
      const auto r = indexed.search_vector(store, user, data.query(q), 10);
      if (rep > 0) index_ms.push_back(ms_since(t));
      got.emplace_back();
      for (const auto& h : r.hits) got.back().push_back(h.window.window_id);
    }
  }
  const int64_t db_bytes = static_cast<int64_t>(fs::file_size(path));
  if (a.db.empty()) {
    fs::remove(path);
    fs::remove(path + "-wal");
    fs::remove(path + "-shm");
  }
  return {{"mode", "store"}, {"windows", a.n}, {"dim", a.dim}, {"queries", a.queries}, {"threads", a.threads},
          {"nprobe", a.nprobe}, {"shortlist", a.shortlist}, {"write_s", write_s}, {"db_bytes", db_bytes},
          {"exact", latency_json(exact_ms)}, {"index_build_s", build_s}, {"index", latency_json(index_ms)},
          {"recall_at_10", recall(truth, got)}};
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", k.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (k == "--store" || k == "--memory") {
      a.mode = k.substr(2);
      a.n = std::stoll(next());
    } else if (k == "--dim") a.dim = std::stoi(next());
    else if (k == "--queries") a.queries = std::stoi(next());
    else if (k == "--threads") a.threads = std::stoi(next());
    else if (k == "--nprobe") {
      // "64" or "32,64,128" (--memory measures each on one build; --store uses the first).
      std::string list = next();
      for (size_t at = 0; at <= list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        a.nprobes.push_back(std::stoi(list.substr(at, comma - at)));
        at = comma + 1;
      }
      a.nprobe = a.nprobes.front();
    }
    else if (k == "--shortlist") a.shortlist = std::stoll(next());
    else if (k == "--clusters") a.clusters = std::stoll(next());
    else if (k == "--factory") a.factory = next();
    else if (k == "--db") a.db = next();
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (a.mode.empty()) {
    std::fprintf(stderr, "usage: imu2clip_bench_search (--store N | --memory N) [--dim 512] [--queries 50] "
                         "[--threads 2] [--nprobe 48] [--shortlist 256] [--clusters 2000] [--factory F] [--db PATH]\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  const auto out = a.mode == "store" ? run_store(a) : run_memory(a);
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
