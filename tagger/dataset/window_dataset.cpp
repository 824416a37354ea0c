#include "tagger/dataset/window_dataset.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/error.h"
#include "tagger/dataset/window_cache.h"
#include "tagger/io/imu_csv.h"
#include "tagger/io/imu_dataset.h"
#include "tagger/signal/resample.h"
#include "tagger/signal/window.h"
#include "tagger/text/stable_hash.h"

namespace imu2clip {
namespace {

// Bump when the preprocessing changes, so old caches are not reused.
constexpr uint64_t kCacheFormat = 2;

void validate(const WindowDatasetOptions& o) {
  auto bad = [](const std::string& field, const std::string& msg) {
    throw Error(ErrorKind::InvalidInput, msg, ErrorContext{"", 0, field});
  };
  if (!(o.rate_hz > 0) || !std::isfinite(o.rate_hz)) bad("rate_hz", "the sample rate must be a positive number of Hz");
  if (!(o.window_s > 0)) bad("window_s", "the window length must be positive (seconds)");
  if (!(o.stride_s > 0)) bad("stride_s", "the window stride must be positive (seconds)");
  if (!(o.min_label_fraction >= 0 && o.min_label_fraction < 1))
    bad("min_label_fraction", "the label fraction must be in [0, 1)");
  if (std::lround(o.window_s * o.rate_hz) < 1) bad("window_s", "a window must hold at least one sample");
}

void hash_file_state(Fnv1a64& h, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  h.update_field(path);
  const auto size = fs::file_size(path, ec);
  h.update_u64(ec ? 0 : size);
  const auto mtime = fs::last_write_time(path, ec);
  h.update_u64(ec ? 0 : static_cast<uint64_t>(mtime.time_since_epoch().count()));
}

void hash_double(Fnv1a64& h, double v) {
  uint64_t bits;
  static_assert(sizeof bits == sizeof v);
  std::memcpy(&bits, &v, sizeof bits);
  h.update_u64(bits);
}

std::string cache_path(const ImuDataset& ds, const std::vector<const RecordingEntry*>& selected,
                       const WindowDatasetOptions& o) {
  Fnv1a64 h;
  h.update_u64(kCacheFormat);
  std::error_code ec;
  h.update_field(std::filesystem::weakly_canonical(ds.dir, ec).string());
  if (ds.manifest_path) hash_file_state(h, *ds.manifest_path);
  if (ds.labels_path) hash_file_state(h, *ds.labels_path);
  for (const auto* r : selected) hash_file_state(h, r->path);
  hash_double(h, o.rate_hz);
  hash_double(h, o.window_s);
  hash_double(h, o.stride_s);
  hash_double(h, o.min_label_fraction);
  for (const auto& s : o.splits) h.update_field(s);
  h.update_u64(o.keep_unlabelled ? 1 : 0);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h.digest()));
  return (std::filesystem::path(o.cache_dir) / (ds.name + "-" + hex + ".windows")).string();
}

struct Segment {
  double start_ms, end_ms;
  int label;
};

struct RecordingWindows {
  std::vector<float> data;
  std::vector<int> label;
  std::vector<double> start_s;
};

// The label whose segments hold the most grid samples of the window, if that is more than
// `fraction` of them. Counting samples follows labels.csv's closed-interval meaning exactly.
int majority_label(const std::vector<Segment>& segments, double first_ms, double step_ms, int samples,
                   double fraction, std::map<int, int>& counts) {
  counts.clear();
  auto it = std::lower_bound(segments.begin(), segments.end(), first_ms,
                             [](const Segment& s, double t) { return s.end_ms < t; });
  for (int k = 0; k < samples; ++k) {
    const double t = first_ms + k * step_ms;
    while (it != segments.end() && it->end_ms < t) ++it;
    if (it != segments.end() && it->start_ms <= t) ++counts[it->label];
  }
  int best = -1, best_count = 0;
  for (const auto& [label, count] : counts)
    if (count > best_count) best = label, best_count = count;
  return best_count > fraction * samples ? best : -1;
}

