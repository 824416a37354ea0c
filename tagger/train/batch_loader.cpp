#include "tagger/train/batch_loader.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "tagger/train/augment.h"

namespace imu2clip {

int64_t batches_per_epoch(size_t windows, const BatchPlanOptions& plan) {
  const auto b = static_cast<size_t>(plan.batch_size);
  int64_t n = static_cast<int64_t>(plan.drop_last ? windows / b : (windows + b - 1) / b);
  // An epoch of fewer windows than one batch still trains on what there is.
  if (n == 0 && windows >= 2) n = 1;
  return plan.max_batches > 0 ? std::min(n, plan.max_batches) : n;
}

std::vector<int64_t> shard_batches(size_t windows, const BatchPlanOptions& plan) {
  const int64_t n = batches_per_epoch(windows, plan);
  std::vector<int64_t> out;
  const bool whole = plan.shard_whole_batches && plan.shard_count > 1;
  for (int64_t i = 0; i < n; ++i)
    if (!whole || i % plan.shard_count == plan.shard_index) out.push_back(i);
  return out;
}

std::vector<size_t> epoch_order(const TrainingData& data, const BatchPlanOptions& plan, uint64_t seed, int64_t epoch) {
  std::vector<size_t> order(data.size());
  std::iota(order.begin(), order.end(), size_t{0});
  if (!plan.shuffle) return order;
  TrainRng rng = derive_rng(seed, 0x5u, static_cast<uint64_t>(epoch));
  auto shuffle = [&rng](std::vector<size_t>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
  };
  const size_t n_sources = data.sources.size();
  if (plan.dataset_balance >= 1 || n_sources < 2 || data.source.size() != data.size()) {
    shuffle(order);
    return order;
  }
  std::vector<std::vector<size_t>> by_source(n_sources);
  for (size_t i = 0; i < data.size(); ++i) by_source[static_cast<size_t>(data.source[i])].push_back(i);
  std::vector<double> weight(n_sources, 0.0);
  double total = 0;
  for (size_t k = 0; k < n_sources; ++k) {
    if (!by_source[k].empty()) weight[k] = std::pow(static_cast<double>(by_source[k].size()), plan.dataset_balance);
    total += weight[k];
  }
  order.clear();
  double carried = 0;   // keeps the shares summing to exactly data.size()
  for (size_t k = 0; k < n_sources; ++k) {
    if (by_source[k].empty()) continue;
    const double want = static_cast<double>(data.size()) * weight[k] / total + carried;
    const size_t take = static_cast<size_t>(std::floor(want));
    carried = want - static_cast<double>(take);
    std::vector<size_t> pool;
    while (pool.size() < take) {
      std::vector<size_t> round = by_source[k];
      shuffle(round);
      pool.insert(pool.end(), round.begin(), round.end());
    }
    order.insert(order.end(), pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(take));
  }
  while (order.size() < data.size()) order.push_back(order[rng.below(order.size())]);
  shuffle(order);
  return order;
}

BatchLoader::BatchLoader(const TrainingData& data, const TextTargets& targets, const AugmentOptions& augment,
                         BatchPlanOptions plan, uint64_t seed, int64_t epoch, int prefetch)
    : data_(data), targets_(targets), augment_(augment), plan_(plan), seed_(seed), epoch_(epoch),
      prefetch_(static_cast<size_t>(std::max(1, prefetch))) {
  order_ = epoch_order(data, plan_, seed_, epoch_);
  indices_ = shard_batches(data.size(), plan_);
  batches_ = static_cast<int64_t>(indices_.size());
  thread_ = std::thread([this] { run(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

TrainBatch BatchLoader::assemble(int64_t index) const {
  TrainBatch b;
  b.index = index;
  size_t begin = static_cast<size_t>(index) * plan_.batch_size;
  size_t end = std::min(order_.size(), begin + plan_.batch_size);
  if (plan_.shard_count > 1 && !plan_.shard_whole_batches) {
    const size_t slice = static_cast<size_t>(plan_.batch_size / plan_.shard_count);
    begin = std::min(end, begin + slice * plan_.shard_index);
    end = std::min(end, begin + slice);
  }
  b.size = static_cast<int>(end - begin);
  const size_t floats = static_cast<size_t>(data_.channels) * data_.samples;
  b.imu.resize(b.size * floats);
  if (data_.has_video()) b.video_row.resize(b.size);
  for (int k = 0; k < b.size; ++k) {
    // One generator per position in the epoch: a window is augmented the same way whichever
    // rank (and however many ranks) assemble it.
    TrainRng rng = derive_rng(seed_, 0xA1u, static_cast<uint64_t>(epoch_), begin + k);
    const size_t i = order_[begin + k];
    b.window.push_back(i);
    float* dst = b.imu.data() + k * floats;
    std::copy(data_.window(i), data_.window(i) + floats, dst);
    if (plan_.augment && augment_.any()) augment_window(dst, data_.samples, augment_, rng, data_.rate_hz);
    const int text = data_.text[i];
    const int count = targets_.count[text];
    const int pick = plan_.random_template && count > 1 ? static_cast<int>(rng.below(count)) : 0;
    b.target_row.push_back(targets_.offset[text] + pick);
    b.text.push_back(text);
    if (data_.has_video()) b.video_row[k] = data_.video[i];
  }
  return b;
}

void BatchLoader::run() {
  for (const int64_t index : indices_) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || queue_.size() < prefetch_; });
      if (stop_) return;
    }
    bool failed = false;
    try {
      TrainBatch b = assemble(index);
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(b));
      ++produced_;
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      failure_ = std::current_exception();
      produced_ = batches_;
      failed = true;
    }
    cv_.notify_all();
    if (failed) return;
  }
}

std::optional<TrainBatch> BatchLoader::next() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [&] { return !queue_.empty() || failure_ || produced_ >= batches_; });
  wait_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failure_) std::rethrow_exception(failure_);
  if (queue_.empty()) return std::nullopt;
  TrainBatch b = std::move(queue_.front());
  queue_.pop_front();
  lock.unlock();
  cv_.notify_all();
  return b;
}

}  // namespace imu2clip
