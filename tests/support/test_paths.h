#pragma once
// Where tests find the shared data set and scratch space. Tests that need ../shared call
// shared_data_dir() and SKIP (with the reason) when it is absent: a fresh clone has no shared/.
#include <optional>
#include <string>

namespace imu2clip::test {

// $IMU2CLIP_SHARED_DATA, else <source>/../shared/data, else <source>/shared/data; nullopt if none exists.
std::optional<std::string> shared_data_dir();

// A fresh empty directory under the build tree, removed at process exit.
std::string make_temp_dir(const std::string& tag);

std::string source_dir();
std::string binary_dir();

}  // namespace imu2clip::test

// Skips the current test with a message (ctest reports it as skipped via SKIP_RETURN_CODE 4).
#define IMU2CLIP_REQUIRE_SHARED(var, sub)                                                 \
  auto var##_root = ::imu2clip::test::shared_data_dir();                                  \
  if (!var##_root) {                                                                      \
    WARN("SKIPPED: ../shared/data not found (set IMU2CLIP_SHARED_DATA to run this test)"); \
    ::imu2clip::test::mark_skipped();                                                     \
    return;                                                                               \
  }                                                                                       \
  const std::string var = *var##_root + "/" + (sub)

namespace imu2clip::test {
// Makes the test executable exit with code 4 (ctest: skipped) once all tests ran.
void mark_skipped();
bool was_skipped();
}