RecordingWindows window_recording(const RecordingEntry& rec, const std::vector<Segment>& segments,
                                  const WindowDatasetOptions& o, int samples) {
  ReadReport report;
  const ImuSeries series = read_imu_file(rec.path, &report);
  RecordingWindows out;
  if (series.size() < 2) return out;
  ResampleOptions ropt;
  ropt.target_rate_hz = o.rate_hz;
  const UniformSignal signal = resample(series, ropt);
  WindowOptions wopt;
  wopt.size_s = o.window_s;
  wopt.stride_s = o.stride_s;
  const WindowPlan plan = plan_windows(signal, wopt);
  const size_t window_floats = static_cast<size_t>(kImuChannels) * samples;
  std::map<int, int> counts;
  for (const WindowSpec& w : plan.windows) {
    if (w.status != WindowStatus::Ok) continue;
    // labels.csv times are the file's t_ms; the series clock starts at the first kept row.
    const double first_ms = w.start_s * 1000.0 + report.time_offset_ms;
    const int label = majority_label(segments, first_ms, 1000.0 / o.rate_hz, samples, o.min_label_fraction, counts);
    if (label < 0 && !o.keep_unlabelled) continue;
    const size_t at = out.data.size();
    out.data.resize(at + window_floats);
    copy_window(signal, w, samples, out.data.data() + at);
    out.label.push_back(label);
    out.start_s.push_back(w.start_s);
  }
  return out;
}

LabelledWindows build(const ImuDataset& ds, const std::vector<const RecordingEntry*>& selected,
                      const WindowDatasetOptions& o, const std::function<void(size_t, size_t)>& progress) {
  LabelledWindows result;
  result.dataset = ds.name;
  result.rate_hz = o.rate_hz;
  result.samples = static_cast<int>(std::lround(o.window_s * o.rate_hz));

  const auto rows = read_labels_csv(*ds.labels_path);
  std::set<std::string> phrases;
  for (const auto& r : rows) phrases.insert(r.label);
  result.labels.assign(phrases.begin(), phrases.end());
  std::map<std::string, std::vector<Segment>> by_recording;
  for (const auto& r : rows) {
    const int idx = static_cast<int>(std::lower_bound(result.labels.begin(), result.labels.end(), r.label) -
                                     result.labels.begin());
    by_recording[r.recording_id].push_back({r.start_ms, r.end_ms, idx});
  }
  for (auto& [id, segs] : by_recording)
    std::sort(segs.begin(), segs.end(), [](const Segment& a, const Segment& b) { return a.start_ms < b.start_ms; });

  // Parsing gzip CSVs dominates: spread recordings over the cores, merge in file order.
  std::vector<RecordingWindows> per(selected.size());
  std::atomic<size_t> next{0}, done{0};
  std::mutex progress_mutex;
  std::exception_ptr failure;
  auto worker = [&] {
    static const std::vector<Segment> kNone;
    for (size_t i; (i = next++) < selected.size();) {
      try {
        const auto found = by_recording.find(selected[i]->id);
        per[i] = window_recording(*selected[i], found == by_recording.end() ? kNone : found->second, o, result.samples);
      } catch (...) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        if (!failure) failure = std::current_exception();
        next = selected.size();
      }
      const size_t d = ++done;
      if (progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        progress(d, selected.size());
      }
    }
  };
  const size_t n_threads = std::max<size_t>(1, std::min<size_t>(std::thread::hardware_concurrency(), selected.size()));
  std::vector<std::thread> threads;
  for (size_t t = 1; t < n_threads; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);

  size_t total = 0;
  for (const auto& p : per) total += p.label.size();
  result.data.reserve(total * kImuChannels * result.samples);
  for (size_t i = 0; i < selected.size(); ++i) {
    const auto* r = selected[i];
    result.recording_ids.push_back(r->id);
    result.recording_subjects.push_back(r->subject.value_or(""));
    result.recording_splits.push_back(r->split.value_or(""));
    auto& p = per[i];
    result.data.insert(result.data.end(), p.data.begin(), p.data.end());
    result.label.insert(result.label.end(), p.label.begin(), p.label.end());
    result.start_s.insert(result.start_s.end(), p.start_s.begin(), p.start_s.end());
    result.recording.insert(result.recording.end(), p.label.size(), static_cast<int>(i));
    p = RecordingWindows{};
  }
  return result;
}

