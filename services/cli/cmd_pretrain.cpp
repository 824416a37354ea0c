// imu2clip pretrain: contrastive pretraining of the IMU encoder against a frozen text tower
// (IMU2CLIP §3), exported as a model bundle the tagger, evaluator and server load.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <fstream>
#include <string>
#include <vector>

#ifndef IMU2CLIP_TRAINER_ONLY
#include <spdlog/spdlog.h>
#endif

#include "common/error.h"
#include "common/strings.h"
#include "common/time/duration_format.h"
#include "services/cli/commands.h"
#include "services/cli/interrupt.h"
#include "services/cli/local_ranks.h"
#include "services/cli/pretrain_audio.h"
#include "services/cli/progress_bar.h"
#include "tagger/dataset/narration_windows.h"
#include "tagger/dataset/window_dataset.h"
#include "tagger/model/bundle.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/label_map.h"
#include "tagger/model/text_towers.h"
#include "tagger/text/text_tower.h"
#include "tagger/train/openblas_env.h"
#include "tagger/train/trainer.h"

namespace imu2clip::cli {

#ifdef IMU2CLIP_TRAINER_ONLY
// imu2clip-train has no spdlog; its main sets this from -v.
bool g_pretrain_verbose = false;
#endif

namespace {

// Data-parallel ranks other than 0 print only errors: rank 0 speaks for the run.
bool g_quiet_rank = false;

void info(const std::string& line) {
  if (g_quiet_rank) return;
#ifdef IMU2CLIP_TRAINER_ONLY
  std::fprintf(stderr, "info: %s\n", line.c_str());
#else
  spdlog::info("{}", line);
#endif
}

void debug(const std::string& line) {
#ifdef IMU2CLIP_TRAINER_ONLY
  if (g_pretrain_verbose) std::fprintf(stderr, "debug: %s\n", line.c_str());
#else
  spdlog::debug("{}", line);
#endif
}

struct PretrainArgs {
  std::vector<std::string> data;
  std::string ego4d, video_emb, out;
  std::string tower = "lexical-v1";
  std::string tower_params = "{}";
  double rate = 50, window = 5, stride = 2.5;
  std::string augment = "none";
  std::string val_split = "val";
  std::string cache_dir, metrics;
  std::string vocabulary, label_map;
  bool fp16 = false;
  size_t max_windows = 0;
  bool no_multi_positive = false;
  std::string modality = "imu";
  std::vector<int> val_folds;
  TrainOptions train;
  std::string master;     // HOST:PORT; empty = MASTER_ADDR and MASTER_PORT from the environment
  int nproc = 0;
  std::vector<std::string> argv;
};

// --world-size/--rank/--master, else the variables torchrun sets. Throws Error(InvalidInput).
void resolve_distributed(PretrainArgs& a) {
  DistributedOptions& d = a.train.distributed;
  auto env_int = [](const char* name, int fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (*end != '\0' || n < 0 || n > 1000000)
      throw Error(ErrorKind::InvalidInput, std::string("environment variable ") + name + "='" + v + "' is not a count",
                  ErrorContext{"", 0, name});
    return static_cast<int>(n);
  };
  if (d.world_size == 0) d.world_size = env_int("WORLD_SIZE", 1);
  if (d.rank < 0) d.rank = env_int("RANK", 0);
  d.local_rank = env_int("LOCAL_RANK", d.rank);
  d.local_world_size = env_int("LOCAL_WORLD_SIZE", 1);
  if (!a.master.empty()) {
    const auto colon = a.master.rfind(':');
    if (colon == std::string::npos || colon == 0)
      throw Error(ErrorKind::InvalidInput, "--master must be HOST:PORT, e.g. 10.0.0.1:29500", ErrorContext{"", 0, "master"});
    d.master_addr = a.master.substr(0, colon);
    char* end = nullptr;
    const long port = std::strtol(a.master.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || port < 1 || port > 65535)
      throw Error(ErrorKind::InvalidInput, "--master must end in a port 1..65535", ErrorContext{"", 0, "master"});
    d.master_port = static_cast<int>(port);
  } else {
    if (const char* addr = std::getenv("MASTER_ADDR"); addr && *addr) d.master_addr = addr;
    d.master_port = env_int("MASTER_PORT", d.master_port);
  }
  if (d.local_world_size == 1 && d.world_size > 1 && (d.master_addr == "127.0.0.1" || d.master_addr == "localhost"))
    d.local_world_size = d.world_size;   // every rank on this machine
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// One status line: redrawn in place on a terminal, printed every 10 s otherwise.
class TrainProgressPrinter {
 public:
  TrainProgressPrinter() : tty_(ProgressBar::stderr_is_tty()) {}
  void step(const StepProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    const bool last = p.step == p.steps;
    if (!last && now - last_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(10000))) return;
    last_ = now;
    const int width = 24;
    const int filled = p.steps ? static_cast<int>(width * p.step / p.steps) : 0;
    std::string bar = std::string(filled, '#') + std::string(width - filled, '.');
    std::string line = "epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs) + " [" + bar + "] " +
                       std::to_string(p.step) + "/" + std::to_string(p.steps) + " loss " + fmt("%.4f", p.mean_loss) +
                       " | " + fmt("%.0f", p.windows_per_s) + " win/s | lr " + fmt("%.2e", p.lr) + " | ETA " +
                       format_duration_compact(p.eta_s);
    if (tty_) {
      std::fprintf(stderr, "\r%s\033[K", line.c_str());
      drawn_ = true;
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }
  void end_line() {
    if (drawn_) std::fprintf(stderr, "\n");
    drawn_ = false;
  }

 private:
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

LabelledWindows load_split(const std::string& dir, const PretrainArgs& a, const std::string& split) {
  WindowDatasetOptions o;
  o.rate_hz = a.rate;
  o.window_s = a.window;
  o.stride_s = a.stride;
  o.splits = {split};
  o.cache_dir = a.cache_dir;
  const auto start = std::chrono::steady_clock::now();
  auto w = load_labelled_windows(dir, o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  info(w.dataset + " (" + split + "): " + std::to_string(w.size()) + " labelled windows from " +
       std::to_string(w.recording_ids.size()) + " recordings, " + std::to_string(w.labels.size()) + " labels (" +
       fmt("%.1f", s) + " s)");
  return w;
}

nlohmann::json parse_tower_params(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object()) throw Error(ErrorKind::InvalidInput, "must be a JSON object", ErrorContext{"", 0, "tower-params"});
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::InvalidInput, std::string("not valid JSON: ") + e.what(), ErrorContext{"", 0, "tower-params"});
  }
}

int run_pretrain_audio(PretrainArgs& a) {
#ifdef IMU2CLIP_TRAINER_ONLY
  throw Error(ErrorKind::InvalidInput,
              "audio pretraining needs the full imu2clip build (libsndfile decodes the clips); this is imu2clip-train",
              ErrorContext{"", 0, "modality"});
#else
  AudioPretrainArgs audio;
  audio.data = a.data;
  audio.out = a.out;
  audio.tower = a.tower;
  audio.tower_params = a.tower_params;
  audio.augment = a.augment;
  audio.val_split = a.val_split;
  audio.val_folds = a.val_folds;
  audio.metrics = a.metrics;
  audio.command = join(a.argv, " ");
  audio.fp16 = a.fp16;
  audio.train = a.train;
  audio.train.multi_positive = !a.no_multi_positive;
  return run_audio_pretrain(audio, info);
#endif
}

int run_pretrain(PretrainArgs& a) {
  resolve_distributed(a);
  if (a.train.distributed.enabled() && a.modality == "audio")
    throw Error(ErrorKind::InvalidInput, "data-parallel training is for the IMU encoder; train audio in one process",
                ErrorContext{"", 0, "world-size"});
  if (a.modality == "audio") return run_pretrain_audio(a);
  const bool is_main = a.train.distributed.rank == 0;
  g_quiet_rank = !is_main;
  if (!a.val_folds.empty())
    throw Error(ErrorKind::InvalidInput, "--val-fold is for audio clip folders (--modality audio)",
                ErrorContext{"", 0, "val-fold"});
  a.train.augment = AugmentOptions::parse(a.augment);
  if (a.data.empty() && a.ego4d.empty())
    throw Error(ErrorKind::InvalidInput, "give training data: --data DATASET_DIR (repeatable) and/or --ego4d ROOT",
                ErrorContext{"", 0, "data"});
  if (!a.video_emb.empty() && a.ego4d.empty())
    throw Error(ErrorKind::InvalidInput, "--video-emb pairs frames with Ego4D narrations; it needs --ego4d",
                ErrorContext{"", 0, "video-emb"});
  if (!(a.rate > 0) || !(a.window > 0) || !(a.stride > 0))
    throw Error(ErrorKind::InvalidInput, "--rate, --window and --stride must be positive", ErrorContext{"", 0, "window"});
  a.train.multi_positive = !a.no_multi_positive;
  a.train.validate();
  {
    const auto parent = std::filesystem::path(a.out).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent))
      throw Error(ErrorKind::NotFound, "the folder for --out does not exist", ErrorContext{parent.string(), 0, "out"});
  }
  auto tower = build_text_tower(a.tower, parse_tower_params(a.tower_params));
  if (a.vocabulary.empty() != a.label_map.empty())
    throw Error(ErrorKind::InvalidInput, "--vocabulary and --label-map go together", ErrorContext{"", 0, "label-map"});
  std::optional<LabelMap> map;
  if (!a.label_map.empty()) map = read_label_map(a.vocabulary, a.label_map);
  auto mapped = [&map](LabelledWindows w) { return map ? apply_label_map(w, *map) : w; };

