#include "tagger/search/window_search.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/model/bundle.h"
#include "tagger/search/f16_dot.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/text_tower.h"

namespace imu2clip {
namespace {

using Scored = std::pair<int64_t, float>;  // (window id, score)

// Keeps the k best (highest score; ties: lower window id) of what it is offered.
class TopK {
 public:
  explicit TopK(size_t k) : k_(k) {}
  void offer(int64_t id, float score) {
    if (heap_.size() < k_) {
      heap_.push({score, -id});
    } else if (score > heap_.top().first || (score == heap_.top().first && -id > heap_.top().second)) {
      heap_.pop();
      heap_.push({score, -id});
    }
  }
  std::vector<Scored> sorted() {
    std::vector<Scored> out;
    while (!heap_.empty()) {
      out.emplace_back(-heap_.top().second, heap_.top().first);
      heap_.pop();
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

 private:
  size_t k_;
  // Min-heap on (score, -id): the top is the weakest kept.
  std::priority_queue<std::pair<float, int64_t>, std::vector<std::pair<float, int64_t>>, std::greater<>> heap_;
};

bool same_space(const ModelBundle& a, const ModelBundle& b) {
  return a.text_tower_id == b.text_tower_id && a.text_tower_params == b.text_tower_params;
}

}  // namespace

struct WindowSearch::Built {
  std::unique_ptr<VectorIndex> index;
  int64_t max_window_id = 0;  // the index holds the vectors up to this window id
  int64_t stored = 0;         // the user's vector count when it was built
  int64_t deleted = 0;        // and the deletions count
};

std::unique_ptr<VectorIndex> build_vector_index(EmbeddingStore& store, int64_t user_id, const EmbeddingModel& model,
                                                int64_t n, const VectorIndexOptions& options) {
  const int64_t max_id = store.max_window_id(user_id, model.ref);
  auto index = std::make_unique<VectorIndex>(model.dim, n, options);
  const size_t dim = static_cast<size_t>(model.dim);
  // A strided sample spans the whole period (activities of every season), not its first weeks.
  const int64_t want = std::min(n, index->train_size());
  const int64_t stride = std::max<int64_t>(1, n / std::max<int64_t>(want, 1));
  std::vector<float> sample;
  sample.reserve(static_cast<size_t>(want) * dim);
  int64_t row = 0;
  store.scan(user_id, model, 0, {}, [&](int64_t id, const uint16_t* v) {
    if (id > max_id) return false;
    if (row++ % stride == 0 && static_cast<int64_t>(sample.size() / dim) < want) {
      sample.resize(sample.size() + dim);
      f16_to_f32_array(v, sample.data() + sample.size() - dim, model.dim);
    }
    return true;
  });
  index->train(sample.data(), static_cast<int64_t>(sample.size() / dim));
  sample = {};

  constexpr size_t kBatch = 32768;
  std::vector<float> batch;
  std::vector<int64_t> ids;
  batch.reserve(kBatch * dim);
  auto flush = [&] {
    if (!ids.empty()) index->add(batch.data(), ids.data(), static_cast<int64_t>(ids.size()));
    batch.clear();
    ids.clear();
  };
  store.scan(user_id, model, 0, {}, [&](int64_t id, const uint16_t* v) {
    if (id > max_id) return false;
    batch.resize(batch.size() + dim);
    f16_to_f32_array(v, batch.data() + batch.size() - dim, model.dim);
    ids.push_back(id);
    if (ids.size() == kBatch) flush();
    return true;
  });
  flush();
  return index;
}

WindowSearch::WindowSearch(const std::vector<std::shared_ptr<const ModelBundle>>& bundles, WindowSearchOptions options)
    : options_(std::move(options)) {
  if (bundles.empty() || !bundles.front()) {
    throw Error(ErrorKind::InvalidInput, "search needs a model bundle", ErrorContext{"", 0, "model"});
  }
  const ModelBundle& first = *bundles.front();
  tower_ = options_.make_tower ? options_.make_tower(first.text_tower_id, first.text_tower_params)
                               : make_text_tower(first.text_tower_id, first.text_tower_params);
  templates_ = first.label_bank.templates.empty() ? default_prompt_templates() : first.label_bank.templates;
  for (const auto& b : bundles) {
    if (!b) continue;
    if (!same_space(first, *b)) {
      spdlog::warn("search: model {} uses text tower {} (not {}); its windows are not searched", b->model_id,
                   b->text_tower_id, first.text_tower_id);
      continue;
    }
    if (std::find(model_ids_.begin(), model_ids_.end(), b->model_id) == model_ids_.end())
      model_ids_.push_back(b->model_id);
  }
}

WindowSearch::~WindowSearch() = default;

std::shared_ptr<const WindowSearch::Built> WindowSearch::index_for(LogStore& store, int64_t user_id,
                                                                   const EmbeddingModel& model,
                                                                   const EmbeddingStore::Counts& counts) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto key = std::make_pair(user_id, model.ref);
  auto it = indexes_.find(key);
  if (it != indexes_.end()) {
    const Built& b = *it->second;
    const bool current = b.deleted == counts.deleted &&
                         static_cast<double>(counts.stored - b.stored) <= options_.rebuild_fraction * b.stored;
    if (current) return it->second;
    indexes_.erase(it);  // frees the codes of deleted windows now, not after the rebuild
  }
  auto built = std::make_shared<Built>();
  built->stored = counts.stored;
  built->deleted = counts.deleted;
  built->max_window_id = store.embeddings().max_window_id(user_id, model.ref);
  built->index = build_vector_index(store.embeddings(), user_id, model, counts.stored, options_.index);
  spdlog::info("search: built index {} over {} windows of user {} (model {}), {:.1f} MB", built->index->description(),
               built->index->size(), user_id, model.model_id, built->index->memory_bytes() / 1e6);
  indexes_[key] = built;
  return built;
}

std::vector<Scored> WindowSearch::rank_model(LogStore& store, int64_t user_id, const EmbeddingModel& model,
                                             const float* query, int k, const TimeRange& range, std::string& method) {
  EmbeddingStore& vectors = store.embeddings();
  const EmbeddingStore::Counts counts = vectors.counts(user_id, model.ref);
  auto exact = [&](int64_t after, TopK& top) {
    vectors.scan(user_id, model, after, range, [&](int64_t id, const uint16_t* v) {
      top.offer(id, dot_f16(v, query, model.dim));
      return true;
    });
  };
  if (counts.stored < options_.min_indexed) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      indexes_.erase({user_id, model.ref});
    }
    TopK top(static_cast<size_t>(k));
    exact(0, top);
    if (method.empty()) method = "exact";
    return top.sorted();
  }