// `w` with label i renamed to labels[remap[i]]; windows whose label maps to -1 (or had none)
// keep -1 when `keep_unlabelled`, else they are dropped.
LabelledWindows relabel(const LabelledWindows& w, const std::vector<std::string>& labels,
                        const std::vector<int>& remap, bool keep_unlabelled) {
  LabelledWindows out;
  out.dataset = w.dataset;
  out.channels = w.channels;
  out.samples = w.samples;
  out.rate_hz = w.rate_hz;
  out.labels = labels;
  out.recording_ids = w.recording_ids;
  out.recording_subjects = w.recording_subjects;
  out.recording_splits = w.recording_splits;
  const size_t floats = static_cast<size_t>(w.channels) * w.samples;
  for (size_t i = 0; i < w.size(); ++i) {
    const int l = w.label[i] < 0 ? -1 : remap[static_cast<size_t>(w.label[i])];
    if (l < 0 && !keep_unlabelled) continue;
    out.label.push_back(l);
    out.recording.push_back(w.recording[i]);
    out.start_s.push_back(w.start_s[i]);
    out.data.insert(out.data.end(), w.window(i), w.window(i) + floats);
  }
  return out;
}

}  // namespace

LabelledWindows load_labelled_windows(const std::string& dataset_dir, const WindowDatasetOptions& options,
                                      const std::function<void(size_t, size_t)>& progress) {
  validate(options);
  const ImuDataset ds = list_imu_recordings(dataset_dir);
  if (!ds.manifest_path)
    throw Error(ErrorKind::InvalidInput,
                "not a dataset folder: manifest.json is missing (expected manifest.json, labels.csv and recordings/)",
                ErrorContext{dataset_dir, 0, ""});
  if (!ds.labels_path)
    throw Error(ErrorKind::NotFound, "labels.csv is missing next to manifest.json; training and evaluation need labels",
                ErrorContext{dataset_dir, 0, ""});
  std::vector<const RecordingEntry*> selected;
  for (const auto& r : ds.recordings) {
    if (!options.splits.empty() &&
        (!r.split || std::find(options.splits.begin(), options.splits.end(), *r.split) == options.splits.end()))
      continue;
    selected.push_back(&r);
  }
  std::string cache;
  if (!options.cache_dir.empty()) {
    cache = cache_path(ds, selected, options);
    if (auto cached = read_window_cache(cache)) {
      if (progress) progress(selected.size(), selected.size());
      return std::move(*cached);
    }
  }
  LabelledWindows result = build(ds, selected, options, progress);
  if (!cache.empty()) write_window_cache(cache, result);
  return result;
}

LabelledWindows filter_labels(const LabelledWindows& w, const std::vector<std::string>& keep) {
  std::vector<int> remap(w.labels.size(), -1);
  for (size_t i = 0; i < w.labels.size(); ++i) {
    const auto it = std::find(keep.begin(), keep.end(), w.labels[i]);
    if (it != keep.end()) remap[i] = static_cast<int>(it - keep.begin());
  }
  return relabel(w, keep, remap, false);
}

