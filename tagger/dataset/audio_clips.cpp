#include "tagger/dataset/audio_clips.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "tagger/audio/audio_file.h"
#include "tagger/audio/audio_gate.h"
#include "tagger/audio/log_mel.h"

namespace fs = std::filesystem;

namespace imu2clip {
namespace {

struct Row {
  std::string clip_id, label, split;
  int fold = 0;
  size_t line = 0;
};

std::vector<Row> read_labels(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::NotFound, "cannot open the clip labels", ErrorContext{path, 0, "labels.csv"});
  std::string line;
  size_t n = 0;
  std::map<std::string, size_t> column;
  std::vector<Row> rows;
  std::vector<std::string_view> f;
  auto field = [&](const std::vector<std::string_view>& f, const char* name) -> std::string {
    return std::string(trim_view(f[column.at(name)]));
  };
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim_view(line).empty()) continue;
    split_views(line, ',', f);
    if (column.empty()) {
      for (size_t i = 0; i < f.size(); ++i) column[std::string(trim_view(f[i]))] = i;
      for (const char* required : {"clip_id", "label", "split"})
        if (!column.count(required))
          throw Error(ErrorKind::InvalidInput, std::string("header lacks the column '") + required +
                                                   "' (expected clip_id,label,source,fold,split)",
                      ErrorContext{path, 1, required});
      continue;
    }
    if (f.size() < column.size())
      throw Error(ErrorKind::InvalidInput,
                  "has " + std::to_string(f.size()) + " fields, the header " + std::to_string(column.size()),
                  ErrorContext{path, n, ""});
    Row r;
    r.line = n;
    r.clip_id = field(f, "clip_id");
    r.label = field(f, "label");
    r.split = field(f, "split");
    if (column.count("fold")) {
      const std::string fold = field(f, "fold");
      try {
        r.fold = fold.empty() ? 0 : std::stoi(fold);
      } catch (const std::exception&) {
        throw Error(ErrorKind::InvalidInput, "fold '" + fold + "' is not a number", ErrorContext{path, n, "fold"});
      }
    }
    if (r.clip_id.empty() || r.clip_id.find('/') != std::string::npos || r.clip_id.find("..") != std::string::npos)
      throw Error(ErrorKind::InvalidInput, "clip_id '" + r.clip_id + "' is not a file stem", ErrorContext{path, n, "clip_id"});
    if (r.label.empty()) throw Error(ErrorKind::InvalidInput, "the label is empty", ErrorContext{path, n, "label"});
    rows.push_back(std::move(r));
  }
  return rows;
}

// clips/<id>.<any audio extension>: the shared data is Ogg Opus, a user's own may be WAV/FLAC.
std::string clip_path(const fs::path& clips, const std::string& id) {
  for (const char* ext : {".ogg", ".opus", ".oga", ".wav", ".flac"}) {
    fs::path p = clips / (id + ext);
    if (fs::exists(p)) return p.string();
  }
  throw Error(ErrorKind::NotFound, "no audio file for clip '" + id + "' (looked for .ogg .opus .oga .wav .flac)",
              ErrorContext{clips.string(), 0, "clip_id"});
}

bool selected(const Row& r, const AudioClipOptions& o) {
  const bool all = std::find(o.splits.begin(), o.splits.end(), "all") != o.splits.end();
  if (!all && std::find(o.splits.begin(), o.splits.end(), r.split) == o.splits.end()) return false;
  if (std::find(o.exclude_folds.begin(), o.exclude_folds.end(), r.fold) != o.exclude_folds.end()) return false;
  if (!o.only_folds.empty() && std::find(o.only_folds.begin(), o.only_folds.end(), r.fold) == o.only_folds.end())
    return false;
  return true;
}

}  // namespace