  TrainingData train, val;
  const size_t sources = a.data.size() + (a.ego4d.empty() ? 0 : 1);
  const size_t per_source = a.max_windows ? std::max<size_t>(1, a.max_windows / sources) : 0;
  std::vector<std::string> datasets;
  for (const auto& dir : a.data) {
    auto tw = take_windows(mapped(load_split(dir, a, "train")), per_source);
    datasets.push_back(tw.dataset);
    append_training_data(train, training_data_from_labels(tw));
    if (!a.val_split.empty() && a.val_split != "none") {
      auto vw = mapped(load_split(dir, a, a.val_split));
      if (a.max_windows) vw = take_windows(vw, std::max<size_t>(per_source / 4, a.train.batch_size));
      append_training_data(val, training_data_from_labels(vw));
    }
  }
  if (!a.ego4d.empty()) {
    NarrationWindowOptions no;
    no.rate_hz = a.rate;
    no.window_s = a.window;
    no.max_windows = per_source;
    auto nw = load_narration_windows(a.ego4d, no);
    std::optional<VideoEmbeddings> video;
    if (!a.video_emb.empty()) video = VideoEmbeddings::load(a.video_emb);
    auto nd = training_data_from_narrations(nw, video ? &*video : nullptr);
    size_t with_video = 0;
    for (int v : nd.video) with_video += v >= 0;
    info("ego4d: " + std::to_string(nw.size()) + " narration windows, " + std::to_string(nd.texts.size()) +
         " distinct narrations" + (video ? ", " + std::to_string(with_video) + " with a video frame" : ""));
    append_training_data(train, nd);
  }
  if (train.size() < 2)
    throw Error(ErrorKind::InvalidInput,
                "no training windows: the 'train' split of the given data has no labelled " + fmt("%.1f", a.window) +
                    " s windows",
                ErrorContext{"", 0, "data"});