  const auto built = index_for(store, user_id, model, counts);
  TopK top(static_cast<size_t>(k));
  std::unordered_set<int64_t> seen;
  // A time range drops candidates outside it, so it asks for more of them.
  const int64_t want = std::max<int64_t>(options_.shortlist, 4 * k) * (range.bounded() ? 8 : 1);
  int64_t kept = 0;
  for (const auto& [id, approx] : built->index->search(query, want)) {
    (void)approx;
    if (!seen.insert(id).second) continue;
    auto v = vectors.vector(user_id, model, id);  // absent: deleted since the build
    if (!v) continue;
    if (range.bounded() && !vectors.in_range(user_id, id, range)) continue;
    top.offer(id, dot_f16(v->data(), query, model.dim));
    ++kept;
  }
  // Windows stored since the build.
  vectors.scan(user_id, model, built->max_window_id, range, [&](int64_t id, const uint16_t* v) {
    if (seen.insert(id).second) {
      top.offer(id, dot_f16(v, query, model.dim));
      ++kept;
    }
    return true;
  });
  if (range.bounded() && kept < k) {
    // Too few candidates fell in the range: the range is small, so scanning it is cheap.
    TopK all(static_cast<size_t>(k));
    exact(0, all);
    method = "exact";
    return all.sorted();
  }
  method = "index";
  return top.sorted();
}

SearchResult WindowSearch::search_vector(LogStore& store, int64_t user_id, const std::vector<float>& query, int k,
                                         const TimeRange& range) {
  if (k < 1) throw Error(ErrorKind::InvalidInput, "k must be at least 1", ErrorContext{"", 0, "k"});
  SearchResult result;
  result.models = model_ids_;
  TopK top(static_cast<size_t>(k));
  for (const auto& model_id : model_ids_) {
    const auto model = store.embeddings().model(model_id);
    if (!model) continue;
    if (model->dim != static_cast<int>(query.size())) {
      spdlog::warn("search: model {} stored vectors of dim {}, the query has {}; skipped", model_id, model->dim,
                   query.size());
      continue;
    }
    result.vectors += store.embeddings().counts(user_id, model->ref).stored;
    std::string method;
    for (const auto& [id, score] : rank_model(store, user_id, *model, query.data(), k, range, method))
      top.offer(id, score);
    if (result.method.empty() || method == "index") result.method = method;
  }
  if (result.method.empty()) result.method = "none";
  const auto ranked = top.sorted();
  std::vector<int64_t> ids;
  for (const auto& r : ranked) ids.push_back(r.first);
  const auto details = store.embeddings().details(user_id, ids);
  size_t d = 0;
  for (const auto& [id, score] : ranked) {
    if (d < details.size() && details[d].window_id == id) result.hits.push_back({score, details[d++]});
  }
  return result;
}

SearchResult WindowSearch::search(LogStore& store, int64_t user_id, const SearchQuery& query) {
  if (query.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw Error(ErrorKind::InvalidInput, "the search text is empty", ErrorContext{"", 0, "q"});
  }
  return search_vector(store, user_id, embed_query(query.text), query.k, query.range);
}

std::vector<float> WindowSearch::embed_query(const std::string& text) const {
  return LabelBank::build(*tower_, {text}, templates_).embeddings;
}

}  // namespace imu2clip
