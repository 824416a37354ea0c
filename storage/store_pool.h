#pragma once
// The one pool of log-database connections for multi-threaded callers (the HTTP workers and
// the assistant share it). A LogStore is single-threaded, so each task borrows one and gives it
// back; idle connections are kept for the next borrower.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/log_store.h"

namespace imu2clip {

class StorePool {  // thread-safe
 public:
  explicit StorePool(std::string db_path) : db_path_(std::move(db_path)) {}

  // A borrowed connection; it goes back to the pool when the lease ends.
  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<LogStore> store) : pool_(&pool), store_(std::move(store)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (store_) pool_->give_back(std::move(store_));
    }
    LogStore& operator*() { return *store_; }
    LogStore* operator->() { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<LogStore> store_;
  };

  // An idle connection, or a new one (opening, and on first use migrating, the file).
  Lease borrow();
  // Closes the idle connections (at shutdown, after the borrowers are done).
  void close_idle();
  const std::string& db_path() const { return db_path_; }

 private:
  void give_back(std::unique_ptr<LogStore> store);
  std::string db_path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<LogStore>> idle_;
};

}  // namespace imu2clip
