#include "tagger/batch/batch_tagger.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <future>
#include <optional>

#include "common/error.h"
#include "common/time/time_zone.h"
#include "storage/log_store.h"
#include "tagger/io/imu_csv.h"
#include "tagger/io/imu_units.h"
#include "tagger/model/bundle.h"
#include "tagger/model/window_encoder.h"
#include "tagger/signal/resample.h"
#include "tagger/signal/window.h"
#include "tagger/batch/stored_embedding.h"
#include "tagger/zeroshot/label_scores.h"
#include "tagger/zeroshot/segmenter.h"

namespace imu2clip {

const char* to_string(RecordingOutcome::Status s) {
  switch (s) {
    case RecordingOutcome::Status::Tagged: return "tagged";
    case RecordingOutcome::Status::Resumed: return "resumed";
    case RecordingOutcome::Status::AlreadyTagged: return "already tagged";
    case RecordingOutcome::Status::Skipped: return "skipped";
    case RecordingOutcome::Status::Interrupted: return "interrupted";
  }
  return "?";
}

int64_t TagSummary::count(RecordingOutcome::Status s) const {
  int64_t n = 0;
  for (const auto& r : recordings) n += r.status == s;
  return n;
}

namespace {

// A recording read, resampled and cut into windows, ready for the encoder. Built on a
// background thread while the previous recording is being encoded.
struct Prepared {
  std::optional<UniformSignal> signal;
  std::vector<WindowSpec> windows;
  ReadReport report;
  double duration_s = 0;
  std::string error;   // non-empty: the recording is skipped with this reason
};

Prepared prepare(const TagJob& job, double rate_hz, const WindowOptions& wopt, double max_gap_s,
                 const ImuUnits& units, const ImuUnitFields& unit_fields) {
  Prepared p;
  try {
    ImuSeries series = read_imu_file(job.path, &p.report);
    try {
      apply_imu_units(series, units, unit_fields);
    } catch (const Error& e) {
      // The reader names no file here; the reason must say which recording it is.
      throw Error(e.kind(), e.message(), ErrorContext{job.path, 0, e.context().field});
    }
    p.duration_s = series.duration_s();
    ResampleOptions ropt;
    ropt.target_rate_hz = rate_hz;
    ropt.max_gap_s = max_gap_s;
    p.signal = resample(series, ropt);
    p.windows = plan_windows(*p.signal, wopt).windows;
  } catch (const Error& e) {
    p.error = e.what();
  } catch (const std::bad_alloc&) {
    p.error = job.path + ": not enough memory to load this recording";
  } catch (const std::exception& e) {
    p.error = job.path + ": " + e.what();
  }
  return p;
}

nlohmann::json window_json(const std::string& key, const WindowTag& w) {
  nlohmann::json labels = nlohmann::json::array();
  for (const auto& l : w.labels) labels.push_back({{"label", l.label}, {"score", l.score}});
  nlohmann::json j = {{"recording", key}, {"start_s", w.start_s}, {"end_s", w.end_s}, {"labels", labels}};
  if (!w.valid) {
    j["valid"] = false;
    j["reason"] = w.invalid_reason;
  }
  return j;
}

}  // namespace

struct BatchTagger::Impl {
  LogStore& store;
  const ModelBundle& bundle;
  WindowEncoder& encoder;
  TagOptions opt;
  WindowOptions wopt;
  int window_samples = 0;
  int64_t user_id = 0, device_id = 0;
  std::string tz;
  std::ofstream jsonl;

  Impl(LogStore& s, const ModelBundle& b, WindowEncoder& e, TagOptions o)
      : store(s), bundle(b), encoder(e), opt(std::move(o)) {
    const double rate = bundle.encoder.sample_rate_hz;
    const double window_s = opt.window_s > 0 ? opt.window_s : bundle.window_s();
    wopt.size_s = window_s;
    wopt.stride_s = opt.stride_s > 0 ? opt.stride_s : window_s;
    wopt.max_gap_s = opt.max_gap_s;
    wopt.min_valid_fraction = opt.min_valid_fraction;
    window_samples = static_cast<int>(std::lround(window_s * rate));
    encoder.options().gru_steps(window_samples);  // throws a clear error for too-short windows
    if (opt.top_k < 1) throw Error(ErrorKind::InvalidInput, "must be at least 1", {"", 0, "--top-k"});
    if (opt.batch_windows < 1) opt.batch_windows = 1;

    auto user = store.users().find(opt.user);
    // A new user's log is shown in this machine's zone unless told otherwise.
    tz = !opt.tz.empty() ? opt.tz : (user ? user->tz : system_time_zone());
    validate_time_zone(tz);
    user_id = user ? user->id : store.users().ensure(opt.user, tz);
    device_id = store.users().ensure_device(user_id, opt.device, "imu");
    if (!opt.jsonl_path.empty()) {
      jsonl.open(opt.jsonl_path, std::ios::out | std::ios::trunc);
      if (!jsonl) throw Error(ErrorKind::Io, "cannot write the JSONL file", {opt.jsonl_path, 0, "--jsonl"});
    }
  }

