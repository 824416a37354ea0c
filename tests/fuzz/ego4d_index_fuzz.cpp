// The Ego4D metadata readers (tagger/io/ego4d_index.h). The input is ego4d.json, optionally
// followed by a NUL byte and v2/annotations/narration.json. Real Ego4D metadata has missing and
// null fields, so the readers tolerate anything that parses; what does not parse, or lacks the
// "videos" array, is Error(Corrupt) naming the file.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

#include "fuzz_support.h"
#include "tagger/io/ego4d_index.h"

using namespace imu2clip;
namespace fs = std::filesystem;

namespace {

void check_narrations(const std::vector<Ego4dNarration>& list) {
  for (size_t i = 0; i < list.size(); ++i) {
    FUZZ_CHECK(std::isfinite(list[i].timestamp_sec));
    FUZZ_CHECK(list[i].pass.rfind("narration_pass", 0) == 0);
    if (i > 0) FUZZ_CHECK(list[i - 1].timestamp_sec <= list[i].timestamp_sec);  // sorted by time
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fs::path root = [] {
    fs::path r = fuzz::scratch_path("_ego4d");
    fs::create_directories(r / "v2" / "annotations");
    fs::create_directories(r / "v2" / "imu");
    return r;
  }();
  const std::string meta = (root / "ego4d.json").string();
  const std::string narration = (root / "v2" / "annotations" / "narration.json").string();

  const auto* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  const size_t meta_size = nul ? static_cast<size_t>(nul - data) : size;
  fuzz::write_scratch(meta, data, meta_size);
  std::error_code ec;
  fs::remove(narration, ec);
  if (nul) fuzz::write_scratch(narration, nul + 1, size - meta_size - 1);

  try {
    const Ego4dIndex index = load_ego4d_index(root.string());
    FUZZ_CHECK(index.root == root.string());
    // No IMU file exists under v2/imu: no video may claim one, and every video that declares
    // has_imu is listed as missing it.
    FUZZ_CHECK(index.imu_videos().empty());
    size_t declared = 0;
    for (const auto& v : index.videos) {
      FUZZ_CHECK(!v.video_uid.empty());
      FUZZ_CHECK(v.imu_path.empty());
      declared += v.has_imu;
      check_narrations(v.narrations);
    }
    FUZZ_CHECK(index.missing_imu.size() == declared);
    FUZZ_CHECK(index.narration_path.has_value() == static_cast<bool>(nul));
  } catch (const Error& e) {
    fuzz::check_error(e);
    FUZZ_CHECK(e.kind() == ErrorKind::Corrupt);
    FUZZ_CHECK(e.context().file == meta || e.context().file == narration);
  }

  if (nul) {
    try {
      int64_t skipped = -1;
      const auto by_uid = read_ego4d_narrations(narration, &skipped);
      FUZZ_CHECK(skipped >= 0);
      for (const auto& [uid, list] : by_uid) check_narrations(list);
    } catch (const Error& e) {
      fuzz::check_error(e);
      FUZZ_CHECK(e.kind() == ErrorKind::Corrupt);
      FUZZ_CHECK(e.context().file == narration);
    }
  }
  return 0;
}
