#pragma once
// LogStore connections for the HTTP worker threads: a LogStore is single-threaded, so each
// request borrows one and gives it back; idle connections are kept for the next request.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/log_store.h"

namespace imu2clip::server {

class StorePool {  // thread-safe
 public:
  explicit StorePool(std::string db_path) : db_path_(std::move(db_path)) {}

  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<LogStore> store) : pool_(&pool), store_(std::move(store)) {}
    Lease(Lease&&) = default;
    ~Lease() { if (store_) pool_->give_back(std::move(store_)); }
    LogStore& operator*() { return *store_; }
    LogStore* operator->() { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<LogStore> store_;
  };

  Lease borrow();
  // Closes the idle connections (at shutdown, after the workers are done).
  void close_idle();

 private:
  void give_back(std::unique_ptr<LogStore> store);
  std::string db_path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<LogStore>> idle_;
};

}  // namespace imu2clip::server