  void write_jsonl(const std::string& key, int64_t recording_id) {
    if (!jsonl.is_open()) return;
    for (const auto& w : store.recordings().windows(recording_id)) jsonl << window_json(key, w).dump() << '\n';
    jsonl.flush();
  }

  RecordingOutcome tag_one(size_t index, const TagJob& job, Prepared& prep, TagObserver* obs,
                           const std::atomic<bool>* stop, int64_t& windows_done_total,
                           TagSummary& summary) {
    RecordingOutcome out;
    out.source_key = job.source_key;
    out.path = job.path;
    out.duration_s = prep.duration_s;

    auto existing = store.recordings().find_by_source(user_id, job.source_key, bundle.model_id);
    if (existing && existing->status == "complete" && !opt.force) {
      out.status = RecordingOutcome::Status::AlreadyTagged;
      out.recording_id = existing->id;
      out.reason = "already tagged with model " + bundle.model_id + " (use --force to re-tag)";
      out.segments = static_cast<int64_t>(store.recordings().segments(existing->id).size());
      write_jsonl(job.source_key, existing->id);
      return out;
    }
    if (!prep.error.empty()) {
      out.status = RecordingOutcome::Status::Skipped;
      out.reason = prep.error;
      return out;
    }
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
      row.duration_s = prep.duration_s;
      row.modality = "imu";
      row.model_id = bundle.model_id;
      row.meta = job.meta;
      row.meta["window_s"] = wopt.size_s;
      row.meta["stride_s"] = wopt.stride_s;
      row.meta["rows_read"] = prep.report.rows;
      row.meta["read_report"] = prep.report.summary();
      row.meta["rows_dropped"] = prep.report.dropped;
      recording_id = store.recordings().create(row);
    }
    out.recording_id = recording_id;

    const auto& windows = prep.windows;
    const auto& signal = *prep.signal;
    const int n_labels = static_cast<int>(bundle.label_bank.size());
    const int dim = encoder.dim();
    const size_t per_window = static_cast<size_t>(6) * static_cast<size_t>(window_samples);
    std::vector<float> scores(windows.size() * static_cast<size_t>(n_labels), 0.f);
    std::vector<float> input, emb;
    if (obs) obs->on_recording_start(index, job, static_cast<int64_t>(windows.size()));

    for (size_t b = 0; b < windows.size(); b += static_cast<size_t>(opt.batch_windows)) {
      if (stop && stop->load()) {
        out.status = RecordingOutcome::Status::Interrupted;
        out.reason = "interrupted; re-run the same command to finish";
        return out;
      }
      const size_t e = std::min(windows.size(), b + static_cast<size_t>(opt.batch_windows));
      std::vector<size_t> valid_idx;
      std::vector<std::vector<uint16_t>> batch_vectors(e - b);  // per window of the batch; empty = not encoded
      for (size_t i = b; i < e; ++i)
        if (windows[i].status == WindowStatus::Ok) valid_idx.push_back(i);
      input.resize(valid_idx.size() * per_window);
      for (size_t k = 0; k < valid_idx.size(); ++k)
        copy_window(signal, windows[valid_idx[k]], window_samples, input.data() + k * per_window);
      emb.resize(valid_idx.size() * static_cast<size_t>(dim));
      if (!valid_idx.empty()) {
        encoder.encode(input.data(), static_cast<int64_t>(valid_idx.size()), emb.data());
        summary.windows_encoded += static_cast<int64_t>(valid_idx.size());
        auto s = cosine_scores(emb.data(), static_cast<int64_t>(valid_idx.size()), bundle.label_bank);
        for (size_t k = 0; k < valid_idx.size(); ++k)
          batch_vectors[valid_idx[k] - b] = stored_embedding(&emb[k * static_cast<size_t>(dim)], dim);
        for (size_t k = 0; k < valid_idx.size(); ++k)
          std::copy_n(&s[k * static_cast<size_t>(n_labels)], n_labels,
                      &scores[valid_idx[k] * static_cast<size_t>(n_labels)]);
      }
      // Windows committed by an interrupted earlier run were encoded again above (their
      // scores feed the segmenter) but are not written twice.
      std::vector<WindowTag> tags;
      for (size_t i = b; i < e; ++i) {
        if (windows[i].start_s < resume_from_s - 1e-6) continue;
        WindowTag t;
        t.start_s = windows[i].start_s;
        t.end_s = windows[i].end_s;
        t.modality = "imu";
        t.valid = windows[i].status == WindowStatus::Ok;
        if (t.valid) {
          for (const auto& ls : top_k(&scores[i * static_cast<size_t>(n_labels)], n_labels, opt.top_k))
            t.labels.push_back({bundle.label_bank.labels[static_cast<size_t>(ls.label)], ls.score});
          t.embedding_f16 = std::move(batch_vectors[i - b]);
        } else {
          t.invalid_reason = windows[i].reason;
          ++out.invalid_windows;
        }
        tags.push_back(std::move(t));
      }
      const double next_start = e < windows.size() ? windows[e].start_s : signal.time_of(signal.size());
      if (!tags.empty() || next_start > resume_from_s) {
        store.recordings().append_windows(recording_id, tags, next_start);
      }
      windows_done_total += static_cast<int64_t>(e - b);
      if (obs) obs->on_windows(windows_done_total);
    }

