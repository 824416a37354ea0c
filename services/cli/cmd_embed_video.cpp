// imu2clip embed-video: frame images (ROOT/<video_uid>/<time_ms>.jpg|png) through a CLIP image tower
// into the video-embedding file `pretrain --video-emb` reads (tagger/model/video_frames.h).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "common/error.h"
#include "services/cli/commands.h"
#include "services/cli/progress_bar.h"
#include "tagger/model/clip_towers.h"
#include "tagger/model/safetensors.h"
#include "tagger/model/video_frames.h"

namespace imu2clip::cli {

Runner add_embed_video_command(CLI::App& app) {
  struct Args {
    std::string clip, frames, out;
    int batch = 32;
    bool no_progress = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("embed-video",
                                 "Embed video frames with a CLIP image tower for pretrain --video-emb");
  cmd->add_option("--clip", a->clip, "CLIP folder written by scripts/export_clip.py")->required();
  cmd->add_option("--frames", a->frames, "Frame tree: ROOT/<video_uid>/<time_ms>.jpg|png")->required();
  cmd->add_option("--out", a->out, "safetensors file to write (tensors named <video_uid>@<time_ms>)")->required();
  cmd->add_option("--batch", a->batch, "Frames per image tower call")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd->add_flag("--no-progress", a->no_progress, "No progress output");
  return [a]() -> int {
    const auto frames = list_video_frames(a->frames);
    const ClipImageTower tower(a->clip);
    ProgressBar bar(stderr, ProgressBar::stderr_is_tty(), "frame", "frame");
    ProgressState state;
    state.items_total = state.units_total = static_cast<int64_t>(frames.size());
    const auto file = embed_video_frames(tower, frames, a->batch, [&](size_t done, size_t) {
      if (a->no_progress) return;
      state.items_done = state.units_done = static_cast<int64_t>(done);
      bar.update(state);
    });
    if (!a->no_progress) bar.finish();
    write_safetensors(a->out, file);
    std::fprintf(stderr, "embed-video: %zu frames of %s -> %s (%d dimensions, %s)\n", frames.size(), a->frames.c_str(),
                 a->out.c_str(), tower.dim(), tower.config().model.c_str());
    return 0;
  };
}

}  // namespace imu2clip::cli
