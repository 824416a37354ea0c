#pragma once
// The precompiled header of every test executable: Catch2's single header (~18k lines) and
// nlohmann/json would otherwise be parsed again by each of the ~70 test translation units.
// Built once in imu2clip_test_support and reused (imu2clip_add_test in tests/CMakeLists.txt).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
