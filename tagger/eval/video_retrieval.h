#pragma once
// IMU<->video retrieval (IMU2CLIP Table 2): Ego4D narration windows paired with the video frame
// embedding nearest in time (as pretraining pairs them, `embed-video` writes them), then every
// window's IMU embedding ranked against all paired frames (IMU->video) and every frame against all
// windows (video->IMU). The paper's strict protocol: pair i's only positive is pair i. Torch-free.
#include <cstdint>
#include <vector>

#include "tagger/dataset/narration_windows.h"
#include "tagger/eval/metrics.h"

namespace imu2clip {

class WindowEncoder;

struct VideoRetrievalReport {
  int64_t n = 0;               // pairs in the pool (n x n similarities)
  int64_t windows = 0;         // narration windows before pairing
  int64_t videos = 0;          // distinct videos among the pairs
  RetrievalMetrics imu_to_video, video_to_imu;
};

// imu, video: n x dim unit rows, row i of each is pair i. Scores in blocks of rows, never n x n at once.
// Throws Error(InvalidInput) for sizes that do not match or fewer than 2 pairs.
VideoRetrievalReport video_retrieval_metrics(const std::vector<float>& imu, const std::vector<float>& video, int dim);

// Pairs, encodes and scores. Throws Error(InvalidInput) when the encoder's window or dimension differs
// from the windows' or the frames', or when fewer than 2 windows have a frame within max_distance_s.
VideoRetrievalReport evaluate_video_retrieval(WindowEncoder& encoder, const NarrationWindows& windows,
                                              const VideoEmbeddings& video, double max_distance_s = 1.0);

}  // namespace imu2clip
