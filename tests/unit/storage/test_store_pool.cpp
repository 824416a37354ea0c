// StorePool: the one pool of connections the server and the assistant share.
#include <catch2/catch.hpp>

#include <set>
#include <thread>
#include <vector>

#include "storage/store_pool.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

TEST_CASE("A returned connection is lent again, concurrent borrowers get their own", "[storage][pool]") {
  const std::string path = imu2clip::test::make_temp_dir("store-pool") + "/log.db";
  StorePool pool(path);
  CHECK(pool.db_path() == path);
  LogStore* first = nullptr;
  {
    auto lease = pool.borrow();
    first = &*lease;
    lease->users().ensure("ana", "UTC");
  }
  {
    auto again = pool.borrow();
    CHECK(&*again == first);  // the idle connection, not a new one
    auto other = pool.borrow();
    CHECK(&*other != first);  // the first is lent out
    CHECK(other->users().find("ana"));
  }
  pool.close_idle();
  CHECK(pool.borrow()->users().find("ana"));  // reopened after closing
}

TEST_CASE("Threads borrowing at once each write through their own connection", "[storage][pool][concurrency]") {
  const std::string path = imu2clip::test::make_temp_dir("store-pool-threads") + "/log.db";
  StorePool pool(path);
  pool.borrow();  // creates and migrates the file before the threads race to open it
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&pool, i] {
      for (int k = 0; k < 10; ++k) {
        auto store = pool.borrow();
        store->users().ensure("user" + std::to_string(i) + "-" + std::to_string(k), "UTC");
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(pool.borrow()->count("users") == 40);
}
