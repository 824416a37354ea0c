#include "tagger/batch/audio_tagger.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>

#include "common/error.h"
#include "common/time/time_zone.h"
#include "storage/log_store.h"
#include "tagger/audio/audio_file.h"
#include "tagger/audio/audio_gate.h"
#include "tagger/model/audio_window_encoder.h"
#include "tagger/model/bundle.h"
#include "tagger/batch/stored_embedding.h"
#include "tagger/zeroshot/label_scores.h"
#include "tagger/zeroshot/segmenter.h"

namespace imu2clip {

AudioWindowScores score_audio_windows(const ModelBundle& bundle, AudioWindowEncoder& encoder, const float* samples,
                                      int64_t n, double offset_s, bool score_partial_tail) {
  const int64_t window = bundle.audio.window_samples;
  const double rate = bundle.sample_rate_hz();
  const int n_labels = static_cast<int>(bundle.label_bank.size());
  const int cols = n_labels + 1;
  AudioWindowScores out;
  int64_t count = n / window;
  if (score_partial_tail && n - count * window >= window / 2) ++count;
  out.windows.resize(static_cast<size_t>(count));
  out.quiet.resize(static_cast<size_t>(count));
  out.embeddings_f16.resize(static_cast<size_t>(count));
  out.scores.assign(static_cast<size_t>(count * cols), -1.f);
  std::vector<float> padded(static_cast<size_t>(window));
  std::vector<float> batch, emb;
  std::vector<int64_t> pending;
  auto flush = [&] {
    if (pending.empty()) return;
    emb.resize(pending.size() * static_cast<size_t>(encoder.dim()));
    encoder.encode(batch.data(), static_cast<int64_t>(pending.size()), emb.data());
    const auto s = cosine_scores(emb.data(), static_cast<int64_t>(pending.size()), bundle.label_bank);
    for (size_t k = 0; k < pending.size(); ++k)
      out.embeddings_f16[static_cast<size_t>(pending[k])] =
          stored_embedding(&emb[k * static_cast<size_t>(encoder.dim())], encoder.dim());
    for (size_t k = 0; k < pending.size(); ++k)
      std::copy_n(&s[k * static_cast<size_t>(n_labels)], n_labels, &out.scores[static_cast<size_t>(pending[k] * cols)]);
    out.encoded += static_cast<int64_t>(pending.size());
    pending.clear();
    batch.clear();
  };
  for (int64_t w = 0; w < count; ++w) {
    const int64_t begin = w * window;
    const int64_t have = std::min(window, n - begin);
    std::fill(padded.begin(), padded.end(), 0.f);
    std::copy_n(samples + begin, have, padded.begin());
    out.windows[static_cast<size_t>(w)] = {offset_s + static_cast<double>(begin) / rate,
                                           offset_s + static_cast<double>(begin + window) / rate, true};
    const GateResult gate = gate_window(padded.data(), window, bundle.audio.gate);
    if (gate.non_finite) {
      // NaN or inf samples: stored as an invalid window, never encoded, and segments split there.
      out.windows[static_cast<size_t>(w)].valid = false;
      continue;
    }
    if (gate.quiet) {
      // Quiet says nothing about which sound it is not (0 for every label) and is certain of
      // itself (1), so smoothing lets a quiet stretch win over its edges' sounds, not a lone
      // quiet window between sounds, and never turns a sound into "quiet" by a negative score.
      out.quiet[static_cast<size_t>(w)] = true;
      std::fill_n(&out.scores[static_cast<size_t>(w * cols)], n_labels, 0.f);
      out.scores[static_cast<size_t>(w * cols + n_labels)] = 1.f;
      continue;
    }
    pending.push_back(w);
    batch.insert(batch.end(), padded.begin(), padded.end());
    if (pending.size() == 64) flush();
  }
  flush();
  return out;
}

struct AudioBatchTagger::Impl {
  LogStore& store;
  const ModelBundle& bundle;
  AudioWindowEncoder& encoder;
  TagOptions opt;
  int64_t user_id = 0, device_id = 0;
  std::string tz;

  Impl(LogStore& s, const ModelBundle& b, AudioWindowEncoder& e, TagOptions o)
      : store(s), bundle(b), encoder(e), opt(std::move(o)) {
    if (!bundle.is_audio())
      throw Error(ErrorKind::InvalidInput, "model " + bundle.model_id + " is not an audio model", {"", 0, "audio-model"});
    if (opt.top_k < 1) throw Error(ErrorKind::InvalidInput, "must be at least 1", {"", 0, "--top-k"});
    auto user = store.users().find(opt.user);
    tz = !opt.tz.empty() ? opt.tz : (user ? user->tz : system_time_zone());
    validate_time_zone(tz);
    user_id = user ? user->id : store.users().ensure(opt.user, tz);
    device_id = store.users().ensure_device(user_id, opt.device, "audio");
  }

