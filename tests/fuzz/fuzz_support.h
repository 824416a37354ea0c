#pragma once
// Shared by the fuzz targets: the input as a file for readers that take a path, and the checks
// that turn a broken invariant into a crash libFuzzer reports (assert() is compiled out in
// Release, these are not).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"

namespace imu2clip::fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
  std::abort();
}

#define FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::imu2clip::fuzz::fail(#cond, __FILE__, __LINE__))

// A path private to this process (parallel fuzz jobs must not share it) on a RAM disk when
// there is one: the readers under test take file paths, and every execution rewrites the file.
// It is removed at exit, so replays in CI leave nothing behind.
inline std::string scratch_path(const std::string& suffix) {
  const char* dir = std::getenv("TMPDIR");
  std::string base = dir && *dir ? dir : (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
  static std::vector<std::string> paths;
  if (paths.empty()) {
    std::atexit([] {
      std::error_code ec;
      for (const auto& p : paths) std::filesystem::remove_all(p, ec);
    });
  }
  paths.push_back(base + "/imu2clip_fuzz_" + std::to_string(getpid()) + suffix);
  return paths.back();
}

inline std::string write_scratch(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) fail("cannot write the scratch file", __FILE__, __LINE__);
  return path;
}

// A parser's refusal: the project's Error, which must say what is wrong.
inline void check_error(const Error& e) {
  FUZZ_CHECK(!e.message().empty());
}

}  // namespace imu2clip::fuzz
