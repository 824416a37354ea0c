#include "tagger/live/live_tagger.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/batch/tag_job.h"
#include "tagger/live/live_session.h"
#include "tagger/live/live_validation.h"
#include "tagger/live/live_windowing.h"
#include "tagger/model/bundle.h"
#include "tagger/model/window_encoder.h"

namespace imu2clip {
namespace {

// What ingest() and the worker share about one session; guarded by Impl::mu.
struct SessionState {
  int64_t user_id = 0;
  int64_t start_ms = 0;
  int64_t next_window = 0;   // first window not yet tagged
  int64_t last_t_ms = 0;     // latest stored sample
  bool open = true;          // still its device's current session
  bool dirty = true;         // has samples the worker has not looked at
  int failures = 0;          // failed passes in a row
  int64_t first_failure_ms = 0;  // Impl::now_ms() of the first of them
  int64_t retry_at_ms = 0;   // while failing: not tagged again before this Impl::now_ms()
  // Set aside (failing for too long): its samples up to set_aside_at_ms no longer count as backlog.
  bool set_aside = false;
  int64_t set_aside_at_ms = 0;
};

}  // namespace

struct LiveTagger::Impl {
  std::string db_path;
  std::shared_ptr<const ModelBundle> bundle;
  LiveTaggerOptions opt;
  LiveWindowing windowing;
  TagOptions batch_defaults;   // gap/validity/segmenter rules shared with the batch tagger

  std::mutex ingest_mu;                  // serialises ingest() and its connection
  std::unique_ptr<LogStore> ingest_store;
  // Held by the worker for each pass over its jobs and by run_exclusive() around a delete.
  std::mutex pass_mu;
  std::atomic<bool> reload_sessions{false};  // a delete ran: drop the in-memory sessions

  mutable std::mutex mu;
  std::condition_variable wake, progressed;
  std::map<int64_t, SessionState> sessions;   // by recording id
  uint64_t ingest_seq = 0;      // ingest() calls that stored something (+1 for a restart backlog)
  uint64_t flush_target = 0;    // a flush waits for a final pass covering this ingest_seq
  uint64_t flushed_seq = 0;     // ingest_seq covered by the latest final pass
  bool paused = false, stopping = false, worker_done = false;
  std::atomic<bool> abandon_flag{false};
  int64_t windows_tagged = 0, samples_ingested = 0;
  int64_t failed_passes = 0, sessions_set_aside_total = 0;
  std::unique_ptr<WindowEncoder> encoder;   // moved to the worker
  std::thread worker;

  double stride_ms() const { return windowing.stride_ms(); }

  // Windows waiting to be tagged: all users' (user_id 0) or one user's.
  int64_t pending_windows_locked(int64_t user_id = 0) const {
    double total = 0;
    for (const auto& [id, s] : sessions) {
      if (user_id != 0 && s.user_id != user_id) continue;
      double t_next = static_cast<double>(s.start_ms) + static_cast<double>(s.next_window) * stride_ms();
      if (s.set_aside) t_next = std::max(t_next, static_cast<double>(s.set_aside_at_ms));
      const double pending = (static_cast<double>(s.last_t_ms) - t_next) / stride_ms();
      if (pending > 0) total += std::floor(pending + 1e-9);
    }
    return static_cast<int64_t>(total);
  }

  double max_lag_s_locked() const {
    double lag_ms = 0;
    for (const auto& [id, s] : sessions) {
      const double tagged_end = s.next_window == 0
                                    ? static_cast<double>(s.start_ms)
                                    : static_cast<double>(s.start_ms) + 1000.0 * windowing.window_start_s(s.next_window - 1) +
                                          windowing.stride_ms();
      lag_ms = std::max(lag_ms, static_cast<double>(s.last_t_ms) - tagged_end);
    }
    return lag_ms / 1000.0;
  }