    std::vector<ScoredWindow> sw;
    sw.reserve(windows.size());
    for (const auto& w : windows) sw.push_back({w.start_s, w.end_s, w.status == WindowStatus::Ok});
    const auto segs = segment_windows(sw, scores, n_labels, calibrated(opt.segmenter, bundle.calibration));
    std::vector<Segment> rows;
    std::vector<LogEntry> entries;
    for (const auto& s : segs) {
      const std::string& label = bundle.label_text(s.label);
      rows.push_back({s.start_s, s.end_s, label, s.mean_score, s.n_windows, "imu"});
      LogEntry le;
      le.user_id = user_id;
      le.recording_id = recording_id;
      le.offset_ms = static_cast<int64_t>(std::llround(s.start_s * 1000.0));
      if (job.start_utc_ms) le.t_utc_ms = *job.start_utc_ms + *le.offset_ms;
      le.duration_ms = static_cast<int64_t>(std::llround((s.end_s - s.start_s) * 1000.0));
      le.modality = "imu";
      le.text = label;
      entries.push_back(std::move(le));
    }
    store.recordings().complete(recording_id, rows, entries);
    out.status = resuming ? RecordingOutcome::Status::Resumed : RecordingOutcome::Status::Tagged;
    out.windows = static_cast<int64_t>(windows.size());
    out.segments = static_cast<int64_t>(rows.size());
    write_jsonl(job.source_key, recording_id);
    return out;
  }
};

BatchTagger::BatchTagger(LogStore& store, const ModelBundle& bundle,
                         WindowEncoder& encoder, TagOptions options)
    : impl_(new Impl(store, bundle, encoder, std::move(options))) {}

BatchTagger::~BatchTagger() { delete impl_; }

TagSummary BatchTagger::run(const std::vector<TagJob>& jobs, TagObserver* observer,
                            const std::atomic<bool>* stop) {
  const auto t0 = std::chrono::steady_clock::now();
  TagSummary summary;
  const double rate = impl_->bundle.encoder.sample_rate_hz;
  int64_t expected = 0;
  for (const auto& j : jobs)
    if (j.expected_duration_s > 0)
      expected += static_cast<int64_t>(std::floor((j.expected_duration_s - impl_->wopt.size_s) / impl_->wopt.stride_s)) + 1;
  if (observer) observer->on_start(jobs.size(), expected);

  // Finished recordings are skipped without reading their files; the rest are read and
  // resampled one ahead of the encoder.
  std::vector<bool> finished(jobs.size(), false);
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto r = impl_->store.recordings().find_by_source(impl_->user_id, jobs[i].source_key, impl_->bundle.model_id);
    finished[i] = r && r->status == "complete" && !impl_->opt.force;
  }
  auto next_to_prepare = [&](size_t from) {
    while (from < jobs.size() && finished[from]) ++from;
    return from;
  };
  auto launch = [&](size_t i) {
    return std::async(std::launch::async, prepare, std::cref(jobs[i]), rate, impl_->wopt, impl_->opt.max_gap_s,
                      std::cref(impl_->opt.units), std::cref(impl_->opt.unit_fields));
  };
  int64_t windows_done = 0;
  size_t prepared_index = next_to_prepare(0);
  std::future<Prepared> next;
  if (prepared_index < jobs.size()) next = launch(prepared_index);
  for (size_t i = 0; i < jobs.size(); ++i) {
    Prepared prep;
    if (!finished[i]) {
      prep = next.get();
      prepared_index = next_to_prepare(i + 1);
      if (prepared_index < jobs.size() && !(stop && stop->load())) next = launch(prepared_index);
    }
    RecordingOutcome out = impl_->tag_one(i, jobs[i], prep, observer, stop, windows_done, summary);
    if (observer) observer->on_recording_done(i, out);
    summary.recordings.push_back(out);
    if (out.status == RecordingOutcome::Status::Interrupted) {
      summary.interrupted = true;
      break;
    }
    if (stop && stop->load() && i + 1 < jobs.size()) {
      summary.interrupted = true;
      break;
    }
  }
  if (next.valid()) next.wait();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace imu2clip
