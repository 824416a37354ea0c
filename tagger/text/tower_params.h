#pragma once
// Validation of text tower params JSON: every bad value throws Error(InvalidInput) naming the
// tower and the key, so a hand-edited bundle says exactly what is wrong.
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace imu2clip::tower_params {

[[noreturn]] void fail(const std::string& tower_id, const std::string& key, const std::string& what);
// Throws unless `params` is null or an object.
void require_object(const std::string& tower_id, const nlohmann::json& params);
int int_in_range(const std::string& tower_id, const std::string& key, const nlohmann::json& v, int lo, int hi);
uint64_t seed(const std::string& tower_id, const std::string& key, const nlohmann::json& v);
double number_in_range(const std::string& tower_id, const std::string& key, const nlohmann::json& v, double lo,
                       double hi);
std::string string(const std::string& tower_id, const std::string& key, const nlohmann::json& v);
// 16 lowercase hex digits, the text form of a 64-bit stable hash.
std::string hex64(uint64_t value);

}  // namespace imu2clip::tower_params