  int64_t now_ms() const {
    if (opt.clock_ms) return opt.clock_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // Whether the worker should look at the session in this pass: a failing session only once its
  // backoff has passed (then even without new samples), so it is retried, never in a hot loop.
  static bool due(const SessionState& s, int64_t now, bool final) {
    if (s.failures > 0) return now >= s.retry_at_ms;
    return s.dirty || final || !s.open;
  }

  // A pass over `id` threw: back off, and set the session aside once it has failed too often.
  void note_failure_locked(int64_t id, const std::string& what) {
    ++failed_passes;
    auto it = sessions.find(id);
    if (it == sessions.end()) return;
    SessionState& s = it->second;
    const int64_t now = now_ms();
    if (s.failures++ == 0) s.first_failure_ms = now;
    const double backoff_s =
        std::min(opt.max_retry_backoff_s, opt.retry_backoff_s * std::pow(2.0, std::min(s.failures - 1, 30)));
    s.retry_at_ms = now + static_cast<int64_t>(std::llround(backoff_s * 1000.0));
    const double failing_s = static_cast<double>(now - s.first_failure_ms) / 1000.0;
    if (!s.set_aside && (s.failures >= opt.max_failed_passes || failing_s >= opt.max_failing_s)) {
      s.set_aside = true;
      s.set_aside_at_ms = s.last_t_ms;
      ++sessions_set_aside_total;
      spdlog::warn("live tagger: live recording {} of user {} failed {} tagging passes in a row over {:.0f} s; "
                   "set aside: its untagged samples stay stored but no longer count towards the backlog limits, "
                   "and it is retried every {:.0f} s at most. Last error: {}",
                   id, s.user_id, s.failures, failing_s, opt.max_retry_backoff_s, what);
    }
  }

  void note_success_locked(int64_t id) {
    auto it = sessions.find(id);
    if (it == sessions.end() || it->second.failures == 0) return;
    if (it->second.set_aside)
      spdlog::info("live tagger: live recording {} is tagged again after {} failed passes", id, it->second.failures);
    it->second.failures = 0;
    it->second.set_aside = false;
  }

  // A session the tagger has not seen in this process (restart, or all its samples were tagged).
  SessionState state_from_store(LogStore& store, int64_t recording_id, int64_t last_t_ms, bool open) {
    auto rec = store.recordings().find(recording_id);
    SessionState s;
    s.user_id = rec ? rec->user_id : 0;
    s.start_ms = rec && rec->start_utc_ms ? *rec->start_utc_ms : last_t_ms;
    s.next_window = rec ? static_cast<int64_t>(std::llround(rec->tagged_until_s / windowing.window.stride_s)) : 0;
    s.last_t_ms = last_t_ms;
    s.open = open;
    return s;
  }

  void run_worker();
};

LiveTagger::LiveTagger(std::string db_path, std::shared_ptr<const ModelBundle> bundle, LiveTaggerOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  if (!bundle) throw Error(ErrorKind::InvalidInput, "the live tagger needs a model bundle", {"", 0, "bundle"});
  if (options.top_k < 1) throw Error(ErrorKind::InvalidInput, "must be at least 1", {"", 0, "top_k"});
  if (!(options.max_gap_s > 0) || !std::isfinite(options.max_gap_s))
    throw Error(ErrorKind::InvalidInput, "must be a positive number of seconds", {"", 0, "max_gap_s"});
  if (options.max_failed_passes < 1)
    throw Error(ErrorKind::InvalidInput, "must be at least 1", {"", 0, "max_failed_passes"});
  if (!(options.retry_backoff_s > 0) || !(options.max_retry_backoff_s >= options.retry_backoff_s) ||
      !std::isfinite(options.max_retry_backoff_s) || !(options.max_failing_s > 0))
    throw Error(ErrorKind::InvalidInput,
                "must be positive seconds, with max_retry_backoff_s at least retry_backoff_s", {"", 0, "retry_backoff_s"});
  m.db_path = std::move(db_path);
  m.bundle = std::move(bundle);
  m.opt = options;
  m.windowing = LiveWindowing::for_model(m.bundle->encoder.sample_rate_hz, m.bundle->encoder.window_samples,
                                         m.batch_defaults.max_gap_s, m.batch_defaults.min_valid_fraction);
  m.bundle->encoder.gru_steps(m.windowing.window_samples);  // a clear error for unusable windows
  // Acknowledged means on disk: fsync each committed batch, not only at checkpoints.
  DatabaseOptions ingest_options;
  ingest_options.sync_every_commit = true;
  m.ingest_store = std::make_unique<LogStore>(m.db_path, ingest_options);
  m.encoder = make_window_encoder(*m.bundle, m.opt.encoder_threads);

  // Samples stored by an earlier run and not yet tagged: the restart backlog.
  for (const auto& p : m.ingest_store->live().pending()) {
    m.sessions[p.recording_id] = m.state_from_store(*m.ingest_store, p.recording_id, p.last_t_utc_ms, p.open);
  }
  if (!m.sessions.empty()) {
    // The backlog counts as one stored ingest, so flush() and stop() wait for a final pass over
    // it (up to its last sample) even when the worker has already tagged its complete windows.
    m.ingest_seq = 1;
    spdlog::info("live tagger: resuming {} session(s) with {} untagged window(s) from {}", m.sessions.size(),
                 m.pending_windows_locked(), m.db_path);
  }
  m.paused = m.opt.start_paused;
  m.worker = std::thread([&m] { m.run_worker(); });
}

LiveTagger::~LiveTagger() {
  try {
    stop();
  } catch (const std::exception& e) {
    spdlog::error("live tagger: stopping failed: {}", e.what());
  }
}

IngestResult LiveTagger::ingest(int64_t user_id, const ImuSamples& samples) {
  validate_live_samples(samples);
  Impl& m = *impl_;
  std::lock_guard<std::mutex> ingest_lock(m.ingest_mu);
  {
    std::lock_guard<std::mutex> lock(m.mu);
    const int64_t pending = m.pending_windows_locked();
    if (pending >= static_cast<int64_t>(m.opt.max_queue_windows)) {
      throw BusyError("the live tagger is " + std::to_string(pending) + " windows behind (limit " +
                      std::to_string(m.opt.max_queue_windows) + "); retry this batch later");
    }
    // The batch's own windows count: a valid batch of a million samples at a low rate is
    // hours of windows.
    const double span_ms = static_cast<double>(samples.t_utc_ms.back() - samples.t_utc_ms.front());
    const auto batch_windows = static_cast<int64_t>(std::ceil(span_ms / m.stride_ms()));
    const auto user_limit = static_cast<int64_t>(m.opt.max_user_queue_windows);
    if (batch_windows > user_limit)
      throw Error(ErrorKind::InvalidInput,
                  "this batch spans " + std::to_string(batch_windows) + " windows, more than the " +
                      std::to_string(user_limit) + " one user may have waiting; send it in smaller batches",
                  {"", 0, "samples"});
    const int64_t user_pending = m.pending_windows_locked(user_id);
    if (user_pending + batch_windows > user_limit)
      throw BusyError("your live data is " + std::to_string(user_pending) + " windows behind (limit " +
                      std::to_string(user_limit) + " per user, this batch adds " + std::to_string(batch_windows) +
                      "); retry this batch later");
  }
  LiveAppendRequest req;
  req.user_id = user_id;
  req.device = samples.device;
  req.device_kind = samples.device_kind;
  req.model_id = m.bundle->model_id;
  req.max_gap_ms = static_cast<int64_t>(std::llround(m.opt.max_gap_s * 1000.0));
  req.t_utc_ms = samples.t_utc_ms.data();
  req.values = samples.values.data();
  req.n = samples.t_utc_ms.size();
  const LiveAppendResult stored = m.ingest_store->live().append(req);

  IngestResult result;
  result.accepted = static_cast<int64_t>(req.n);
  result.recording_id = stored.parts.back().recording_id;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    for (int64_t closed : stored.closed_recordings) {
      auto it = m.sessions.find(closed);
      if (it == m.sessions.end()) {
        // Not seen by this process: it has no untagged samples, only its stored tail to
        // complete. Its duration so far stands for its last sample time.
        auto rec = m.ingest_store->recordings().find(closed);
        const int64_t last = rec && rec->start_utc_ms
                                 ? *rec->start_utc_ms + static_cast<int64_t>(std::llround(rec->duration_s * 1000))
                                 : 0;
        it = m.sessions.emplace(closed, m.state_from_store(*m.ingest_store, closed, last, false)).first;
      }
      it->second.open = false;
      it->second.dirty = true;
    }
    for (const auto& part : stored.parts) {
      auto it = m.sessions.find(part.recording_id);
      if (it == m.sessions.end()) {
        SessionState s = part.created ? SessionState{user_id, part.start_utc_ms, 0, part.last_t_utc_ms, true, true}
                                      : m.state_from_store(*m.ingest_store, part.recording_id,
                                                           part.last_t_utc_ms, true);
        it = m.sessions.emplace(part.recording_id, s).first;
      }
      it->second.last_t_ms = part.last_t_utc_ms;
      it->second.dirty = true;
      if (&part != &stored.parts.back()) it->second.open = false;
    }
    ++m.ingest_seq;
    m.samples_ingested += result.accepted;
    result.pending_windows = m.pending_windows_locked();
  }
  m.wake.notify_all();
  return result;
}

void LiveTagger::flush() {
  Impl& m = *impl_;
  std::unique_lock<std::mutex> lock(m.mu);
  if (m.worker_done || m.abandon_flag.load()) return;
  m.paused = false;
  const uint64_t target = m.ingest_seq;
  m.flush_target = std::max(m.flush_target, target);
  m.wake.notify_all();
  m.progressed.wait(lock, [&] { return m.flushed_seq >= target || m.worker_done; });
}

void LiveTagger::stop() {
  Impl& m = *impl_;
  flush();
  {
    std::lock_guard<std::mutex> lock(m.mu);
    m.stopping = true;
  }
  m.wake.notify_all();
  if (m.worker.joinable()) m.worker.join();
}

void LiveTagger::run_exclusive(const std::function<void()>& erase) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> ingest_lock(m.ingest_mu);
  std::lock_guard<std::mutex> pass_lock(m.pass_mu);
  // Set first: the worker cannot look at it before pass_mu is released, and a failed delete
  // (rolled back) only costs a reload.
  m.reload_sessions = true;
  erase();
  {
    // Every session is looked at again, a failing one without waiting out its backoff: a
    // deleted one is found gone and forgotten, so it no longer counts as backlog.
    std::lock_guard<std::mutex> lock(m.mu);
    for (auto& [id, s] : m.sessions) {
      s.dirty = true;
      s.retry_at_ms = 0;
    }
  }
  m.wake.notify_all();
}

