#include "tagger/eval/video_retrieval.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <string>

#include "common/error.h"
#include "tagger/model/window_encoder.h"

namespace imu2clip {
namespace {

// Rows [0, n) of `queries` against all rows of `items`, in blocks; the mean metrics over all queries.
RetrievalMetrics rank_all(const std::vector<float>& queries, const std::vector<float>& items, int64_t n, int dim) {
  constexpr int64_t kBlock = 512;
  std::vector<int64_t> item_group(static_cast<size_t>(n));
  std::iota(item_group.begin(), item_group.end(), 0);
  RetrievalMetrics total;
  std::vector<float> sim;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t rows = std::min(kBlock, n - start);
    sim.assign(static_cast<size_t>(rows * n), 0.0f);
    for (int64_t q = 0; q < rows; ++q) {
      const float* a = queries.data() + (start + q) * dim;
      for (int64_t j = 0; j < n; ++j) {
        const float* b = items.data() + j * dim;
        float s = 0;
        for (int k = 0; k < dim; ++k) s += a[k] * b[k];
        sim[static_cast<size_t>(q * n + j)] = s;
      }
    }
    std::vector<int64_t> query_group(static_cast<size_t>(rows));
    std::iota(query_group.begin(), query_group.end(), start);
    const RetrievalMetrics m = retrieval_metrics(sim.data(), rows, n, query_group, item_group);
    total.r1 += m.r1 * rows;
    total.r10 += m.r10 * rows;
    total.r50 += m.r50 * rows;
    total.mrr += m.mrr * rows;
  }
  total.queries = n;
  total.r1 /= n;
  total.r10 /= n;
  total.r50 /= n;
  total.mrr /= n;
  return total;
}

}  // namespace

VideoRetrievalReport video_retrieval_metrics(const std::vector<float>& imu, const std::vector<float>& video, int dim) {
  if (dim < 1 || imu.size() != video.size() || imu.size() % static_cast<size_t>(dim) != 0) {
    throw Error(ErrorKind::InvalidInput, "IMU and video embeddings must be n x dim each", ErrorContext{"", 0, "video-emb"});
  }
  const auto n = static_cast<int64_t>(imu.size() / static_cast<size_t>(dim));
  if (n < 2) {
    throw Error(ErrorKind::InvalidInput, "IMU<->video retrieval needs at least 2 windows with a video frame",
                ErrorContext{"", 0, "video-emb"});
  }
  VideoRetrievalReport r;
  r.n = n;
  r.imu_to_video = rank_all(imu, video, n, dim);
  r.video_to_imu = rank_all(video, imu, n, dim);
  return r;
}

VideoRetrievalReport evaluate_video_retrieval(WindowEncoder& encoder, const NarrationWindows& windows,
                                              const VideoEmbeddings& video, double max_distance_s) {
  if (encoder.window_samples() != windows.samples) {
    throw Error(ErrorKind::InvalidInput,
                "the model's windows have " + std::to_string(encoder.window_samples()) + " samples, the narration "
                    "windows " + std::to_string(windows.samples),
                ErrorContext{"", 0, "window"});
  }
  const int dim = encoder.dim();
  if (video.dim() != dim) {
    throw Error(ErrorKind::InvalidInput,
                "the video embeddings have " + std::to_string(video.dim()) + " dimensions, the model's IMU embeddings " +
                    std::to_string(dim) + ": embed the frames with the CLIP model the encoder was trained against",
                ErrorContext{"", 0, "video-emb"});
  }
  std::vector<size_t> paired;
  std::vector<float> frames;
  std::set<std::string> videos;
  for (size_t i = 0; i < windows.size(); ++i) {
    if (const float* e = video.nearest(windows.video_uid[i], windows.time_s[i], max_distance_s)) {
      paired.push_back(i);
      frames.insert(frames.end(), e, e + dim);
      videos.insert(windows.video_uid[i]);
    }
  }
  const size_t per_window = static_cast<size_t>(windows.channels) * static_cast<size_t>(windows.samples);
  std::vector<float> imu(paired.size() * static_cast<size_t>(dim));
  constexpr size_t kBatch = 256;
  std::vector<float> batch;
  for (size_t start = 0; start < paired.size(); start += kBatch) {
    const size_t n = std::min(kBatch, paired.size() - start);
    batch.resize(n * per_window);
    for (size_t k = 0; k < n; ++k) {
      std::copy_n(windows.window(paired[start + k]), per_window, batch.data() + k * per_window);
    }
    encoder.encode(batch.data(), static_cast<int64_t>(n), imu.data() + start * static_cast<size_t>(dim));
  }
  // The frames as stored may not be unit length (other exporters); cosine needs them normalised.
  for (size_t i = 0; i < paired.size(); ++i) {
    float* row = frames.data() + i * static_cast<size_t>(dim);
    double ss = 0;
    for (int k = 0; k < dim; ++k) ss += double(row[k]) * row[k];
    if (ss > 0) {
      const double inv = 1.0 / std::sqrt(ss);
      for (int k = 0; k < dim; ++k) row[k] = static_cast<float>(row[k] * inv);
    }
  }
  VideoRetrievalReport r = video_retrieval_metrics(imu, frames, dim);
  r.windows = static_cast<int64_t>(windows.size());
  r.videos = static_cast<int64_t>(videos.size());
  return r;
}

}  // namespace imu2clip