  RecordingOutcome tag_one(const TagJob& job, TagSummary& summary, const std::atomic<bool>* stop) {
    RecordingOutcome out;
    out.source_key = job.source_key;
    out.path = job.path;
    auto existing = store.recordings().find_by_source(user_id, job.source_key, bundle.model_id, "audio");
    if (existing && existing->status == "complete" && !opt.force) {
      out.status = RecordingOutcome::Status::AlreadyTagged;
      out.recording_id = existing->id;
      out.reason = "already tagged with audio model " + bundle.model_id + " (use --force to re-tag)";
      out.segments = static_cast<int64_t>(store.recordings().segments(existing->id).size());
      return out;
    }
    AudioClip clip;
    try {
      clip = read_audio_file(job.path, bundle.sample_rate_hz());
    } catch (const Error& e) {
      out.status = RecordingOutcome::Status::Skipped;
      out.reason = e.what();
      return out;
    }
    out.duration_s = static_cast<double>(clip.samples.size()) / clip.sample_rate_hz;
    if (existing && opt.force) {
      store.recordings().remove(existing->id);
      existing.reset();
    }
    const bool resuming = existing.has_value();
    int64_t recording_id;
    double resume_from_s = 0;
    if (resuming) {
      recording_id = existing->id;
      resume_from_s = existing->tagged_until_s;
    } else {
      RecordingRow row;
      row.user_id = user_id;
      row.device_id = device_id;
      row.source_key = job.source_key;
      row.source_path = job.path;
      row.start_utc_ms = job.start_utc_ms;
      row.tz = tz;
      row.duration_s = out.duration_s;
      row.modality = "audio";
      row.model_id = bundle.model_id;
      row.meta = job.meta;
      row.meta["window_s"] = bundle.window_s();
      row.meta["source_rate_hz"] = clip.source_rate_hz;
      row.meta["source_channels"] = clip.source_channels;
      if (clip.truncated) row.meta["truncated"] = true;
      recording_id = store.recordings().create(row);
    }
    out.recording_id = recording_id;

    const AudioWindowScores scored = score_audio_windows(bundle, encoder, clip.samples.data(),
                                                         static_cast<int64_t>(clip.samples.size()), 0.0);
    summary.windows_encoded += scored.encoded;
    const int n_labels = static_cast<int>(bundle.label_bank.size());
    const int cols = n_labels + 1;
    const size_t per_batch = static_cast<size_t>(std::max(1, opt.batch_windows));
    for (size_t b = 0; b < scored.windows.size(); b += per_batch) {
      if (stop && stop->load()) {
        out.status = RecordingOutcome::Status::Interrupted;
        out.reason = "interrupted; re-run the same command to finish";
        return out;
      }
      const size_t e = std::min(scored.windows.size(), b + per_batch);
      std::vector<WindowTag> tags;
      for (size_t i = b; i < e; ++i) {
        if (scored.windows[i].start_s < resume_from_s - 1e-6) continue;
        WindowTag t;
        t.start_s = scored.windows[i].start_s;
        t.end_s = scored.windows[i].end_s;
        t.modality = "audio";
        t.valid = scored.windows[i].valid;
        if (!t.valid) {
          t.invalid_reason = "the audio holds NaN or infinite samples";
        } else if (scored.quiet[i]) {
          t.labels.push_back({kQuietSound, 1.f});
        } else {
          for (const auto& ls : top_k(&scored.scores[i * static_cast<size_t>(cols)], n_labels, opt.top_k))
            t.labels.push_back({bundle.label_bank.labels[static_cast<size_t>(ls.label)], ls.score});
          t.embedding_f16 = scored.embeddings_f16[i];
        }
        tags.push_back(std::move(t));
      }
      const double next_start = e < scored.windows.size() ? scored.windows[e].start_s : out.duration_s;
      if (!tags.empty() || next_start > resume_from_s) store.recordings().append_windows(recording_id, tags, next_start);
    }
    const auto segs =
        segment_windows(scored.windows, scored.scores, cols, calibrated(opt.segmenter, bundle.calibration));
    std::vector<Segment> rows;
    std::vector<LogEntry> entries;
    for (const auto& s : segs) {
      const std::string& label = bundle.label_text(s.label);
      rows.push_back({s.start_s, s.end_s, label, s.mean_score, s.n_windows, "audio"});
      LogEntry le;
      le.user_id = user_id;
      le.recording_id = recording_id;
      le.offset_ms = static_cast<int64_t>(std::llround(s.start_s * 1000.0));
      if (job.start_utc_ms) le.t_utc_ms = *job.start_utc_ms + *le.offset_ms;
      le.duration_ms = static_cast<int64_t>(std::llround((s.end_s - s.start_s) * 1000.0));
      le.modality = "audio";
      le.text = label;
      entries.push_back(std::move(le));
    }
    store.recordings().complete(recording_id, rows, entries);
    out.status = resuming ? RecordingOutcome::Status::Resumed : RecordingOutcome::Status::Tagged;
    out.windows = static_cast<int64_t>(scored.windows.size());
    out.segments = static_cast<int64_t>(rows.size());
    return out;
  }
};

AudioBatchTagger::AudioBatchTagger(LogStore& store, const ModelBundle& bundle, AudioWindowEncoder& encoder,
                                   TagOptions options)
    : impl_(new Impl(store, bundle, encoder, std::move(options))) {}

AudioBatchTagger::~AudioBatchTagger() { delete impl_; }

TagSummary AudioBatchTagger::run(const std::vector<TagJob>& jobs, TagObserver* observer,
                                 const std::atomic<bool>* stop) {
  const auto t0 = std::chrono::steady_clock::now();
  TagSummary summary;
  const double window_s = impl_->bundle.window_s();
  int64_t expected = 0;
  for (const auto& j : jobs)
    if (j.expected_duration_s > 0) expected += static_cast<int64_t>(std::ceil(j.expected_duration_s / window_s));
  if (observer) observer->on_start(jobs.size(), expected);
  int64_t done = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (observer) observer->on_recording_start(i, jobs[i], 0);
    RecordingOutcome out = impl_->tag_one(jobs[i], summary, stop);
    done += out.windows;
    if (observer) {
      observer->on_windows(done);
      observer->on_recording_done(i, out);
    }
    summary.recordings.push_back(out);
    if (out.status == RecordingOutcome::Status::Interrupted || (stop && stop->load() && i + 1 < jobs.size())) {
      summary.interrupted = true;
      break;
    }
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace imu2clip
