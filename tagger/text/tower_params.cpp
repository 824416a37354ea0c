#include "tagger/text/tower_params.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace imu2clip::tower_params {

void fail(const std::string& tower_id, const std::string& key, const std::string& what) {
  throw Error(ErrorKind::InvalidInput, tower_id + " tower: " + what, ErrorContext{"", 0, key});
}

void require_object(const std::string& tower_id, const nlohmann::json& params) {
  if (!params.is_null() && !params.is_object()) fail(tower_id, "", "params must be a JSON object, got " + params.dump());
}

int int_in_range(const std::string& tower_id, const std::string& key, const nlohmann::json& v, int lo, int hi) {
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
    fail(tower_id, key,
         "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
  }
  return v.get<int>();
}

uint64_t seed(const std::string& tower_id, const std::string& key, const nlohmann::json& v) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
    fail(tower_id, key, "must be a non-negative integer, got " + v.dump());
  }
  return v.get<uint64_t>();
}

double number_in_range(const std::string& tower_id, const std::string& key, const nlohmann::json& v, double lo,
                       double hi) {
  if (!v.is_number() || !(v.get<double>() >= lo) || !(v.get<double>() <= hi)) {
    fail(tower_id, key, "must be a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
  }
  return v.get<double>();
}

std::string string(const std::string& tower_id, const std::string& key, const nlohmann::json& v) {
  if (!v.is_string()) fail(tower_id, key, "must be a string, got " + v.dump());
  return v.get<std::string>();
}

std::string hex64(uint64_t value) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace imu2clip::tower_params
