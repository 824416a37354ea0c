#pragma once
// Window embeddings kept for search (tables embedding_models, window_embeddings): fp16 vectors
// written with their windows by RecordingStore::append_windows, read back here per user and
// model. A vector goes with its window, so erasing a recording, a period or an account erases
// its vectors (foreign keys).
// A view over one open Database: cheap to construct, used from the connection's thread only.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace imu2clip {

class Database;

// A model whose windows have stored vectors: its row id in embedding_models, model_id and dim.
struct EmbeddingModel {
  int64_t ref = 0;
  std::string model_id;
  int dim = 0;
};

// What a search hit shows of a window besides its score.
struct WindowDetails {
  int64_t window_id = 0;
  int64_t recording_id = 0;
  std::string model_id;
  std::string modality;
  double start_s = 0;  // from the recording's start
  double end_s = 0;
  std::optional<int64_t> start_utc_ms;  // nullopt when the recording's wall-clock start is unknown
  std::optional<int64_t> end_utc_ms;
  std::string top_label;  // best label ("" for none)
  float top_score = 0;
  // The log line that covers the window (the latest line of its recording starting no later
  // than the window's end), "" when the recording has no line there yet.
  std::string log_line;
};

// Optional wall-clock bounds [from, to) a window must overlap; windows of recordings with an
// unknown start never match a bounded query.
struct TimeRange {
  std::optional<int64_t> from_utc_ms;
  std::optional<int64_t> to_utc_ms;
  bool bounded() const { return from_utc_ms.has_value() || to_utc_ms.has_value(); }
};

class EmbeddingStore {
 public:
  explicit EmbeddingStore(Database& db) : db_(db) {}

  // Models with stored vectors, by model_id (empty when none).
  std::optional<EmbeddingModel> model(const std::string& model_id);
  // Every model that has stored vectors.
  std::vector<EmbeddingModel> models();
  // Registers a model (or checks its dim against the registered one: InvalidInput on a
  // mismatch) and returns its ref. Joins the caller's transaction.
  int64_t register_model(const std::string& model_id, int dim);

  // Number of the user's vectors of this model, and how many of them were ever deleted (an
  // index built when `deleted` was lower may hold erased vectors).
  struct Counts {
    int64_t stored = 0;
    int64_t deleted = 0;
  };
  Counts counts(int64_t user_id, int64_t model_ref);
  // Largest window id among them (0 when none): new windows have larger ids, so an index built
  // up to this id is completed by scanning past it.
  int64_t max_window_id(int64_t user_id, int64_t model_ref);

  // Calls `row(window_id, vec_f16)` for each of the user's vectors of the model with
  // window_id > after_window_id, by window id, that overlaps `range`; vec_f16 holds dim values
  // and is valid during the call only. Stops early when `row` returns false.
  using RowFn = std::function<bool(int64_t window_id, const uint16_t* vec_f16)>;
  void scan(int64_t user_id, const EmbeddingModel& model, int64_t after_window_id, const TimeRange& range,
            const RowFn& row);
  // The stored vector of the user's window (nullopt when absent, deleted or another user's).
  std::optional<std::vector<uint16_t>> vector(int64_t user_id, const EmbeddingModel& model, int64_t window_id);

  // Times, labels and log line of the user's windows, in the order given; windows that are
  // absent or another user's are left out.
  std::vector<WindowDetails> details(int64_t user_id, const std::vector<int64_t>& window_ids);
  // Whether the user's window overlaps the range (false when absent).
  bool in_range(int64_t user_id, int64_t window_id, const TimeRange& range);

 private:
  Database& db_;
};

}  // namespace imu2clip
