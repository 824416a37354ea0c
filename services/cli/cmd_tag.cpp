// imu2clip tag: batch zero-shot tagging of IMU recordings and audio files into the SQLite log
// store.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <thread>

#include "common/error.h"
#include "services/cli/commands.h"
#include "services/cli/interrupt.h"
#include "services/cli/log_printer.h"
#include "services/cli/model_resolver.h"
#include "services/cli/progress_bar.h"
#include "storage/log_store.h"
#include "common/time/instant.h"
#include "tagger/batch/audio_job_sources.h"
#include "tagger/batch/audio_tagger.h"
#include "tagger/batch/batch_tagger.h"
#include "tagger/batch/job_sources.h"
#include "tagger/eval/label_embeddings.h"
#include "tagger/model/audio_window_encoder.h"
#include "tagger/model/window_encoder.h"
#include "tagger/text/label_file.h"

namespace imu2clip::cli {
namespace {

struct TagArgs {
  std::string db, model, ego4d, imu_dir, jsonl, user = "local", tz, accel_units, gyro_units, labels_file;
  std::string audio_model, audio_dir, start;
  std::vector<std::string> files;
  double window = 0, stride = 0;
  int top_k = 5, threads = 0, batch = 256;
  bool force = false, print_log = false, no_progress = false;
};

class ProgressObserver : public TagObserver {
 public:
  explicit ProgressObserver(bool enabled)
      : bar_(stderr, ProgressBar::stderr_is_tty(), "rec", "win"), enabled_(enabled) {}
  void on_start(size_t jobs, int64_t expected_windows) override {
    state_.items_total = static_cast<int64_t>(jobs);
    state_.units_total = expected_windows;
    draw(true);
  }
  void on_recording_start(size_t index, const TagJob& job, int64_t windows) override {
    state_.current = job.source_key;
    // The estimate from metadata is replaced by real counts as recordings are read.
    state_.units_total = std::max(state_.units_total, state_.units_done + windows);
    draw(false);
  }
  void on_windows(int64_t done) override {
    state_.units_done = done;
    draw(false);
  }
  void on_recording_done(size_t index, const RecordingOutcome& out) override {
    state_.items_done = static_cast<int64_t>(index) + 1;
    if (out.status == RecordingOutcome::Status::Skipped)
      spdlog::warn("skipped {}: {}", out.source_key, out.reason);
    draw(state_.items_done == state_.items_total);
  }
  void finish() {
    if (enabled_) bar_.finish();
  }