AudioClipSet load_audio_clips(const std::string& dir, const AudioEncoderOptions& model,
                              const AudioClipOptions& options, bool keep_samples) {
  model.validate();
  const fs::path root(dir);
  if (!fs::is_directory(root)) throw Error(ErrorKind::NotFound, "not a folder", ErrorContext{dir, 0, "data"});
  AudioClipSet set;
  set.dataset = root.filename().string();
  if (set.dataset.empty()) set.dataset = root.parent_path().filename().string();
  if (fs::exists(root / "manifest.json")) {
    std::ifstream in(root / "manifest.json");
    const auto manifest = nlohmann::json::parse(in, nullptr, false);
    if (manifest.is_object() && manifest.contains("name") && manifest["name"].is_string())
      set.dataset = manifest["name"].get<std::string>();
  }
  std::vector<Row> rows;
  for (auto& r : read_labels((root / "labels.csv").string()))
    if (selected(r, options)) rows.push_back(std::move(r));

  std::set<std::string> phrases;
  for (const auto& r : rows) phrases.insert(r.label);
  set.label_names.assign(phrases.begin(), phrases.end());
  const LogMelFrontEnd front_end(model.front_end);
  const int window = model.window_samples;
  set.n_mels = model.front_end.n_mels;
  set.frames = front_end.frames(window);
  const size_t per_clip = static_cast<size_t>(set.n_mels) * static_cast<size_t>(set.frames);
  const size_t n = rows.size();
  set.log_mels.assign(n * per_clip, 0.f);
  if (keep_samples) set.samples.assign(n * static_cast<size_t>(window), 0.f);
  set.rms_dbfs.assign(n, 0.f);
  std::vector<char> quiet(n, 0);

  const fs::path clips = root / "clips";
  std::atomic<size_t> next{0}, done{0};
  std::mutex error_mutex, progress_mutex;
  std::string first_error;
  ErrorKind first_kind = ErrorKind::Corrupt;
  auto worker = [&] {
    std::vector<float> padded(static_cast<size_t>(window));
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        const AudioClip clip = read_audio_file(clip_path(clips, rows[i].clip_id), model.sample_rate_hz());
        std::fill(padded.begin(), padded.end(), 0.f);
        std::copy_n(clip.samples.begin(), std::min(clip.samples.size(), padded.size()), padded.begin());
        front_end.compute(padded.data(), window, set.log_mels.data() + i * per_clip);
        const GateResult g = gate_window(padded.data(), window, model.gate);
        set.rms_dbfs[i] = static_cast<float>(g.rms_dbfs);
        quiet[i] = g.quiet;
        if (keep_samples) std::copy(padded.begin(), padded.end(), set.samples.begin() + static_cast<long>(i) * window);
      } catch (const Error& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (first_error.empty()) {
          first_error = e.what();
          first_kind = e.kind();
        }
        next = n;
      }
      const size_t d = done.fetch_add(1) + 1;
      if (options.progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress(d, n);
      }
    }
  };
  const int threads = options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (int t = 0; t < std::min<int>(threads, static_cast<int>(std::max<size_t>(n, 1))); ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (!first_error.empty()) throw Error(first_kind, first_error, ErrorContext{dir, 0, "clips"});

  for (size_t i = 0; i < n; ++i) {
    set.clip_ids.push_back(rows[i].clip_id);
    set.labels.push_back(static_cast<int>(
        std::lower_bound(set.label_names.begin(), set.label_names.end(), rows[i].label) - set.label_names.begin()));
    set.folds.push_back(rows[i].fold);
    set.splits.push_back(rows[i].split);
    set.quiet.push_back(quiet[i] != 0);
  }
  return set;
}

AudioClipSet restrict_labels(const AudioClipSet& set, const std::vector<std::string>& labels) {
  AudioClipSet out;
  out.dataset = set.dataset;
  out.label_names = labels;
  out.n_mels = set.n_mels;
  out.frames = set.frames;
  const size_t per_clip = static_cast<size_t>(set.n_mels) * static_cast<size_t>(set.frames);
  const size_t window = set.size() ? set.samples.size() / set.size() : 0;
  for (size_t i = 0; i < set.size(); ++i) {
    const auto it = std::find(labels.begin(), labels.end(), set.label_names[static_cast<size_t>(set.labels[i])]);
    if (it == labels.end()) continue;
    out.clip_ids.push_back(set.clip_ids[i]);
    out.labels.push_back(static_cast<int>(it - labels.begin()));
    out.folds.push_back(set.folds[i]);
    out.splits.push_back(set.splits[i]);
    out.rms_dbfs.push_back(set.rms_dbfs[i]);
    out.quiet.push_back(set.quiet[i]);
    out.log_mels.insert(out.log_mels.end(), set.log_mel(i), set.log_mel(i) + per_clip);
    if (window)
      out.samples.insert(out.samples.end(), set.samples.begin() + static_cast<long>(i * window),
                         set.samples.begin() + static_cast<long>((i + 1) * window));
  }
  return out;
}

void append_clips(AudioClipSet& a, const AudioClipSet& b) {
  if (a.size() == 0 && a.label_names.empty()) {
    a = b;
    return;
  }
  if (a.n_mels != b.n_mels || a.frames != b.frames)
    throw Error(ErrorKind::InvalidInput, "clip sets with different front ends cannot be merged");
  std::set<std::string> all(a.label_names.begin(), a.label_names.end());
  all.insert(b.label_names.begin(), b.label_names.end());
  std::vector<std::string> merged(all.begin(), all.end());
  auto reindex = [&merged](const AudioClipSet& s, size_t i) {
    return static_cast<int>(std::lower_bound(merged.begin(), merged.end(), s.label_names[static_cast<size_t>(s.labels[i])]) -
                            merged.begin());
  };
  std::vector<int> labels;
  for (size_t i = 0; i < a.size(); ++i) labels.push_back(reindex(a, i));
  for (size_t i = 0; i < b.size(); ++i) labels.push_back(reindex(b, i));
  a.label_names = merged;
  a.labels = labels;
  a.clip_ids.insert(a.clip_ids.end(), b.clip_ids.begin(), b.clip_ids.end());
  a.folds.insert(a.folds.end(), b.folds.begin(), b.folds.end());
  a.splits.insert(a.splits.end(), b.splits.begin(), b.splits.end());
  a.rms_dbfs.insert(a.rms_dbfs.end(), b.rms_dbfs.begin(), b.rms_dbfs.end());
  a.quiet.insert(a.quiet.end(), b.quiet.begin(), b.quiet.end());
  a.log_mels.insert(a.log_mels.end(), b.log_mels.begin(), b.log_mels.end());
  a.samples.insert(a.samples.end(), b.samples.begin(), b.samples.end());
}

}  // namespace imu2clip
