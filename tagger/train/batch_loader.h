#pragma once
// Assembles training batches on a background thread (copy, augment, pick a prompt template per
// window) while the optimiser step runs, so the step never waits on data. Torch-free: a batch
// is plain vectors the trainer wraps into tensors. Batches depend only on (seed, epoch, batch
// index), never on timing, so a resumed run replays the same batches.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tagger/train/train_options.h"
#include "tagger/train/training_data.h"

namespace imu2clip {

struct TrainBatch {
  int64_t index = 0;                // global batch number within the epoch
  int size = 0;
  std::vector<float> imu;           // size x channels x samples
  std::vector<int64_t> target_row;  // row of TextTargets::rows per window
  std::vector<int64_t> text;        // text id per window (same id = same target text)
  std::vector<int64_t> video_row;   // row of TrainingData::video_embeddings, -1 = none (empty if no video)
  std::vector<size_t> window;       // the window of TrainingData each row is
};

struct BatchPlanOptions {
  int batch_size = 64;
  bool shuffle = true;
  bool augment = true;              // apply TrainOptions::augment
  bool random_template = true;      // false: always the text's first row
  bool drop_last = true;            // a short last batch would change the negatives' count
  int64_t max_batches = 0;          // 0 = all
  double dataset_balance = 1;       // TrainOptions::dataset_balance (shuffled epochs only)
  // Data-parallel sharding over shard_count ranks. Split (training): every global batch of
  // batch_size windows is cut into shard_count equal consecutive slices and this loader yields
  // slice shard_index, so the ranks together see exactly the batches one process would.
  // Whole batches (validation): this loader yields the batches whose index % shard_count ==
  // shard_index. batch_size must divide by shard_count when splitting.
  int shard_count = 1;
  int shard_index = 0;
  bool shard_whole_batches = false;
};

// One epoch's window order: a shuffled permutation, or with dataset_balance < 1 and several
// sources, each source's share drawn (without replacement while it lasts) from its own
// shuffled windows. Deterministic in (seed, epoch). The length is always data.size().
std::vector<size_t> epoch_order(const TrainingData& data, const BatchPlanOptions& plan, uint64_t seed, int64_t epoch);

// Number of global batches an epoch has (every rank steps this often when splitting).
int64_t batches_per_epoch(size_t windows, const BatchPlanOptions& plan);

// The global batch numbers a loader with this plan yields, in order.
std::vector<int64_t> shard_batches(size_t windows, const BatchPlanOptions& plan);

class BatchLoader {
 public:
  BatchLoader(const TrainingData& data, const TextTargets& targets, const AugmentOptions& augment,
              BatchPlanOptions plan, uint64_t seed, int64_t epoch, int prefetch);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // The next batch, or nullopt at the end of the epoch. Rethrows a loader-thread failure.
  std::optional<TrainBatch> next();
  double wait_seconds() const { return wait_s_; }  // time next() spent blocked on the loader
  int64_t batches() const { return batches_; }

 private:
  void run();
  TrainBatch assemble(int64_t index) const;

  const TrainingData& data_;
  const TextTargets& targets_;
  AugmentOptions augment_;
  BatchPlanOptions plan_;
  uint64_t seed_;
  int64_t epoch_;
  size_t prefetch_;
  std::vector<size_t> order_;
  std::vector<int64_t> indices_;    // global batch numbers this loader yields
  int64_t batches_ = 0;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<TrainBatch> queue_;
  int64_t produced_ = 0;
  bool stop_ = false;
  std::exception_ptr failure_;
  double wait_s_ = 0;
  std::thread thread_;
};

}  // namespace imu2clip
