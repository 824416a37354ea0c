#include "tagger/train/openblas_env.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace imu2clip {

bool cpu_has_avx512f() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    for (std::string w; words >> w;)
      if (w == "avx512f") return true;
    return false;
  }
  return false;
}

std::string reexec_with_runtime_env(int argc, char** argv) {
  auto current = [] {
    std::string s;
    for (const char* name : {"OPENBLAS_CORETYPE", "OMP_WAIT_POLICY"})
      if (const char* v = std::getenv(name)) s += std::string(s.empty() ? "" : ", ") + name + "=" + v;
    return s.empty() ? std::string("none set") : s;
  };
  if (std::getenv("IMU2CLIP_REEXECED")) return "re-executed with " + current();
  if (std::getenv("IMU2CLIP_NO_REEXEC")) return "re-exec disabled by IMU2CLIP_NO_REEXEC; runtime env: " + current();
  std::string added;
  if (!std::getenv("OPENBLAS_CORETYPE") && cpu_has_avx512f()) {
    setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
    added += "OPENBLAS_CORETYPE=SkylakeX (AVX-512 CPU) ";
  }
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "passive", 1);
    added += "OMP_WAIT_POLICY=passive ";
  }
  if (added.empty()) return "runtime env already set: " + current();
  setenv("IMU2CLIP_REEXECED", "1", 1);  // the child must not loop
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  execv("/proc/self/exe", args.data());
  return "re-exec to set " + added + "failed: " + std::strerror(errno);
}

}  // namespace imu2clip