LabelledWindows apply_label_map(const LabelledWindows& w, const LabelMap& map, bool keep_unmapped) {
  if (!map.has_dataset(w.dataset))
    throw Error(ErrorKind::InvalidInput,
                "the label map has no rows for dataset '" + w.dataset + "'; add its labels to the map",
                ErrorContext{"", 0, "label-map"});
  std::vector<int> remap(w.labels.size(), -1);
  for (size_t i = 0; i < w.labels.size(); ++i) {
    const auto activity = map.find(w.dataset, w.labels[i]);
    if (!activity)
      throw Error(ErrorKind::InvalidInput,
                  "the label map does not list '" + w.dataset + "' label '" + w.labels[i] +
                      "'; map it to an activity or to '-'",
                  ErrorContext{"", 0, "label-map"});
    if (activity->empty()) continue;
    remap[i] = static_cast<int>(std::find(map.activities.begin(), map.activities.end(), *activity) -
                                map.activities.begin());
  }
  return relabel(w, map.activities, remap, keep_unmapped);
}

void append_windows(LabelledWindows& into, const LabelledWindows& more) {
  if (into.size() == 0 && into.recording_ids.empty()) {
    into = more;
    return;
  }
  if (into.channels != more.channels || into.samples != more.samples || into.rate_hz != more.rate_hz)
    throw Error(ErrorKind::InvalidInput, "datasets were windowed differently (rate, window length or channels); "
                                         "load them with the same options",
                ErrorContext{"", 0, more.dataset});
  std::set<std::string> merged(into.labels.begin(), into.labels.end());
  merged.insert(more.labels.begin(), more.labels.end());
  std::vector<std::string> labels(merged.begin(), merged.end());
  auto index_of = [&](const std::string& l) {
    return static_cast<int>(std::lower_bound(labels.begin(), labels.end(), l) - labels.begin());
  };
  for (int& l : into.label)
    if (l >= 0) l = index_of(into.labels[l]);
  const bool prefix = into.dataset != more.dataset;
  const int rec_offset = static_cast<int>(into.recording_ids.size());
  for (size_t r = 0; r < more.recording_ids.size(); ++r) {
    into.recording_ids.push_back(prefix ? more.dataset + "/" + more.recording_ids[r] : more.recording_ids[r]);
    into.recording_subjects.push_back(more.recording_subjects[r]);
    into.recording_splits.push_back(more.recording_splits[r]);
  }
  for (size_t i = 0; i < more.size(); ++i) {
    into.label.push_back(more.label[i] < 0 ? -1 : index_of(more.labels[more.label[i]]));
    into.recording.push_back(more.recording[i] + rec_offset);
    into.start_s.push_back(more.start_s[i]);
  }
  into.data.insert(into.data.end(), more.data.begin(), more.data.end());
  into.labels = std::move(labels);
  if (prefix && into.dataset.find(more.dataset) == std::string::npos) into.dataset += "+" + more.dataset;
}

LabelledWindows take_windows(const LabelledWindows& w, size_t max_windows) {
  if (max_windows == 0 || max_windows >= w.size()) return w;
  // Round-robin over recordings so a small slice still spans recordings and labels.
  std::vector<std::vector<size_t>> by_rec(w.recording_ids.size());
  for (size_t i = 0; i < w.size(); ++i) by_rec[w.recording[i]].push_back(i);
  std::vector<size_t> picked;
  for (size_t round = 0; picked.size() < max_windows; ++round) {
    bool any = false;
    for (const auto& list : by_rec) {
      if (round < list.size()) {
        any = true;
        picked.push_back(list[round]);
        if (picked.size() == max_windows) break;
      }
    }
    if (!any) break;
  }
  std::sort(picked.begin(), picked.end());
  LabelledWindows out = w;
  out.data.clear();
  out.label.clear();
  out.recording.clear();
  out.start_s.clear();
  const size_t floats = static_cast<size_t>(w.channels) * w.samples;
  for (size_t i : picked) {
    out.label.push_back(w.label[i]);
    out.recording.push_back(w.recording[i]);
    out.start_s.push_back(w.start_s[i]);
    out.data.insert(out.data.end(), w.window(i), w.window(i) + floats);
  }
  return out;
}

}  // namespace imu2clip