  EncoderOptions enc = EncoderOptions::official();
  enc.project = true;
  enc.embed_dim = tower->dim();
  enc.window_samples = train.samples;
  enc.sample_rate_hz = a.rate;

  TrainSetup setup;
  setup.encoder = enc;
  setup.tower = tower.get();
  setup.templates = default_prompt_templates();
  setup.train = &train;
  setup.val = val.size() >= 2 ? &val : nullptr;
  setup.options = a.train;
  if (map) {
    setup.labels = map->activities;
    setup.label_map = *map;
  }
  info("training " + std::to_string(train.size()) + " windows (" + std::to_string(train.texts.size()) + " texts), " +
       std::to_string(val.size()) + " validation windows; tower " + tower->id() + " (" + std::to_string(tower->dim()) +
       " d), " + a.train.optimizer + " lr " + fmt("%.2g", a.train.effective_lr()) + ", batch " +
       std::to_string(a.train.batch_size) + ", " + std::to_string(a.train.epochs) + " epochs, augment " +
       a.train.augment.to_string());

  std::ofstream metrics;
  if (!a.metrics.empty() && is_main) {
    metrics.open(a.metrics, a.train.resume ? std::ios::app : std::ios::trunc);
    if (!metrics) throw Error(ErrorKind::Io, "cannot write the metrics file", ErrorContext{a.metrics, 0, "metrics"});
  }
  TrainProgressPrinter printer;
  TrainCallbacks cb;
  cb.stop = &install_stop_handler();
  cb.log = [&](const std::string& line) { info(line); };
  cb.on_step = [&](const StepProgress& p) {
    if (is_main) printer.step(p);
  };
  cb.on_epoch = [&](const EpochMetrics& m) {
    printer.end_line();
    info("epoch " + std::to_string(m.epoch) + ": train loss " + fmt("%.4f", m.train_loss) +
         (std::isfinite(m.val_loss) ? ", val loss " + fmt("%.4f", m.val_loss) : std::string()) + ", T " +
         fmt("%.3f", m.temperature) + ", " + fmt("%.0f", m.windows_per_s) + " win/s, data wait " +
         fmt("%.1f", m.data_wait_s) + " s, " +
         (a.train.distributed.enabled() ? "sync " + fmt("%.1f", m.sync_s) + " s, " : std::string()) +
         format_duration_compact(m.seconds));
    if (metrics.is_open()) {
      metrics << m.to_json().dump() << "\n";
      metrics.flush();
    }
  };
  const TrainResult result = train_contrastive(setup, cb);
  printer.end_line();
  if (!is_main) return result.interrupted ? 130 : 0;   // rank 0 writes the bundle

