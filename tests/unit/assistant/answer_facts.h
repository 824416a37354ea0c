#pragma once
// The fact of one type in an answer's facts (AskResult, BuiltinAnswer), or nullptr: tests
// REQUIRE it before reading it, and CHECK(!fact(...)) that an answer has none.
#include <string>

#include <nlohmann/json.hpp>

namespace imu2clip::test {

template <class Answer>
const nlohmann::json* fact(const Answer& answer, const std::string& type) {
  for (const auto& f : answer.facts) {
    if (f.value("type", "") == type) return &f;
  }
  return nullptr;
}

}  // namespace imu2clip::test
