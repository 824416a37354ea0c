#include "tagger/dataset/narration_windows.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <iterator>

#include "common/error.h"
#include "tagger/io/ego4d_index.h"
#include "tagger/io/imu_csv.h"
#include "tagger/model/safetensors.h"
#include "tagger/signal/resample.h"
#include "tagger/signal/window.h"

namespace imu2clip {
namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
}

}  // namespace

std::string clean_narration(const std::string& raw) {
  std::string s = raw;
  // Order matters: "#C C " names the camera wearer; a bare "#C"/"#O" tag is just a marker.
  replace_all(s, "#unsure", "something");
  replace_all(s, "#Unsure", "something");
  replace_all(s, "#C C ", " ");
  replace_all(s, "#C", " ");
  replace_all(s, "#O", " ");
  std::string out;
  bool space = true;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\'') continue;  // "person's" -> "persons", not "person s"
    if (std::isalnum(u) || u >= 0x80) {
      out += static_cast<char>(std::tolower(u));
      space = false;
    } else if (!space) {
      out += ' ';
      space = true;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

NarrationWindows load_narration_windows(const std::string& root, const NarrationWindowOptions& o,
                                        const std::function<void(size_t, size_t)>& progress) {
  if (!(o.rate_hz > 0) || !(o.window_s > 0))
    throw Error(ErrorKind::InvalidInput, "narration windows need a positive rate and window length",
                ErrorContext{root, 0, "window_s"});
  const Ego4dIndex index = load_ego4d_index(root);
  if (!index.narration_path)
    throw Error(ErrorKind::NotFound, "no narrations: expected v2/annotations/narration.json under the Ego4D root",
                ErrorContext{root, 0, ""});
  NarrationWindows out;
  out.rate_hz = o.rate_hz;
  out.samples = static_cast<int>(std::lround(o.window_s * o.rate_hz));
  std::vector<const Ego4dVideo*> videos;
  for (const Ego4dVideo* v : index.imu_videos())
    if (o.video_uids.empty() || std::find(o.video_uids.begin(), o.video_uids.end(), v->video_uid) != o.video_uids.end())
      videos.push_back(v);
  const size_t floats = static_cast<size_t>(out.channels) * out.samples;
  for (size_t vi = 0; vi < videos.size(); ++vi) {
    const Ego4dVideo& v = *videos[vi];
    if (o.max_windows && out.size() >= o.max_windows) break;
    ReadReport report;
    const ImuSeries series = read_imu_file(v.imu_path, &report);
    if (series.size() >= 2 && !v.narrations.empty()) {
      ResampleOptions ropt;
      ropt.target_rate_hz = o.rate_hz;
      const UniformSignal signal = resample(series, ropt);
      WindowOptions wopt;
      wopt.size_s = o.window_s;
      wopt.stride_s = o.window_s;
      const double rate = o.rate_hz;
      for (const Ego4dNarration& n : v.narrations) {
        if (o.max_windows && out.size() >= o.max_windows) break;
        std::string text = clean_narration(n.text);
        if (text.empty()) continue;
        // Narration times are on the video clock = the file's canonical ms; the series starts at
        // the first kept row, time_offset_ms after it.
        const double centre_s = n.timestamp_sec - report.time_offset_ms / 1000.0;
        const double start_s = centre_s - o.window_s / 2;
        const double first = std::round((start_s - signal.t0_s) * rate);
        if (first < 0 || first + out.samples > static_cast<double>(signal.size())) continue;
        WindowSpec spec;
        spec.first_sample = static_cast<size_t>(first);
        spec.start_s = signal.time_of(spec.first_sample);
        spec.end_s = spec.start_s + out.samples / rate;
        // Reuse the planner's verdict (gap / NaN / too few samples) on this one window.
        UniformSignal slice;
        slice.rate_hz = rate;
        slice.t0_s = spec.start_s;
        for (int c = 0; c < 6; ++c)
          slice.ch[c].assign(signal.ch[c].begin() + spec.first_sample,
                             signal.ch[c].begin() + spec.first_sample + out.samples);
        slice.valid.assign(signal.valid.begin() + spec.first_sample, signal.valid.begin() + spec.first_sample + out.samples);
        const WindowPlan plan = plan_windows(slice, wopt);
        if (plan.windows.empty() || plan.windows[0].status != WindowStatus::Ok) continue;
        const size_t at = out.data.size();
        out.data.resize(at + floats);
        copy_window(slice, plan.windows[0], out.samples, out.data.data() + at);
        out.text.push_back(std::move(text));
        out.video_uid.push_back(v.video_uid);
        out.time_s.push_back(n.timestamp_sec);
      }
    }
    if (progress) progress(vi + 1, videos.size());
  }
  return out;
}

VideoEmbeddings VideoEmbeddings::load(const std::string& path) {
  const SafetensorsFile file = read_safetensors(path);
  VideoEmbeddings e;
  for (const auto& [name, tensor] : file.tensors) {
    const size_t at = name.rfind('@');
    char* end = nullptr;
    const double ms = at == std::string::npos ? 0 : std::strtod(name.c_str() + at + 1, &end);
    if (at == std::string::npos || at == 0 || end == name.c_str() + at + 1 || *end != '\0')
      throw Error(ErrorKind::Corrupt, "video embedding names must be \"<video_uid>@<time_ms>\"",
                  ErrorContext{path, 0, name});
    std::vector<float> values = tensor_to_f32(tensor);
    if (e.dim_ == 0) e.dim_ = static_cast<int>(values.size());
    if (static_cast<int>(values.size()) != e.dim_ || e.dim_ == 0)
      throw Error(ErrorKind::Corrupt,
                  "every video embedding must have the same length (" + std::to_string(e.dim_) + ")",
                  ErrorContext{path, 0, name});
    e.by_video_[name.substr(0, at)].emplace_back(ms / 1000.0, std::move(values));
    ++e.count_;
  }
  for (auto& [uid, list] : e.by_video_)
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return e;
}

const float* VideoEmbeddings::nearest(const std::string& uid, double time_s, double max_distance_s) const {
  const auto found = by_video_.find(uid);
  if (found == by_video_.end() || found->second.empty()) return nullptr;
  const auto& list = found->second;
  auto it = std::lower_bound(list.begin(), list.end(), time_s,
                             [](const auto& entry, double t) { return entry.first < t; });
  const std::pair<double, std::vector<float>>* best = nullptr;
  if (it != list.end()) best = &*it;
  if (it != list.begin() && (!best || time_s - std::prev(it)->first <= best->first - time_s)) best = &*std::prev(it);
  if (!best || std::abs(best->first - time_s) > max_distance_s) return nullptr;
  return best->second.data();
}

}  // namespace imu2clip
