#pragma once
// Video-frame embeddings for pretraining's IMU<->video loss (`pretrain --video-emb`): every frame
// image of a folder tree through CLIP's image tower, written as the safetensors file
// VideoEmbeddings (tagger/dataset/narration_windows.h) reads, one f32 tensor per frame named
// "<video_uid>@<time_ms>".
//
// Layout: ROOT/<video_uid>/<time_ms>.(jpg|jpeg|png), the file name being the frame's time in
// milliseconds from the video's start (integer or decimal), e.g. ROOT/1a2b.../1500.jpg.
#include <functional>
#include <string>
#include <vector>

#include "tagger/model/clip_towers.h"
#include "tagger/model/safetensors.h"

namespace imu2clip {

struct VideoFrame {
  std::string video_uid;
  std::string time_ms;  // as written in the file name, so the tensor name round-trips exactly
  std::string path;
};

// Sorted by video, then time. Throws Error(NotFound) for a missing root, Error(InvalidInput) naming the
// file for an image whose name is not a time, or when the tree holds no frames. Other files are skipped.
std::vector<VideoFrame> list_video_frames(const std::string& root);

// Embeds the frames `batch` at a time; `progress(done, total)` after each batch.
SafetensorsFile embed_video_frames(const ClipImageTower& tower, const std::vector<VideoFrame>& frames, int batch,
                                   const std::function<void(size_t, size_t)>& progress = {});

}  // namespace imu2clip