  const std::string command = join(a.argv, " ");
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  nlohmann::json provenance = {{"command", command},
                               {"created_utc", when},
                               {"data", a.data},
                               {"datasets", datasets},
                               {"ego4d", a.ego4d},
                               {"video_embeddings", a.video_emb},
                               {"rate_hz", a.rate},
                               {"window_s", a.window},
                               {"stride_s", a.stride},
                               {"train_split", "train"},
                               {"val_split", a.val_split},
                               {"vocabulary", a.vocabulary},
                               {"label_map", a.label_map}};
  ModelBundle bundle = make_trained_bundle(setup, result, provenance);
  save_bundle(a.out, bundle, a.fp16 ? DType::F16 : DType::F32);
  info("wrote " + a.out + " (model " + bundle.model_id + ", best epoch " + std::to_string(result.best_epoch) +
       (setup.val ? ", val loss " : ", train loss ") + fmt("%.4f", result.best_loss) + ", " +
       std::to_string(bundle.label_bank.size()) + " labels" + (a.fp16 ? ", fp16" : "") + ")");
  if (result.interrupted) {
    info("training was interrupted; the bundle holds the best completed epoch. Continue with --resume");
    return 130;
  }
  return 0;
}

}  // namespace

Runner add_pretrain_command(CLI::App& app) {
  auto a = std::make_shared<PretrainArgs>();
  auto* cmd = app.add_subcommand("pretrain",
                                 "Train the IMU encoder contrastively against a frozen text tower and export a bundle");
  cmd->add_option("--data", a->data, "Dataset folder (manifest.json + labels.csv + recordings/); repeatable. "
                                     "Its 'train' split trains, --val-split validates");
  cmd->add_option("--ego4d", a->ego4d, "Ego4D-layout root: windows centred on narrations, cleaned narration text as target");
  cmd->add_option("--video-emb", a->video_emb, "safetensors of video-frame embeddings named <video_uid>@<time_ms> "
                                               "(adds IMU<->video InfoNCE)");
  cmd->add_option("--out", a->out, "Model bundle to write (.safetensors)")->required();
  cmd->add_option("--vocabulary", a->vocabulary,
                  "Log vocabulary (one activity phrase per line): the exported label bank. Needs --label-map")
      ->check(CLI::ExistingFile);
  cmd->add_option("--label-map", a->label_map,
                  "TSV mapping each dataset label to a vocabulary activity or '-' (models/vocabulary/label_map.tsv); "
                  "windows train against their activity, so synonyms are positives of each other")
      ->check(CLI::ExistingFile);
  cmd->add_option("--balance", a->train.dataset_balance,
                  "Dataset balance per epoch: share of dataset d ~ windows_d^BALANCE (1 = as loaded, 0 = equal)")
      ->capture_default_str();
  cmd->add_option("--tower", a->tower, "Text tower id (" + join(buildable_text_tower_ids(), ", ") + ")")->capture_default_str();
  cmd->add_option("--tower-params", a->tower_params, "Text tower parameters as a JSON object")->capture_default_str();
  cmd->add_option("--rate", a->rate, "Resample to this rate (Hz)")->capture_default_str();
  cmd->add_option("--window", a->window, "Window length (s)")->capture_default_str();
  cmd->add_option("--stride", a->stride, "Window stride (s)")->capture_default_str();
  cmd->add_option("--batch", a->train.batch_size, "Batch size (in-batch negatives)")->capture_default_str();
  cmd->add_option("--epochs", a->train.epochs, "Epochs")->capture_default_str();
  cmd->add_option("--optimizer", a->train.optimizer, "adam (official code, lr 2e-4) or adagrad (paper, lr 0.01)")
      ->check(CLI::IsMember({"adam", "adagrad"}))->capture_default_str();
  cmd->add_option("--lr", a->train.lr, "Learning rate (default: the optimizer's)");
  cmd->add_option("--weight-decay", a->train.weight_decay, "Weight decay")->capture_default_str();
  cmd->add_option("--schedule", a->train.schedule, "LR schedule after warm-up: cosine or none")
      ->check(CLI::IsMember({"cosine", "none"}))->capture_default_str();
  cmd->add_option("--warmup", a->train.warmup_steps, "Linear warm-up steps")->capture_default_str();
  cmd->add_option("--grad-clip", a->train.grad_clip, "Max gradient norm (0 = off)")->capture_default_str();
  cmd->add_option("--temperature", a->train.temperature, "Softmax temperature (initial value if learned)")
      ->capture_default_str();
  cmd->add_flag("--learn-temperature", a->train.learn_temperature, "Learn the temperature (clamped to [0.01, 1])");
  cmd->add_flag("--no-multi-positive", a->no_multi_positive,
                "Plain InfoNCE: windows with the same target text count as negatives of each other");
  cmd->add_option("--modality", a->modality,
                  "imu (sensor datasets) or audio (a clip folder: clips/ + labels.csv, as ../shared/data/audio)")
      ->check(CLI::IsMember({"imu", "audio"}))->capture_default_str();
  cmd->add_option("--val-fold", a->val_folds,
                  "Audio: training clips of this fold validate instead (repeatable; e.g. a Kitchen20 fold)");
  cmd->add_option("--augment", a->augment,
                  "Augmentations: comma list of rot, yaw, lowpass, scale, jitter, shift (IMU) or gain, shift, mix, "
                  "mask (audio), or none");
  cmd->add_option("--seed", a->train.seed, "Random seed (init, shuffling, augmentation)")->capture_default_str();
  cmd->add_option("--threads", a->train.threads, "Torch CPU threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--device", a->train.device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  cmd->add_option("--checkpoint-dir", a->train.checkpoint_dir, "Write a checkpoint after every epoch here");
  cmd->add_flag("--resume", a->train.resume, "Continue from the last checkpoint in --checkpoint-dir");
  cmd->add_option("--cache-dir", a->cache_dir, "Cache preprocessed windows here (later runs skip CSV parsing)");
  cmd->add_option("--metrics", a->metrics, "Append one JSON line of metrics per epoch to this file");
  cmd->add_option("--val-split", a->val_split, "Manifest split used for validation ('none' = no validation)")
      ->capture_default_str();
  cmd->add_flag("--fp16", a->fp16, "Store the exported weights as float16 (half the size)");
  cmd->add_option("--max-windows", a->max_windows, "Use at most N training windows in all (tiny runs)");
  cmd->add_option("--max-steps", a->train.max_steps_per_epoch, "Stop each epoch after N steps (benchmarks)");
  a->train.distributed.world_size = 0;   // 0 / -1: not given, read WORLD_SIZE / RANK
  a->train.distributed.rank = -1;
  auto* dist = "Data-parallel training (docs/TRAINING.md)";
  cmd->add_option("--nproc", a->nproc, "Start N data-parallel ranks of this command on this machine and wait for them")
      ->check(CLI::Range(1, 256))->group(dist);
  cmd->add_option("--world-size", a->train.distributed.world_size, "Ranks in all (default: $WORLD_SIZE, else 1)")
      ->check(CLI::Range(1, 100000))->group(dist);
  cmd->add_option("--rank", a->train.distributed.rank, "This process's rank, 0-based (default: $RANK, else 0)")
      ->check(CLI::Range(0, 100000))->group(dist);
  cmd->add_option("--master", a->master,
                  "HOST:PORT of rank 0's rendezvous (default: $MASTER_ADDR:$MASTER_PORT, else 127.0.0.1:29500)")
      ->group(dist);
  cmd->add_option("--backend", a->train.distributed.backend, "auto (nccl on CUDA, gloo on CPU), gloo or nccl")
      ->check(CLI::IsMember({"auto", "gloo", "nccl"}))->capture_default_str()->group(dist);
  cmd->add_option("--negatives", a->train.distributed.negatives,
                  "global: every window's negatives are the whole global batch (N ranks train as one process); "
                  "local: only the rank's own slice")
      ->check(CLI::IsMember({"global", "local"}))->capture_default_str()->group(dist);
  cmd->add_option("--dist-timeout", a->train.distributed.timeout_s,
                  "Seconds a rank waits for the others (rendezvous, each collective) before failing")
      ->capture_default_str()->group(dist);
  return [a, cmd]() -> int {
    // Reconstruct argv for the re-exec and the provenance record.
    static std::vector<std::string> args;
    static std::vector<char*> cargs;
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    args.clear();
    for (std::string s; std::getline(in, s, '\0');) args.push_back(s);
    cargs.clear();
    for (auto& s : args) cargs.push_back(s.data());
    debug(reexec_with_runtime_env(static_cast<int>(cargs.size()), cargs.data()));
    a->argv = args;
    if (a->nproc > 1) {
      if (a->train.distributed.world_size > 0 || a->train.distributed.rank >= 0 || !a->master.empty())
        throw Error(ErrorKind::InvalidInput, "--nproc starts its own ranks; drop --world-size, --rank and --master",
                    ErrorContext{"", 0, "nproc"});
      return run_local_ranks(without_nproc(args), a->nproc, info);
    }
    return run_pretrain(*a);
  };
}

}  // namespace imu2clip::cli