void LiveTagger::resume() {
  Impl& m = *impl_;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    m.paused = false;
  }
  m.wake.notify_all();
}

void LiveTagger::abandon() {
  Impl& m = *impl_;
  m.abandon_flag = true;
  m.wake.notify_all();
  if (m.worker.joinable()) m.worker.join();
}

LiveStats LiveTagger::stats() const {
  const Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  LiveStats stats{m.windows_tagged, m.samples_ingested, m.pending_windows_locked(), m.max_lag_s_locked()};
  stats.failed_passes = m.failed_passes;
  stats.sessions_set_aside_total = m.sessions_set_aside_total;
  for (const auto& [id, s] : m.sessions) stats.sessions_set_aside += s.set_aside ? 1 : 0;
  return stats;
}

void LiveTagger::Impl::run_worker() {
  std::unique_ptr<LogStore> store;
  std::unique_ptr<LiveSessionContext> ctx;
  std::map<int64_t, std::unique_ptr<LiveSession>> live;
  try {
    store = std::make_unique<LogStore>(db_path);
    ctx = std::make_unique<LiveSessionContext>(
        LiveSessionContext{*store, *bundle, *encoder, windowing, opt.top_k, opt.batch_windows,
                           batch_defaults.segmenter, 24});
  } catch (const std::exception& e) {
    spdlog::error("live tagger: cannot open {}: {}", db_path, e.what());
    std::lock_guard<std::mutex> lock(mu);
    worker_done = true;
    progressed.notify_all();
    return;
  }

  struct Job {
    int64_t id;
    int64_t last_t_ms;
    bool open;
  };
  for (;;) {
    std::vector<Job> jobs;
    bool final = false;
    uint64_t seq = 0;
    {
      std::unique_lock<std::mutex> lock(mu);
      // Work that is due now; a failing session in its backoff is not, even with new samples.
      auto any_due = [&] {
        const int64_t now = now_ms();
        return std::any_of(sessions.begin(), sessions.end(), [&](const auto& kv) {
          const SessionState& s = kv.second;
          return s.failures > 0 ? now >= s.retry_at_ms : s.dirty;
        });
      };
      auto has_work = [&] {
        if (abandon_flag.load()) return true;
        if (paused) return false;
        if (flush_target > flushed_seq || stopping) return true;
        return any_due();
      };
      while (!has_work()) {
        int64_t next_retry = INT64_MAX;
        for (const auto& [id, s] : sessions)
          if (s.failures > 0) next_retry = std::min(next_retry, s.retry_at_ms);
        if (next_retry == INT64_MAX) {
          wake.wait(lock);
        } else {
          // Capped so that a hand-driven clock (tests) is looked at again soon.
          const int64_t wait_ms = std::clamp<int64_t>(next_retry - now_ms(), 1, 100);
          wake.wait_for(lock, std::chrono::milliseconds(wait_ms));
        }
      }
      if (abandon_flag.load()) break;
      if (stopping && flushed_seq >= ingest_seq && !any_due()) break;
      seq = ingest_seq;
      // A flush (or stop) tags everything stored, up to the last sample of every session, except
      // sessions waiting out a backoff (they stay stored for the next pass or run).
      final = flush_target > flushed_seq || stopping;
      const int64_t now = now_ms();
      for (auto& [id, s] : sessions) {
        if (!due(s, now, final)) continue;
        jobs.push_back({id, s.last_t_ms, s.open});
        s.dirty = false;
      }
    }

    std::unique_lock<std::mutex> pass_lock(pass_mu);
    // After a delete the sessions start again from what the database holds, as after a restart.
    if (reload_sessions.exchange(false)) live.clear();
    for (const Job& job : jobs) {
      if (abandon_flag.load()) break;
      try {
        auto it = live.find(job.id);
        if (it == live.end()) it = live.emplace(job.id, std::make_unique<LiveSession>(*ctx, job.id)).first;
        LiveSession& session = *it->second;
        const bool closing = !job.open;
        session.tag(job.last_t_ms, final || closing,
                    [&](int64_t next_window, int64_t n) {
                      std::lock_guard<std::mutex> lock(mu);
                      auto s = sessions.find(job.id);
                      if (s != sessions.end()) s->second.next_window = next_window;
                      windows_tagged += n;
                    },
                    &abandon_flag);
        {
          std::lock_guard<std::mutex> lock(mu);
          note_success_locked(job.id);
        }
        if (closing && !abandon_flag.load()) {
          session.complete(job.last_t_ms);
          live.erase(it);
          std::lock_guard<std::mutex> lock(mu);
          auto s = sessions.find(job.id);
          if (s != sessions.end() && !s->second.open && !s->second.dirty) sessions.erase(s);
        }
      } catch (const Error& e) {
        live.erase(job.id);
        if (e.kind() == ErrorKind::NotFound) {  // the recording was deleted with its samples
          std::lock_guard<std::mutex> lock(mu);
          sessions.erase(job.id);
          continue;
        }
        spdlog::error("live tagger: tagging live recording {} failed: {}", job.id, e.what());
        std::lock_guard<std::mutex> lock(mu);
        note_failure_locked(job.id, e.what());
      } catch (const std::exception& e) {
        // The samples stay stored; the retry after the backoff, or a restart, tags them.
        spdlog::error("live tagger: tagging live recording {} failed: {}", job.id, e.what());
        live.erase(job.id);
        std::lock_guard<std::mutex> lock(mu);
        note_failure_locked(job.id, e.what());
      }
    }
    pass_lock.unlock();

    std::lock_guard<std::mutex> lock(mu);
    if (final) flushed_seq = std::max(flushed_seq, seq);
    progressed.notify_all();
  }
  std::lock_guard<std::mutex> lock(mu);
  worker_done = true;
  progressed.notify_all();
}

}  // namespace imu2clip
