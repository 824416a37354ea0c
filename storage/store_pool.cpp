#include "storage/store_pool.h"

namespace imu2clip {

StorePool::Lease StorePool::borrow() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      auto store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(store));
    }
  }
  return Lease(*this, std::make_unique<LogStore>(db_path_));
}

void StorePool::give_back(std::unique_ptr<LogStore> store) {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(std::move(store));
}

void StorePool::close_idle() {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.clear();
}

}  // namespace imu2clip
