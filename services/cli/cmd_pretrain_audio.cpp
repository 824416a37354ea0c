#include "services/cli/pretrain_audio.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "common/time/duration_format.h"
#include "services/cli/interrupt.h"
#include "services/cli/progress_bar.h"
#include "tagger/dataset/audio_clips.h"
#include "tagger/model/text_towers.h"
#include "tagger/text/text_tower.h"
#include "tagger/train/audio_trainer.h"

namespace imu2clip::cli {
namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

int run_audio_pretrain(const AudioPretrainArgs& a, const std::function<void(const std::string&)>& info) {
  if (a.data.empty())
    throw Error(ErrorKind::InvalidInput, "give training clips: --data CLIP_FOLDER (clips/ + labels.csv)",
                ErrorContext{"", 0, "data"});
  nlohmann::json params;
  try {
    params = nlohmann::json::parse(a.tower_params);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::InvalidInput, std::string("not valid JSON: ") + e.what(), ErrorContext{"", 0, "tower-params"});
  }
  auto tower = build_text_tower(a.tower, params);

  AudioTrainSetup setup;
  setup.encoder.embed_dim = tower->dim();
  setup.tower = tower.get();
  setup.templates = default_sound_templates();
  setup.options = a.train;
  setup.augment = AudioAugmentOptions::parse(a.augment);
  setup.options.validate();

  AudioClipSet train, val;
  for (const auto& dir : a.data) {
    const auto start = std::chrono::steady_clock::now();
    AudioClipOptions o;
    o.splits = {"train"};
    o.exclude_folds = a.val_folds;
    append_clips(train, load_audio_clips(dir, setup.encoder, o));
    if (!a.val_split.empty() && a.val_split != "none") {
      AudioClipOptions v;
      v.splits = {a.val_split};
      append_clips(val, load_audio_clips(dir, setup.encoder, v));
    }
    if (!a.val_folds.empty()) {
      AudioClipOptions v;
      v.splits = {"train"};
      v.only_folds = a.val_folds;
      append_clips(val, load_audio_clips(dir, setup.encoder, v));
    }
    info(dir + ": " + std::to_string(train.size()) + " training clips, " + std::to_string(val.size()) +
         " validation clips so far (" +
         fmt("%.1f", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()) + " s)");
  }
  setup.train = &train;
  setup.val = val.size() ? &val : nullptr;
  info("training the audio encoder on " + std::to_string(train.size()) + " clips of " +
       std::to_string(train.label_names.size()) + " labels, validating on " + std::to_string(val.size()) +
       "; tower " + tower->id() + " (" + std::to_string(tower->dim()) + " d), lr " +
       fmt("%.2g", setup.options.effective_lr()) + ", batch " + std::to_string(setup.options.batch_size) + ", " +
       std::to_string(setup.options.epochs) + " epochs, augment " + setup.augment.to_string());

  std::ofstream metrics;
  if (!a.metrics.empty()) {
    metrics.open(a.metrics, std::ios::trunc);
    if (!metrics) throw Error(ErrorKind::Io, "cannot write the metrics file", ErrorContext{a.metrics, 0, "metrics"});
  }
  TrainCallbacks cb;
  cb.stop = &install_stop_handler();
  cb.log = info;
  const bool tty = ProgressBar::stderr_is_tty();
  auto last = std::chrono::steady_clock::now();
  cb.on_step = [&](const StepProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (p.step != p.steps && now - last < std::chrono::milliseconds(tty ? 200 : 10000)) return;
    last = now;
    const std::string line = "epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs) + " step " +
                             std::to_string(p.step) + "/" + std::to_string(p.steps) + " loss " +
                             fmt("%.4f", p.mean_loss) + " | " + fmt("%.0f", p.windows_per_s) + " clips/s | ETA " +
                             format_duration_compact(p.eta_s);
    if (tty) std::fprintf(stderr, "\r%s\033[K", line.c_str());
    else std::fprintf(stderr, "%s\n", line.c_str());
  };
  auto on_epoch = [&](const AudioEpochMetrics& m) {
    if (tty) std::fprintf(stderr, "\n");
    info("epoch " + std::to_string(m.epoch) + ": train loss " + fmt("%.4f", m.train_loss) +
         (std::isfinite(m.val_macro_f1)
              ? ", val accuracy " + fmt("%.3f", m.val_accuracy) + ", val macro-F1 " + fmt("%.3f", m.val_macro_f1)
              : std::string()) +
         ", " + fmt("%.0f", m.clips_per_s) + " clips/s, " + format_duration_compact(m.seconds));
    if (metrics.is_open()) {
      metrics << m.to_json().dump() << "\n";
      metrics.flush();
    }
  };
  const AudioTrainResult result = train_audio_contrastive(setup, cb, on_epoch);

  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  nlohmann::json provenance = {{"command", a.command}, {"created_utc", when}, {"data", a.data},
                               {"modality", "audio"},  {"train_split", "train"}, {"val_split", a.val_split},
                               {"val_folds", a.val_folds}};
  ModelBundle bundle = make_trained_audio_bundle(setup, result, provenance);
  save_bundle(a.out, bundle, a.fp16 ? DType::F16 : DType::F32);
  const auto& best = result.history.empty() ? AudioEpochMetrics{} : result.history[static_cast<size_t>(std::max(0, result.best_epoch - 1))];
  info("wrote " + a.out + " (audio model " + bundle.model_id + ", best epoch " + std::to_string(result.best_epoch) +
       (std::isfinite(best.val_macro_f1) ? ", val macro-F1 " + fmt("%.3f", best.val_macro_f1) : std::string()) + ", " +
       std::to_string(bundle.label_bank.size()) + " labels)");
  if (result.interrupted) {
    info("training was interrupted; the bundle holds the best completed epoch");
    return 130;
  }
  return 0;
}

}  // namespace imu2clip::cli
