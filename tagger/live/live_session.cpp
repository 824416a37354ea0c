#include "tagger/live/live_session.h"

#include <cmath>
#include <limits>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/model/bundle.h"
#include "tagger/model/window_encoder.h"
#include "tagger/batch/stored_embedding.h"
#include "tagger/zeroshot/label_scores.h"

namespace imu2clip {
namespace {

RecordingRow load_recording(LogStore& store, int64_t id) {
  auto rec = store.recordings().find(id);
  if (!rec) throw Error(ErrorKind::NotFound, "live session recording " + std::to_string(id) + " was deleted");
  if (!rec->start_utc_ms) {
    throw Error(ErrorKind::Corrupt, "live session recording " + std::to_string(id) + " has no start time");
  }
  return *rec;
}

}  // namespace

LiveSession::LiveSession(LiveSessionContext& ctx, int64_t recording_id)
    : ctx_(ctx),
      recording_id_(recording_id),
      segments_(static_cast<int>(ctx.bundle.label_bank.size()), calibrated(ctx.segmenter, ctx.bundle.calibration),
                ctx.keep_windows, 0.0) {
  const RecordingRow rec = load_recording(ctx.store, recording_id);
  user_id_ = rec.user_id;
  start_ms_ = *rec.start_utc_ms;
  const double stride_s = ctx.windowing.window.stride_s;
  next_window_ = static_cast<int64_t>(std::llround(rec.tagged_until_s / stride_s));
  // Segments before the resume point were written by an earlier run and are final.
  segments_ = LiveSegments(static_cast<int>(ctx.bundle.label_bank.size()),
                           calibrated(ctx.segmenter, ctx.bundle.calibration), ctx.keep_windows,
                           ctx.windowing.window_start_s(next_window_));
}

int64_t LiveSession::tag(int64_t last_t_ms, bool final, const std::function<void(int64_t, int64_t)>& on_batch,
                         const std::atomic<bool>* cancel) {
  const LiveWindowing& w = ctx_.windowing;
  const auto& bank = ctx_.bundle.label_bank;
  const int n_labels = static_cast<int>(bank.size());
  const int L = w.window_samples;
  const int dim = ctx_.encoder.dim();
  const size_t per_window = static_cast<size_t>(6) * static_cast<size_t>(L);
  const size_t batch = static_cast<size_t>(std::max(1, ctx_.batch_windows));
  const double s0 = static_cast<double>(start_ms_);
  std::vector<float> input, emb;
  int64_t total = 0;
  double span_windows = static_cast<double>(batch + 1);

  while (!(cancel && cancel->load())) {
    const double t_next = s0 + static_cast<double>(next_window_) * w.stride_ms();
    const double upper = t_next + span_windows * w.stride_ms() + w.margin_ms + 1.0;
    const auto samples = ctx_.store.live().samples(recording_id_, std::numeric_limits<int64_t>::min(),
                                                 static_cast<int64_t>(std::ceil(upper)));
    if (samples.empty()) break;
    // Samples stored since the caller's snapshot count too: the chunk ends the session's
    // data when nothing is stored beyond it.
    const bool has_tail =
        ctx_.store.live().samples(recording_id_, static_cast<int64_t>(std::ceil(upper)),
                                std::numeric_limits<int64_t>::max(), 1).empty();
    if (has_tail) last_t_ms = std::max(last_t_ms, samples.back().t_utc_ms);
    const double usable_end = static_cast<double>(samples.back().t_utc_ms) - (final && has_tail ? 0.0 : w.margin_ms);
    LiveChunk chunk = plan_live_chunk(w, start_ms_, next_window_, samples, usable_end, batch);
    if (chunk.windows.empty()) {
      if (has_tail) {
        // A pass whose samples complete no window still moves the recording's end: without
        // this, its duration would depend on how the worker happened to group the batches.
        if (total == 0) write_segments(last_t_ms, false);
        break;
      }
      span_windows *= 2;  // a long hole inside the chunk: look further ahead
      continue;
    }
    span_windows = static_cast<double>(batch + 1);

    std::vector<size_t> valid;
    for (size_t k = 0; k < chunk.windows.size(); ++k)
      if (chunk.windows[k].status == WindowStatus::Ok) valid.push_back(k);
    input.resize(valid.size() * per_window);
    for (size_t k = 0; k < valid.size(); ++k)
      copy_window(chunk.signal, chunk.windows[valid[k]], L, input.data() + k * per_window);
    std::vector<float> scores(chunk.windows.size() * static_cast<size_t>(n_labels), 0.f);
    std::vector<std::vector<uint16_t>> vectors(chunk.windows.size());  // empty = not encoded
    if (!valid.empty()) {
      emb.resize(valid.size() * static_cast<size_t>(dim));
      ctx_.encoder.encode(input.data(), static_cast<int64_t>(valid.size()), emb.data());
      const auto s = cosine_scores(emb.data(), static_cast<int64_t>(valid.size()), bank);
      for (size_t k = 0; k < valid.size(); ++k) vectors[valid[k]] = stored_embedding(&emb[k * static_cast<size_t>(dim)], dim);
      for (size_t k = 0; k < valid.size(); ++k)
        std::copy_n(&s[k * static_cast<size_t>(n_labels)], n_labels, &scores[valid[k] * static_cast<size_t>(n_labels)]);
    }

    std::vector<WindowTag> tags;
    tags.reserve(chunk.windows.size());
    for (size_t k = 0; k < chunk.windows.size(); ++k) {
      const WindowSpec& spec = chunk.windows[k];
      WindowTag t;
      t.start_s = spec.start_s;
      t.end_s = spec.end_s;
      t.modality = "imu";
      t.valid = spec.status == WindowStatus::Ok;
      const float* row = &scores[k * static_cast<size_t>(n_labels)];
      if (t.valid) {
        for (const auto& ls : top_k(row, n_labels, ctx_.top_k))
          t.labels.push_back({bank.labels[static_cast<size_t>(ls.label)], ls.score});
        t.embedding_f16 = std::move(vectors[k]);
      } else {
        t.invalid_reason = spec.reason;
      }
      tags.push_back(std::move(t));
      segments_.add({spec.start_s, spec.end_s, spec.status == WindowStatus::Ok}, row);
    }
    const int64_t next = next_window_ + static_cast<int64_t>(chunk.windows.size());
    ctx_.store.recordings().append_windows(recording_id_, tags, w.window_start_s(next));
    next_window_ = next;
    write_segments(last_t_ms, false);
    const double keep_from = s0 + static_cast<double>(next_window_) * w.stride_ms() - w.margin_ms;
    ctx_.store.live().trim(recording_id_, static_cast<int64_t>(std::floor(keep_from)));
    total += static_cast<int64_t>(chunk.windows.size());
    if (on_batch) on_batch(next_window_, static_cast<int64_t>(chunk.windows.size()));
  }
  return total;
}

void LiveSession::complete(int64_t last_t_ms) {
  write_segments(last_t_ms, true);
  ctx_.store.live().delete_before(recording_id_, std::numeric_limits<int64_t>::max());
}

void LiveSession::write_segments(int64_t last_t_ms, bool complete) {
  const auto segs = segments_.segments();
  std::vector<Segment> rows;
  std::vector<LogEntry> entries;
  rows.reserve(segs.size());
  entries.reserve(segs.size());
  for (const auto& s : segs) {
    const std::string& label = ctx_.bundle.label_text(s.label);
    rows.push_back({s.start_s, s.end_s, label, s.mean_score, s.n_windows, "imu"});
    LogEntry e;
    e.user_id = user_id_;
    e.recording_id = recording_id_;
    e.offset_ms = static_cast<int64_t>(std::llround(s.start_s * 1000.0));
    e.t_utc_ms = start_ms_ + *e.offset_ms;
    e.duration_ms = static_cast<int64_t>(std::llround((s.end_s - s.start_s) * 1000.0));
    e.modality = "imu";
    e.text = label;
    entries.push_back(std::move(e));
  }
  const double duration_s = std::max(0.0, static_cast<double>(last_t_ms - start_ms_) / 1000.0);
  ctx_.store.recordings().update_live_segments(recording_id_, segments_.from_s(), rows, entries, duration_s,
                                               complete);
  segments_.freeze(segs);
}

}  // namespace imu2clip
