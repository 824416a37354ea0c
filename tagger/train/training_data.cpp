#include "tagger/train/training_data.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "common/error.h"
#include "tagger/text/text_tower.h"

namespace imu2clip {

std::vector<std::string> TrainingData::label_texts() const {
  std::vector<std::string> out;
  for (size_t t = 0; t < texts.size(); ++t)
    if (text_is_label[t]) out.push_back(texts[t]);
  std::sort(out.begin(), out.end());
  return out;
}

TrainingData training_data_from_labels(const LabelledWindows& w) {
  TrainingData d;
  d.channels = w.channels;
  d.samples = w.samples;
  d.rate_hz = w.rate_hz;
  d.texts = w.labels;
  d.text_is_label.assign(w.labels.size(), 1);
  d.sources = {w.dataset};
  const size_t floats = static_cast<size_t>(w.channels) * w.samples;
  size_t kept = 0;
  for (size_t i = 0; i < w.size(); ++i) kept += w.label[i] >= 0;
  d.windows.reserve(kept * floats);
  for (size_t i = 0; i < w.size(); ++i) {
    if (w.label[i] < 0) continue;
    d.text.push_back(w.label[i]);
    d.source.push_back(0);
    d.windows.insert(d.windows.end(), w.window(i), w.window(i) + floats);
  }
  return d;
}

TrainingData training_data_from_narrations(const NarrationWindows& w, const VideoEmbeddings* video,
                                           double max_video_distance_s) {
  TrainingData d;
  d.channels = w.channels;
  d.samples = w.samples;
  d.rate_hz = w.rate_hz;
  d.windows = w.data;
  d.sources = {"ego4d"};
  d.source.assign(w.size(), 0);
  std::map<std::string, int> index;
  for (size_t i = 0; i < w.size(); ++i) {
    auto [it, inserted] = index.emplace(w.text[i], static_cast<int>(d.texts.size()));
    if (inserted) {
      d.texts.push_back(w.text[i]);
      d.text_is_label.push_back(0);
    }
    d.text.push_back(it->second);
  }
  if (video && video->size() > 0) {
    d.video_dim = video->dim();
    d.video.assign(w.size(), -1);
    for (size_t i = 0; i < w.size(); ++i) {
      if (const float* e = video->nearest(w.video_uid[i], w.time_s[i], max_video_distance_s)) {
        d.video[i] = static_cast<int>(d.video_embeddings.size() / d.video_dim);
        d.video_embeddings.insert(d.video_embeddings.end(), e, e + d.video_dim);
      }
    }
  }
  return d;
}

void append_training_data(TrainingData& into, const TrainingData& more) {
  if (into.size() == 0 && into.texts.empty()) {
    into = more;
    return;
  }
  if (more.size() == 0) return;
  if (into.channels != more.channels || into.samples != more.samples || into.rate_hz != more.rate_hz)
    throw Error(ErrorKind::InvalidInput, "training sources were windowed differently; use one --rate and --window",
                ErrorContext{"", 0, "window"});
  if (into.has_video() && more.has_video() && into.video_dim != more.video_dim)
    throw Error(ErrorKind::InvalidInput, "video embeddings of different sizes", ErrorContext{"", 0, "video-emb"});
  std::map<std::string, int> index;
  for (size_t t = 0; t < into.texts.size(); ++t) index[into.texts[t]] = static_cast<int>(t);
  std::vector<int> remap(more.texts.size());
  for (size_t t = 0; t < more.texts.size(); ++t) {
    auto [it, inserted] = index.emplace(more.texts[t], static_cast<int>(into.texts.size()));
    if (inserted) {
      into.texts.push_back(more.texts[t]);
      into.text_is_label.push_back(more.text_is_label[t]);
    } else if (more.text_is_label[t]) {
      into.text_is_label[it->second] = 1;
    }
    remap[t] = it->second;
  }
  const size_t old_size = into.size();
  for (int t : more.text) into.text.push_back(remap[t]);
  std::vector<int> source_remap(more.sources.size());
  for (size_t k = 0; k < more.sources.size(); ++k) {
    const auto it = std::find(into.sources.begin(), into.sources.end(), more.sources[k]);
    source_remap[k] = static_cast<int>(it - into.sources.begin());
    if (it == into.sources.end()) into.sources.push_back(more.sources[k]);
  }
  for (int k : more.source) into.source.push_back(source_remap[static_cast<size_t>(k)]);
  into.windows.insert(into.windows.end(), more.windows.begin(), more.windows.end());
  if (into.has_video() || more.has_video()) {
    if (!into.has_video()) into.video_dim = more.video_dim;
    into.video.resize(old_size, -1);
    const int row_offset = static_cast<int>(into.video_embeddings.size() / into.video_dim);
    if (more.has_video()) {
      for (int v : more.video) into.video.push_back(v < 0 ? -1 : v + row_offset);
      into.video_embeddings.insert(into.video_embeddings.end(), more.video_embeddings.begin(),
                                   more.video_embeddings.end());
    } else {
      into.video.resize(into.size(), -1);
    }
  }
}

TextTargets TextTargets::build(const TextTower& tower, const std::vector<std::string>& texts,
                               const std::vector<uint8_t>& text_is_label, const std::vector<std::string>& templates) {
  TextTargets t;
  t.dim = tower.dim();
  const std::string placeholder = "{label}";
  std::vector<std::vector<std::string>> rendered(texts.size());
  std::vector<std::string> all;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (text_is_label[i]) {
      for (const auto& tpl : templates) {
        std::string s = tpl;
        const size_t at = s.find(placeholder);
        if (at != std::string::npos) s.replace(at, placeholder.size(), texts[i]);
        rendered[i].push_back(std::move(s));
      }
    } else {
      rendered[i].push_back(texts[i]);
    }
    all.insert(all.end(), rendered[i].begin(), rendered[i].end());
  }
  // Towers that run a network (CLIP) embed a batch per forward call.
  constexpr size_t kBatch = 256;
  std::vector<std::vector<float>> embedded;
  embedded.reserve(all.size());
  for (size_t start = 0; start < all.size(); start += kBatch) {
    const auto end = all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), start + kBatch));
    for (auto& e : tower.embed_batch(std::vector<std::string>(all.begin() + static_cast<std::ptrdiff_t>(start), end))) {
      embedded.push_back(std::move(e));
    }
  }
  size_t next = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    t.offset.push_back(static_cast<int>(t.rows.size() / t.dim));
    std::vector<double> mean(t.dim, 0.0);
    for (const auto& s : rendered[i]) {
      const std::vector<float>& e = embedded.at(next++);
      if (static_cast<int>(e.size()) != t.dim)
        throw Error(ErrorKind::Internal, "text tower returned a vector of the wrong size", ErrorContext{"", 0, s});
      t.rows.insert(t.rows.end(), e.begin(), e.end());
      for (int k = 0; k < t.dim; ++k) mean[k] += e[k];
    }
    t.count.push_back(static_cast<int>(rendered[i].size()));
    double norm = 0;
    for (double v : mean) norm += v * v;
    norm = std::sqrt(norm);
    for (double v : mean) t.mean_rows.push_back(static_cast<float>(norm > 0 ? v / norm : 0.0));
  }
  return t;
}

}  // namespace imu2clip
