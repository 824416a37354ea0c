#include "tagger/io/ego4d_index.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace imu2clip {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json parse_json_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorKind::Io, "cannot open for reading", {path, 0, ""});
  try {
    return json::parse(f);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e400
    throw Error(ErrorKind::Corrupt, std::string("not valid JSON: ") + e.what(), {path, 0, ""});
  }
}

std::optional<double> number_at(const json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// A whole number that fits int64 (frame numbers, epoch milliseconds); anything else is treated
// as absent, like a null, rather than converted with undefined behaviour.
std::optional<int64_t> integer_at(const json& obj, const char* key) {
  const auto v = number_at(obj, key);
  if (!v || !std::isfinite(*v) || std::fabs(*v) >= 9.2e18) return std::nullopt;
  return static_cast<int64_t>(*v);
}

std::string string_at(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string imu_file_for(const fs::path& root, const std::string& uid) {
  for (const char* ext : {".csv", ".csv.gz"}) {
    const fs::path p = root / "v2" / "imu" / (uid + ext);
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return {};
}

}  // namespace

std::vector<const Ego4dVideo*> Ego4dIndex::imu_videos() const {
  std::vector<const Ego4dVideo*> out;
  for (const auto& v : videos)
    if (!v.imu_path.empty()) out.push_back(&v);
  return out;
}

std::map<std::string, std::vector<Ego4dNarration>> read_ego4d_narrations(const std::string& path,
                                                                         int64_t* skipped) {
  const json doc = parse_json_file(path);
  if (!doc.is_object())
    throw Error(ErrorKind::Corrupt, "expected an object {video_uid: {narration_pass_1: ...}}",
                {path, 0, ""});
  std::map<std::string, std::vector<Ego4dNarration>> out;
  int64_t bad = 0;
  for (const auto& [uid, passes] : doc.items()) {
    if (!passes.is_object()) continue;  // e.g. a redacted video's status string
    auto& list = out[uid];
    for (const auto& [pass, body] : passes.items()) {
      if (pass.rfind("narration_pass", 0) != 0 || !body.is_object()) continue;
      auto it = body.find("narrations");
      if (it == body.end() || !it->is_array()) continue;
      for (const auto& n : *it) {
        const auto t = number_at(n, "timestamp_sec");
        if (!t) {
          ++bad;
          continue;
        }
        Ego4dNarration item;
        item.timestamp_sec = *t;
        if (auto f = integer_at(n, "timestamp_frame")) item.timestamp_frame = *f;
        item.text = string_at(n, "narration_text");
        item.annotation_uid = string_at(n, "annotation_uid");
        item.pass = pass;
        list.push_back(std::move(item));
      }
    }
    std::stable_sort(list.begin(), list.end(), [](const Ego4dNarration& a, const Ego4dNarration& b) {
      return a.timestamp_sec < b.timestamp_sec;
    });
  }
  if (skipped) *skipped = bad;
  return out;
}

Ego4dIndex load_ego4d_index(const std::string& root) {
  Ego4dIndex index;
  index.root = root;
  const fs::path rootp(root);
  const std::string meta_path = (rootp / "ego4d.json").string();
  std::error_code ec;
  if (!fs::is_regular_file(meta_path, ec))
    throw Error(ErrorKind::NotFound,
                "no ego4d.json in this directory; pass the Ego4D root (the folder holding "
                "ego4d.json and v2/)",
                {meta_path, 0, ""});
  const json meta = parse_json_file(meta_path);
  const json* videos = nullptr;
  if (meta.is_object()) {
    auto it = meta.find("videos");
    if (it != meta.end() && it->is_array()) videos = &*it;
  }
  if (!videos) throw Error(ErrorKind::Corrupt, "lacks the \"videos\" array", {meta_path, 0, "videos"});

  int64_t no_uid = 0;
  for (const auto& v : *videos) {
    Ego4dVideo video;
    video.video_uid = string_at(v, "video_uid");
    if (video.video_uid.empty()) {
      ++no_uid;
      continue;
    }
    video.duration_sec = number_at(v, "duration_sec");
    if (!video.duration_sec && v.contains("video_metadata"))
      video.duration_sec = number_at(v["video_metadata"], "video_duration_sec");
    if (v.contains("x_source"))
      if (auto e = integer_at(v["x_source"], "start_epoch_ms")) video.start_epoch_ms = *e;
    const std::string file = imu_file_for(rootp, video.video_uid);
    const auto declared = v.find("has_imu");
    if (declared != v.end() && declared->is_boolean()) {
      video.has_imu = declared->get<bool>();
      if (video.has_imu && file.empty()) index.missing_imu.push_back(video.video_uid);
    } else {
      video.has_imu = !file.empty();
    }
    if (video.has_imu) video.imu_path = file;
    index.videos.push_back(std::move(video));
  }
  if (no_uid > 0)
    index.warnings.push_back(std::to_string(no_uid) + " entries of \"videos\" have no video_uid; skipped");
  if (!index.missing_imu.empty())
    index.warnings.push_back(std::to_string(index.missing_imu.size()) +
                             " videos declare has_imu but have no v2/imu/<video_uid>.csv");

  const fs::path narr = rootp / "v2" / "annotations" / "narration.json";
  if (fs::is_regular_file(narr, ec)) {
    index.narration_path = narr.string();
    int64_t skipped = 0;
    auto by_uid = read_ego4d_narrations(narr.string(), &skipped);
    if (skipped > 0)
      index.warnings.push_back(std::to_string(skipped) + " narrations without timestamp_sec skipped");
    for (auto& video : index.videos) {
      auto it = by_uid.find(video.video_uid);
      if (it != by_uid.end()) video.narrations = std::move(it->second);
    }
  }
  return index;
}

}  // namespace imu2clip
