#include "tagger/live/live_audio_session.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/batch/audio_tagger.h"
#include "tagger/model/audio_window_encoder.h"
#include "tagger/model/bundle.h"
#include "tagger/zeroshot/label_scores.h"

namespace imu2clip {
namespace {

RecordingRow load_recording(LogStore& store, const ModelBundle& bundle, int64_t id) {
  auto rec = store.recordings().find(id);
  if (!rec) throw Error(ErrorKind::NotFound, "live audio session recording " + std::to_string(id) + " was deleted");
  if (!rec->start_utc_ms) {
    throw Error(ErrorKind::Corrupt, "live audio session recording " + std::to_string(id) + " has no start time");
  }
  if (rec->model_id != bundle.model_id) {
    throw Error(ErrorKind::InvalidInput,
                "live audio session recording " + std::to_string(id) + " was recorded for audio model " +
                    rec->model_id + ", not " + bundle.model_id + "; serve that model to tag it",
                ErrorContext{"", 0, "model_id"});
  }
  return *rec;
}

// The labels' scores and "quiet" as one row per window: the segmenter's n_labels is the label
// bank plus one, and label_text() maps that last index to "quiet".
int score_columns(const ModelBundle& bundle) { return static_cast<int>(bundle.label_bank.size()) + 1; }

}  // namespace

LiveAudioSession::LiveAudioSession(LiveAudioSessionContext& ctx, int64_t recording_id)
    : ctx_(ctx),
      recording_id_(recording_id),
      segments_(score_columns(ctx.bundle), calibrated(ctx.segmenter, ctx.bundle.calibration), ctx.keep_windows, 0.0) {
  const RecordingRow rec = load_recording(ctx.store, ctx.bundle, recording_id);
  user_id_ = rec.user_id;
  start_ms_ = *rec.start_utc_ms;
  window_samples_ = ctx.bundle.audio.window_samples;
  rate_hz_ = ctx.bundle.sample_rate_hz();
  const double window_s = static_cast<double>(window_samples_) / rate_hz_;
  next_window_ = static_cast<int64_t>(std::llround(rec.tagged_until_s / window_s));
  // Segments before the resume point were written by an earlier run and are final.
  segments_ = LiveSegments(score_columns(ctx.bundle), calibrated(ctx.segmenter, ctx.bundle.calibration),
                           ctx.keep_windows, static_cast<double>(next_window_) * window_s);
}

int64_t LiveAudioSession::tag(int64_t end_samples, bool closed, const std::function<void(int64_t, int64_t)>& on_batch,
                              const std::atomic<bool>* cancel) {
  const int64_t W = window_samples_;
  const int64_t batch = std::max(1, ctx_.batch_windows);
  std::vector<float> x;
  int64_t total = 0;
  auto run = [&](int64_t from, int64_t n, bool pad_tail) {
    const std::vector<int16_t> pcm = ctx_.store.live_audio().samples(recording_id_, from, from + n);
    x.resize(pcm.size());
    for (size_t i = 0; i < pcm.size(); ++i) x[i] = static_cast<float>(pcm[i]) / 32768.f;
    const AudioWindowScores scored = score_audio_windows(ctx_.bundle, ctx_.encoder, x.data(), n,
                                                         static_cast<double>(from) / rate_hz_, pad_tail);
    if (scored.windows.empty()) return int64_t{0};
    store_windows(scored, end_samples);
    const auto k = static_cast<int64_t>(scored.windows.size());
    total += k;
    if (on_batch) on_batch(next_window_, k);
    return k;
  };
  while (!(cancel && cancel->load())) {
    const int64_t from = next_window_ * W;
    const int64_t whole = std::min(batch, (end_samples - from) / W);
    if (whole <= 0) break;
    run(from, whole * W, false);
  }
  // No more audio will come: a last piece of at least half a window is padded and tagged.
  if (closed && !(cancel && cancel->load())) {
    const int64_t from = next_window_ * W;
    if (end_samples > from) run(from, end_samples - from, true);
  }
  return total;
}

void LiveAudioSession::store_windows(const AudioWindowScores& scored, int64_t end_samples) {
  const auto& bank = ctx_.bundle.label_bank;
  const int n_labels = static_cast<int>(bank.size());
  const size_t cols = static_cast<size_t>(score_columns(ctx_.bundle));
  std::vector<WindowTag> tags;
  tags.reserve(scored.windows.size());
  for (size_t i = 0; i < scored.windows.size(); ++i) {
    const ScoredWindow& w = scored.windows[i];
    WindowTag t;
    t.start_s = w.start_s;
    t.end_s = w.end_s;
    t.modality = kAudioModality;
    t.valid = w.valid;
    const float* row = &scored.scores[i * cols];
    if (!t.valid) {
      t.invalid_reason = "the audio holds NaN or infinite samples";
    } else if (scored.quiet[i]) {
      t.labels.push_back({kQuietSound, 1.f});
    } else {
      for (const auto& ls : top_k(row, n_labels, ctx_.top_k))
        t.labels.push_back({bank.labels[static_cast<size_t>(ls.label)], ls.score});
      t.embedding_f16 = scored.embeddings_f16[i];
    }
    tags.push_back(std::move(t));
    segments_.add(w, row);
  }
  const int64_t next = next_window_ + static_cast<int64_t>(scored.windows.size());
  ctx_.store.recordings().append_windows(recording_id_, tags,
                                         static_cast<double>(next * window_samples_) / rate_hz_);
  next_window_ = next;
  write_segments(end_samples, false);
  if (!ctx_.keep_audio) ctx_.store.live_audio().delete_tagged(recording_id_);
}

void LiveAudioSession::complete(int64_t end_samples) {
  write_segments(end_samples, true);
  if (!ctx_.keep_audio) ctx_.store.live_audio().delete_tagged(recording_id_);
}

void LiveAudioSession::write_segments(int64_t end_samples, bool complete) {
  const auto segs = segments_.segments();
  std::vector<Segment> rows;
  std::vector<LogEntry> entries;
  rows.reserve(segs.size());
  entries.reserve(segs.size());
  for (const auto& s : segs) {
    const std::string& label = ctx_.bundle.label_text(s.label);
    rows.push_back({s.start_s, s.end_s, label, s.mean_score, s.n_windows, kAudioModality});
    LogEntry e;
    e.user_id = user_id_;
    e.recording_id = recording_id_;
    e.offset_ms = static_cast<int64_t>(std::llround(s.start_s * 1000.0));
    e.t_utc_ms = start_ms_ + *e.offset_ms;
    e.duration_ms = static_cast<int64_t>(std::llround((s.end_s - s.start_s) * 1000.0));
    e.modality = kAudioModality;
    e.text = label;
    entries.push_back(std::move(e));
  }
  const double duration_s = static_cast<double>(end_samples) / rate_hz_;
  ctx_.store.recordings().update_live_segments(recording_id_, segments_.from_s(), rows, entries, duration_s,
                                               complete);
  segments_.freeze(segs);
}

}  // namespace imu2clip
