#pragma once
// Open-vocabulary search over a user's tagged windows (GET /v1/search, `imu2clip search`): the
// query text goes through the bundle's own text tower into the space the encoders are aligned
// to, and the user's stored window embeddings (storage/embedding_store.h) are ranked by cosine.
// The query is embedded like a label of the bundle's label bank (its prompt templates,
// averaged), so searching a label's own text ranks windows by the score their tag has.
// Only vectors of the searched bundles' models are compared (same space as the query).
//
// A user with fewer than `min_indexed` vectors of a model is scanned exactly. Above that a
// FAISS index (vector_index.h) built from the stored vectors proposes a shortlist that is
// re-ranked exactly from the store; windows stored after the build are scanned exactly, and
// the index is rebuilt when they grow past `rebuild_fraction`, or at once when any of the
// user's vectors was deleted (so erased windows never come back, not even as candidates).
// Thread-safe: indexes are built and swapped under a lock; a search holds its own copy.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "storage/embedding_store.h"
#include "tagger/search/vector_index.h"

namespace imu2clip {

class LogStore;
class TextTower;
struct ModelBundle;

// Builds the query's text tower from a bundle's (id, params). The default, make_text_tower,
// knows the offline towers; callers that link the model library pass build_text_tower
// (tagger/model/text_towers.h), which also runs CLIP's TorchScript tower.
using TextTowerFactory = std::function<std::unique_ptr<TextTower>(const std::string&, const nlohmann::json&)>;

struct WindowSearchOptions {
  TextTowerFactory make_tower;       // null = make_text_tower
  int64_t min_indexed = 50'000;      // fewer vectors: exact scan
  int64_t shortlist = 256;           // index candidates re-ranked exactly (at least k)
  double rebuild_fraction = 0.2;     // windows added since the build, as a fraction of it
  VectorIndexOptions index;
};

struct SearchQuery {
  std::string text;
  int k = 10;
  TimeRange range;
};

struct SearchHit {
  float score = 0;  // cosine of the query and the window's stored embedding
  WindowDetails window;
};

struct SearchResult {
  std::vector<SearchHit> hits;       // best first
  std::vector<std::string> models;   // model ids searched
  std::string method;                // "exact", "index" or "none" (no stored vectors)
  int64_t vectors = 0;               // the user's vectors of the searched models
};

class WindowSearch {
 public:
  // Searches the windows of `bundles` (e.g. the IMU and the audio model); bundles whose text
  // tower differs from the first one's live in another space and are left out.
  explicit WindowSearch(const std::vector<std::shared_ptr<const ModelBundle>>& bundles,
                        WindowSearchOptions options = {});
  ~WindowSearch();

  // Ranks the user's windows for the query. InvalidInput for empty text or k < 1.
  SearchResult search(LogStore& store, int64_t user_id, const SearchQuery& query);
  // The same with an already embedded (unit) query of the tower's dim.
  SearchResult search_vector(LogStore& store, int64_t user_id, const std::vector<float>& query, int k,
                             const TimeRange& range = {});

  const std::vector<std::string>& model_ids() const { return model_ids_; }
  const TextTower& tower() const { return *tower_; }
  // The query's unit embedding (prompt-ensembled through the tower).
  std::vector<float> embed_query(const std::string& text) const;

 private:
  struct Built;
  std::shared_ptr<const Built> index_for(LogStore& store, int64_t user_id, const EmbeddingModel& model,
                                         const EmbeddingStore::Counts& counts);
  std::vector<std::pair<int64_t, float>> rank_model(LogStore& store, int64_t user_id, const EmbeddingModel& model,
                                                    const float* query, int k, const TimeRange& range,
                                                    std::string& method);

  WindowSearchOptions options_;
  std::unique_ptr<TextTower> tower_;
  std::vector<std::string> templates_;
  std::vector<std::string> model_ids_;
  std::mutex mutex_;
  std::map<std::pair<int64_t, int64_t>, std::shared_ptr<const Built>> indexes_;  // (user, model ref)
};

// Builds an index over the user's stored vectors of one model (exposed for the benchmark).
std::unique_ptr<VectorIndex> build_vector_index(EmbeddingStore& store, int64_t user_id, const EmbeddingModel& model,
                                                int64_t n, const VectorIndexOptions& options);

}  // namespace imu2clip
