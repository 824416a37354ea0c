#include "storage/log_store.h"

#include "storage/schema.h"

namespace imu2clip {

LogStore::LogStore(const std::string& path, DatabaseOptions options) : db_(path, options) {
  schema_version_ = migrate(db_);
}

int64_t LogStore::count(const std::string& table) { return count_rows(db_, table); }

}  // namespace imu2clip