 private:
  void draw(bool force) {
    if (enabled_) bar_.update(state_, force);
  }
  ProgressBar bar_;
  ProgressState state_;
  bool enabled_;
};

void print_summary(const TagSummary& s) {
  std::fprintf(stderr,
               "summary: %zu recordings: %lld tagged, %lld resumed, %lld already tagged, %lld skipped%s; "
               "%lld windows encoded in %.1f s (%.0f windows/s)\n",
               s.recordings.size(), (long long)s.count(RecordingOutcome::Status::Tagged),
               (long long)s.count(RecordingOutcome::Status::Resumed),
               (long long)s.count(RecordingOutcome::Status::AlreadyTagged),
               (long long)s.count(RecordingOutcome::Status::Skipped),
               s.interrupted ? ", INTERRUPTED (re-run to resume)" : "",
               (long long)s.windows_encoded, s.seconds,
               s.seconds > 0 ? static_cast<double>(s.windows_encoded) / s.seconds : 0.0);
  for (const auto& r : s.recordings)
    if (r.status == RecordingOutcome::Status::Skipped)
      std::fprintf(stderr, "  skipped %s: %s\n", r.source_key.c_str(), r.reason.c_str());
}

TagSummary run_audio(const TagArgs& a, const JobList& list, int threads) {
  ResolvedModel model = resolve_audio_model(a.audio_model);
  spdlog::info("audio model {} ({}), {} labels, {:.1f} s windows at {:.0f} Hz; {} threads", model.bundle.model_id,
               model.origin, model.bundle.label_bank.size(), model.bundle.window_s(), model.bundle.sample_rate_hz(),
               threads);
  auto encoder = make_audio_window_encoder(model.bundle, threads);
  LogStore store(a.db);
  TagOptions opt;
  opt.user = a.user;
  opt.tz = a.tz;
  opt.top_k = a.top_k;
  opt.force = a.force;
  opt.batch_windows = a.batch;
  AudioBatchTagger tagger(store, model.bundle, *encoder, opt);
  ProgressObserver progress(!a.no_progress);
  const auto& stop = install_stop_handler();
  TagSummary summary = tagger.run(list.jobs, &progress, &stop);
  progress.finish();
  summary.recordings.insert(summary.recordings.end(), list.skipped.begin(), list.skipped.end());
  return summary;
}

TagSummary run_imu(const TagArgs& a, ResolvedModel model, const JobList& list, const ImuUnits& units, int threads);

int run_tag(const TagArgs& a) {
  std::vector<std::string> audio_files, imu_files;
  split_audio_files(a.files, audio_files, imu_files);
  const int imu_sources = !a.ego4d.empty() + !a.imu_dir.empty() + !imu_files.empty();
  // An Ego4D root may hold audio next to the IMU (v2/audio/<video_uid>.wav): tagged too.
  const JobList ego4d_audio = a.ego4d.empty() ? JobList{} : jobs_from_ego4d_audio(a.ego4d);
  const int audio_sources = !a.audio_dir.empty() + !audio_files.empty() + !ego4d_audio.jobs.empty();
  if (imu_sources > 1)
    throw Error(ErrorKind::InvalidInput, "give one IMU input: --ego4d ROOT, --imu-dir DIR or FILE...");
  if (imu_sources + audio_sources == 0)
    throw Error(ErrorKind::InvalidInput,
                "give an input: --ego4d ROOT, --imu-dir DIR, --audio-dir DIR or FILE... (IMU CSVs, audio files)");
  std::optional<int64_t> start;
  if (!a.start.empty()) start = parse_instant_utc_ms(a.start, EpochUnit::Milliseconds, std::nullopt, "--start");
  ImuUnits units;  // checked before the model is loaded, so a typo fails at once
  if (!a.accel_units.empty()) units.accel = parse_accel_unit(a.accel_units, "--accel-units");
  if (!a.gyro_units.empty()) units.gyro = parse_gyro_unit(a.gyro_units, "--gyro-units");
  const int threads = a.threads > 0 ? a.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  TagSummary summary;
  if (imu_sources) {
    // The model first: a wrong --model fails at once, before any file is listed or read.
    ResolvedModel model = resolve_model(a.model);
    JobList list = !a.ego4d.empty() ? jobs_from_ego4d(a.ego4d)
                   : !a.imu_dir.empty() ? jobs_from_imu_dir(a.imu_dir)
                                        : jobs_from_files(imu_files);
    for (const auto& s : list.skipped) spdlog::warn("skipping {}: {}", s.source_key, s.reason);
    if (list.jobs.empty() && list.skipped.empty())
      throw Error(ErrorKind::NotFound, "no IMU recordings found in the input");
    summary = run_imu(a, std::move(model), list, units, threads);
  }
  if (audio_sources && !summary.interrupted) {
    JobList list = ego4d_audio;
    if (!a.audio_dir.empty()) {
      JobList dir = jobs_from_audio_dir(a.audio_dir, start);
      list.jobs.insert(list.jobs.end(), dir.jobs.begin(), dir.jobs.end());
    }
    if (!audio_files.empty()) {
      JobList files = jobs_from_audio_files(audio_files, start);
      list.jobs.insert(list.jobs.end(), files.jobs.begin(), files.jobs.end());
    }
    if (list.jobs.empty()) throw Error(ErrorKind::NotFound, "no audio files found in the input", {a.audio_dir, 0, "--audio-dir"});
    const TagSummary audio = run_audio(a, list, threads);
    summary.recordings.insert(summary.recordings.end(), audio.recordings.begin(), audio.recordings.end());
    summary.windows_encoded += audio.windows_encoded;
    summary.seconds += audio.seconds;
    summary.interrupted = audio.interrupted;
  }
  print_summary(summary);
  if (a.print_log) {
    LogStore store(a.db);
    print_user_log(store, a.user, stdout);
  }
  if (summary.interrupted) return 130;
  const bool any_ok = static_cast<int64_t>(summary.recordings.size()) > summary.count(RecordingOutcome::Status::Skipped);
  return any_ok ? 0 : 1;
}

TagSummary run_imu(const TagArgs& a, ResolvedModel model, const JobList& list, const ImuUnits& units, int threads) {
  if (!a.labels_file.empty()) {
    // A free-form label bank (search, research): the model's text tower embeds the phrases.
    // The model's label map and calibration belong to its own vocabulary, so they are dropped,
    // and the model id changes with the bank, so these tags never pass for the vocabulary's.
    ModelBundle& b = model.bundle;
    b.label_bank = embed_label_phrases(b, read_label_phrases(a.labels_file));
    b.label_map = LabelMap{};
    b.calibration = Calibration{};
    b.model_id = compute_model_id(b);
    model.origin += " with labels from " + a.labels_file;
  }

  spdlog::info("model {} ({}), {} labels, {:.1f} s windows at {:.0f} Hz; {} threads", model.bundle.model_id,
               model.origin, model.bundle.label_bank.size(), model.bundle.window_s(),
               model.bundle.encoder.sample_rate_hz, threads);
  auto encoder = make_window_encoder(model.bundle, threads);
  LogStore store(a.db);

  TagOptions opt;
  opt.user = a.user;
  opt.tz = a.tz;
  opt.window_s = a.window;
  opt.stride_s = a.stride;
  opt.top_k = a.top_k;
  opt.force = a.force;
  opt.jsonl_path = a.jsonl;
  opt.batch_windows = a.batch;
  opt.units = units;
  if (opt.window_s > 0 && std::abs(opt.window_s - model.bundle.window_s()) > 1e-9)
    spdlog::warn("--window {} s differs from the {} s windows the model was trained on", opt.window_s,
                 model.bundle.window_s());

  BatchTagger tagger(store, model.bundle, *encoder, opt);
  ProgressObserver progress(!a.no_progress);
  const auto& stop = install_stop_handler();
  TagSummary summary = tagger.run(list.jobs, &progress, &stop);
  progress.finish();
  summary.recordings.insert(summary.recordings.end(), list.skipped.begin(), list.skipped.end());
  return summary;
}

}  // namespace

Runner add_tag_command(CLI::App& app) {
  auto a = std::make_shared<TagArgs>();
  auto* cmd = app.add_subcommand("tag", "Zero-shot tag IMU recordings and audio files into the SQLite log store");
  cmd->add_option("--db", a->db, "SQLite database (created if missing)")->required();
  cmd->add_option("--model", a->model, "Model bundle (.safetensors); default: $IMU2CLIP_MODEL or the embedded model");
  cmd->add_option("--labels", a->labels_file,
                  "Tag with these label phrases (one per line) instead of the model's everyday vocabulary "
                  "(no 'unclear motion': the calibration belongs to the vocabulary)")
      ->check(CLI::ExistingFile);
  auto* ego = cmd->add_option("--ego4d", a->ego4d,
                              "Ego4D root (ego4d.json + v2/imu/<video_uid>.csv, and v2/audio/<video_uid>.wav when present)")->check(CLI::ExistingDirectory);
  auto* dir = cmd->add_option("--imu-dir", a->imu_dir, "Folder of t_ms,ax,ay,az,gx,gy,gz CSV(.gz) files")->check(CLI::ExistingDirectory);
  auto* files = cmd->add_option("files", a->files,
                                "IMU CSV files (canonical or Ego4D layout, .gz accepted) and/or audio files "
                                "(.wav .flac .ogg .oga .opus)")
                     ->check(CLI::ExistingFile);
  ego->excludes(dir);
  cmd->add_option("--audio-dir", a->audio_dir, "Folder of audio files (searched recursively)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--audio-model", a->audio_model,
                  "Audio model bundle; default: $IMU2CLIP_AUDIO_MODEL or the embedded audio model");
  cmd->add_option("--start", a->start,
                  "Wall-clock time of the audio files' first sample (ISO-8601, or epoch ms); without it audio "
                  "lines show the offset into the file");
  cmd->add_option("--window", a->window, "Window length in seconds (default: the model's)")->check(CLI::PositiveNumber);
  cmd->add_option("--stride", a->stride, "Window stride in seconds (default: the window)")->check(CLI::PositiveNumber);
  cmd->add_option("--top-k", a->top_k, "Labels stored per window")->check(CLI::Range(1, 1000));
  cmd->add_option("--threads", a->threads, "Encoder threads (default: all cores)")->check(CLI::Range(1, 1024));
  cmd->add_option("--batch", a->batch, "Windows per encoder call and per transaction")->check(CLI::Range(1, 65536));
  cmd->add_option("--jsonl", a->jsonl, "Also write one JSON line per window to this file");
  cmd->add_option("--user", a->user, "Owner of the recordings in the store");
  cmd->add_option("--tz", a->tz, "IANA time zone of the recordings (default: the user's, else this machine's)");
  cmd->add_option("--accel-units", a->accel_units,
                  "Unit of the files' accelerometer columns: m/s^2 (including gravity) or g (converted). "
                  "Default: m/s^2; files clearly in g are skipped with the reason");
  cmd->add_option("--gyro-units", a->gyro_units,
                  "Unit of the files' gyroscope columns: rad/s or deg/s (converted). "
                  "Default: rad/s; files clearly in deg/s are skipped with the reason");
  cmd->add_flag("--force", a->force, "Re-tag recordings already tagged with this model");
  cmd->add_flag("--print-log", a->print_log, "Print the user's log when done");
  cmd->add_flag("--no-progress", a->no_progress, "No progress output");
  return [a] { return run_tag(*a); };
}

}  // namespace imu2clip::cli
