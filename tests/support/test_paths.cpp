#include "tests/support/test_paths.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <vector>

namespace fs = std::filesystem;

namespace imu2clip::test {
namespace {
std::atomic<bool> g_skipped{false};
std::mutex g_mu;
std::vector<fs::path>& temp_dirs() {
  static std::vector<fs::path> dirs;
  return dirs;
}
struct Cleanup {
  ~Cleanup() {
    if (std::getenv("IMU2CLIP_KEEP_TEST_DIRS")) return;
    std::error_code ec;
    for (auto& d : temp_dirs()) fs::remove_all(d, ec);
  }
} g_cleanup;
}  // namespace

std::string source_dir() { return IMU2CLIP_SOURCE_DIR; }
std::string binary_dir() { return IMU2CLIP_BINARY_DIR; }

std::optional<std::string> shared_data_dir() {
  if (const char* env = std::getenv("IMU2CLIP_SHARED_DATA"); env && *env) {
    if (fs::is_directory(env)) return std::string(env);
    return std::nullopt;
  }
  for (const auto& cand : {fs::path(source_dir()) / ".." / "shared" / "data",
                           fs::path(source_dir()) / "shared" / "data"}) {
    if (fs::is_directory(cand)) return fs::weakly_canonical(cand).string();
  }
  return std::nullopt;
}

std::string make_temp_dir(const std::string& tag) {
  std::lock_guard<std::mutex> lock(g_mu);
  std::random_device rd;
  fs::path base = fs::path(binary_dir()) / "test-tmp";
  fs::create_directories(base);
  for (;;) {
    fs::path p = base / (tag + "-" + std::to_string(rd()));
    if (fs::create_directory(p)) {
      temp_dirs().push_back(p);
      return p.string();
    }
  }
}

void mark_skipped() { g_skipped = true; }
bool was_skipped() { return g_skipped; }

}  // namespace imu2clip::test
