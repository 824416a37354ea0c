#include "tagger/live/live_audio_tagger.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/audio/audio_file.h"
#include "tagger/batch/tag_job.h"
#include "tagger/live/live_audio_session.h"
#include "tagger/model/audio_window_encoder.h"
#include "tagger/model/bundle.h"

namespace imu2clip {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

// Full scale 1.0 = 32768, clipped: the inverse of how a PCM16 body is read.
std::vector<int16_t> to_pcm16(const std::vector<float>& x) {
  std::vector<int16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const float v = std::clamp(x[i] * 32768.f, -32768.f, 32767.f);
    out[i] = static_cast<int16_t>(std::lrint(v));
  }
  return out;
}

// What ingest() and the worker share about one session; guarded by Impl::mu.
struct SessionState {
  int64_t user_id = 0;
  int64_t end_samples = 0;      // where its stored audio ends
  int64_t tagged_samples = 0;   // whole windows tagged so far
  bool open = true;             // still its device's current session
  bool dirty = true;            // has audio (or an ending) the worker has not looked at
  Clock::time_point last_ingest = Clock::now();
};

}  // namespace

struct LiveAudioTagger::Impl {
  std::string db_path;
  std::shared_ptr<const ModelBundle> bundle;
  LiveAudioTaggerOptions opt;
  TagOptions batch_defaults;   // the segmenter rules shared with the batch tagger
  int64_t window_samples = 0;
  int rate_hz = 0;

  std::mutex ingest_mu;   // serialises ingest() and idle closing, and their connection
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
  std::unique_ptr<AudioWindowEncoder> encoder;   // used by the worker only
  std::thread worker;

  int64_t pending_windows_locked(std::optional<int64_t> user) const {
    int64_t total = 0;
    for (const auto& [id, s] : sessions) {
      if (user && s.user_id != *user) continue;
      const int64_t left = s.end_samples - s.tagged_samples;
      if (left > 0) total += (left + window_samples - 1) / window_samples;
    }
    return total;
  }

  bool any_dirty_locked() const {
    return std::any_of(sessions.begin(), sessions.end(), [](const auto& kv) { return kv.second.dirty; });
  }

  // When the next open session becomes idle; nullopt when none can (or the worker is paused).
  std::optional<Clock::time_point> idle_deadline_locked() const {
    if (paused || opt.idle_close_s <= 0) return std::nullopt;
    std::optional<Clock::time_point> first;
    const auto idle = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.idle_close_s));
    for (const auto& [id, s] : sessions) {
      if (!s.open) continue;
      const auto at = s.last_ingest + idle;
      if (!first || at < *first) first = at;
    }
    return first;
  }

  std::vector<int64_t> idle_sessions_locked(Clock::time_point now) const {
    std::vector<int64_t> out;
    if (paused || opt.idle_close_s <= 0) return out;
    for (const auto& [id, s] : sessions)
      if (s.open && std::chrono::duration<double>(now - s.last_ingest).count() >= opt.idle_close_s) out.push_back(id);
    return out;
  }

  void close_idle(const std::vector<int64_t>& ids);
  void run_worker();
};

LiveAudioTagger::LiveAudioTagger(std::string db_path, std::shared_ptr<const ModelBundle> bundle,
                                 LiveAudioTaggerOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  if (!bundle) invalid("audio-model", "the live audio tagger needs an audio model bundle");
  if (!bundle->is_audio()) invalid("audio-model", "model " + bundle->model_id + " is an IMU model, not an audio model");
  if (options.top_k < 1) invalid("top_k", "must be at least 1");
  if (!(options.max_gap_s > 0) || !std::isfinite(options.max_gap_s))
    invalid("max_gap_s", "must be a positive number of seconds");
  if (!(options.max_pending_s > 0) || !std::isfinite(options.max_pending_s))
    invalid("max_pending_s", "must be a positive number of seconds");
  if (!(options.idle_close_s >= 0) || !std::isfinite(options.idle_close_s))
    invalid("idle_close_s", "must be 0 (never) or a positive number of seconds");
  if (options.batch_windows < 1) invalid("batch_windows", "must be at least 1");
  m.db_path = std::move(db_path);
  m.bundle = std::move(bundle);
  m.opt = options;
  m.window_samples = m.bundle->audio.window_samples;
  m.rate_hz = static_cast<int>(std::lround(m.bundle->sample_rate_hz()));
  if (m.window_samples < 1 || std::abs(m.bundle->sample_rate_hz() - m.rate_hz) > 1e-9)
    invalid("audio-model", "model " + m.bundle->model_id + " needs a whole-Hz sample rate and a window of samples");
  // Acknowledged means on disk: fsync each committed chunk, not only at checkpoints.
  DatabaseOptions ingest_options;
  ingest_options.sync_every_commit = true;
  m.ingest_store = std::make_unique<LogStore>(m.db_path, ingest_options);
  m.encoder = make_audio_window_encoder(*m.bundle, m.opt.encoder_threads);

  LiveAudioStore& store = m.ingest_store->live_audio();
  // A crash between tagging and deleting leaves tagged audio behind; it goes now.
  if (!m.opt.keep_audio) {
    if (const int64_t n = store.delete_all_tagged(); n > 0)
      spdlog::info("live audio: deleted {} stored chunk(s) that were already tagged", n);
  }
  // Audio stored by an earlier run and not yet tagged: the restart backlog.
  int64_t other_model = 0;
  for (const auto& p : store.pending()) {
    const auto rec = m.ingest_store->recordings().find(p.recording_id);
    if (!rec || rec->model_id != m.bundle->model_id) {
      ++other_model;
      continue;
    }
    SessionState s;
    s.user_id = p.user_id;
    s.end_samples = p.end_samples;
    s.tagged_samples = p.tagged_samples;
    s.open = p.open;
    m.sessions[p.recording_id] = s;
  }
  if (other_model > 0) {
    spdlog::warn("live audio: {} session(s) in {} were recorded for another audio model and stay untagged; serve "
                 "that model to tag them",
                 other_model, m.db_path);
  }
  if (!m.sessions.empty()) {
    // The backlog counts as one stored ingest, so flush() and stop() wait for a pass over it.
    m.ingest_seq = 1;
    spdlog::info("live audio: resuming {} session(s) with {} untagged window(s) from {}", m.sessions.size(),
                 m.pending_windows_locked(std::nullopt), m.db_path);
  }
  m.paused = m.opt.start_paused;
  m.worker = std::thread([&m] { m.run_worker(); });
}

LiveAudioTagger::~LiveAudioTagger() {
  try {
    stop();
  } catch (const std::exception& e) {
    spdlog::error("live audio: stopping failed: {}", e.what());
  }
}

double LiveAudioTagger::sample_rate_hz() const { return impl_->rate_hz; }

double LiveAudioTagger::max_pending_s() const { return impl_->opt.max_pending_s; }

LiveAudioIngestResult LiveAudioTagger::ingest(int64_t user_id, const LiveAudioChunk& chunk) {
  Impl& m = *impl_;
  if (chunk.device.empty() || chunk.device.size() > 200) invalid("device", "the device name must have 1 to 200 characters");
  if (chunk.device_kind.empty()) invalid("device_kind", "the device kind must not be empty");
  if (!(chunk.sample_rate_hz > 0) || !std::isfinite(chunk.sample_rate_hz))
    invalid("sample_rate_hz", "the sample rate must be a positive number of Hz");
  if (chunk.samples.empty()) invalid("samples", "an audio chunk needs at least one sample");
  for (size_t i = 0; i < chunk.samples.size(); ++i) {
    if (!std::isfinite(chunk.samples[i]))
      invalid("samples[" + std::to_string(i) + "]", "the audio holds a NaN or infinite sample");
  }
  const double rate = static_cast<double>(m.rate_hz);
  const std::vector<int16_t> pcm =
      chunk.sample_rate_hz == rate
          ? to_pcm16(chunk.samples)
          : to_pcm16(resample_audio(chunk.samples.data(), chunk.samples.size(), chunk.sample_rate_hz, rate));
  if (pcm.empty()) invalid("samples", "the chunk is shorter than one sample at the model's rate");
  const auto n = static_cast<int64_t>(pcm.size());
  const auto limit = static_cast<int64_t>(std::llround(m.opt.max_pending_s * rate));
  if (n > limit) {
    invalid("samples", "the chunk holds " + seconds_text(static_cast<double>(n) / rate) +
                           " of audio, more than a user's live backlog holds (" + seconds_text(m.opt.max_pending_s) +
                           "); send shorter chunks");
  }

  std::lock_guard<std::mutex> ingest_lock(m.ingest_mu);
  LiveAudioStore& store = m.ingest_store->live_audio();
  // The user's own backlog, with this chunk: one user's backlog never refuses another's audio.
  const int64_t pending = store.pending_samples(user_id, m.bundle->model_id);
  if (pending + n > limit) {
    throw BusyError("this user's untagged audio is " + seconds_text(static_cast<double>(pending) / rate) +
                    " and this chunk adds " + seconds_text(static_cast<double>(n) / rate) + " (limit " +
                    seconds_text(m.opt.max_pending_s) + "); retry this chunk later");
  }
  LiveAudioAppendRequest req;
  req.user_id = user_id;
  req.device = chunk.device;
  req.device_kind = chunk.device_kind;
  req.model_id = m.bundle->model_id;
  req.sample_rate_hz = m.rate_hz;
  req.start_utc_ms = chunk.start_utc_ms;
  req.max_gap_ms = static_cast<int64_t>(std::llround(m.opt.max_gap_s * 1000.0));
  req.pcm16 = pcm.data();
  req.n = pcm.size();
  const LiveAudioAppendResult stored = store.append(req);

  LiveAudioIngestResult result;
  result.accepted_samples = n;
  result.accepted_s = static_cast<double>(n) / rate;
  result.recording_id = stored.recording_id;
  // Sessions this process has not seen yet (continued after a restart, or ended by this chunk)
  // start from their stored state.
  bool know_closed = true, know_current = true;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    know_closed = !stored.closed_recording || m.sessions.count(*stored.closed_recording) > 0;
    know_current = stored.created || m.sessions.count(stored.recording_id) > 0;
  }
  const std::optional<LiveAudioSessionRow> closed_row =
      know_closed ? std::nullopt : store.session(*stored.closed_recording);
  const std::optional<LiveAudioSessionRow> current_row = know_current ? std::nullopt : store.session(stored.recording_id);
  {
    std::lock_guard<std::mutex> lock(m.mu);
    if (stored.closed_recording) {
      auto it = m.sessions.find(*stored.closed_recording);
      if (it == m.sessions.end() && closed_row) {
        SessionState s;
        s.user_id = closed_row->user_id;
        s.end_samples = closed_row->end_samples;
        s.tagged_samples = closed_row->tagged_samples;
        it = m.sessions.emplace(*stored.closed_recording, s).first;
      }
      if (it != m.sessions.end()) {
        it->second.open = false;
        it->second.dirty = true;
      }
    }
    auto it = m.sessions.find(stored.recording_id);
    if (it == m.sessions.end()) {
      SessionState s;
      s.user_id = user_id;
      s.tagged_samples = current_row ? current_row->tagged_samples : 0;
      it = m.sessions.emplace(stored.recording_id, s).first;
    }
    it->second.end_samples = stored.end_samples;
    it->second.open = true;
    it->second.dirty = true;
    it->second.last_ingest = Clock::now();
    ++m.ingest_seq;
    m.samples_ingested += n;
    result.pending_windows = m.pending_windows_locked(user_id);
  }
  m.wake.notify_all();
  return result;
}

void LiveAudioTagger::flush() {
  Impl& m = *impl_;
  std::unique_lock<std::mutex> lock(m.mu);
  if (m.worker_done || m.abandon_flag.load()) return;
  m.paused = false;
  const uint64_t target = m.ingest_seq;
  m.flush_target = std::max(m.flush_target, target);
  m.wake.notify_all();
  m.progressed.wait(lock, [&] { return m.flushed_seq >= target || m.worker_done; });
}

void LiveAudioTagger::stop() {
  Impl& m = *impl_;
  flush();
  {
    std::lock_guard<std::mutex> lock(m.mu);
    m.stopping = true;
  }
  m.wake.notify_all();
  if (m.worker.joinable()) m.worker.join();
}

void LiveAudioTagger::resume() {
  Impl& m = *impl_;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    m.paused = false;
  }
  m.wake.notify_all();
}

void LiveAudioTagger::abandon() {
  Impl& m = *impl_;
  m.abandon_flag = true;
  m.wake.notify_all();
  if (m.worker.joinable()) m.worker.join();
}

LiveAudioStats LiveAudioTagger::stats() const {
  const Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  return LiveAudioStats{m.windows_tagged, m.samples_ingested,
                        static_cast<double>(m.samples_ingested) / static_cast<double>(m.rate_hz),
                        m.pending_windows_locked(std::nullopt)};
}

void LiveAudioTagger::run_exclusive(const std::function<void()>& erase) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> ingest_lock(m.ingest_mu);
  std::lock_guard<std::mutex> pass_lock(m.pass_mu);
  m.reload_sessions = true;
  erase();
  {
    // Every session is looked at again: a deleted one is found gone and forgotten.
    std::lock_guard<std::mutex> lock(m.mu);
    for (auto& [id, s] : m.sessions) s.dirty = true;
  }
  m.wake.notify_all();
}

void LiveAudioTagger::Impl::close_idle(const std::vector<int64_t>& ids) {
  // ingest_mu first, as ingest() takes it: no chunk can land in a session while it is closed.
  std::lock_guard<std::mutex> ingest_lock(ingest_mu);
  for (int64_t id : ids) {
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = sessions.find(id);
      if (it == sessions.end() || !it->second.open) continue;
      const double idle = std::chrono::duration<double>(Clock::now() - it->second.last_ingest).count();
      if (idle < opt.idle_close_s) continue;  // a chunk arrived meanwhile
    }
    try {
      const auto row = ingest_store->live_audio().close(id);
      std::lock_guard<std::mutex> lock(mu);
      auto it = sessions.find(id);
      if (it == sessions.end()) continue;
      if (!row) {
        sessions.erase(it);
        continue;
      }
      it->second.open = false;
      it->second.end_samples = row->end_samples;
      it->second.dirty = true;
    } catch (const std::exception& e) {
      spdlog::error("live audio: ending idle session {} failed: {}", id, e.what());
      std::lock_guard<std::mutex> lock(mu);
      if (auto it = sessions.find(id); it != sessions.end()) it->second.last_ingest = Clock::now();  // retry later
    }
  }
}

void LiveAudioTagger::Impl::run_worker() {
  std::unique_ptr<LogStore> store;
  std::unique_ptr<LiveAudioSessionContext> ctx;
  std::map<int64_t, std::unique_ptr<LiveAudioSession>> live;
  try {
    store = std::make_unique<LogStore>(db_path);
    ctx = std::make_unique<LiveAudioSessionContext>(LiveAudioSessionContext{
        *store, *bundle, *encoder, opt.top_k, opt.batch_windows, opt.keep_audio, batch_defaults.segmenter, 24});
  } catch (const std::exception& e) {
    spdlog::error("live audio: cannot open {}: {}", db_path, e.what());
    std::lock_guard<std::mutex> lock(mu);
    worker_done = true;
    progressed.notify_all();
    return;
  }

  struct Job {
    int64_t id;
    int64_t end_samples;
    bool open;
  };
  for (;;) {
    std::vector<Job> jobs;
    std::vector<int64_t> idle;
    bool final = false;
    uint64_t seq = 0;
    {
      std::unique_lock<std::mutex> lock(mu);
      auto has_work = [&] {
        if (abandon_flag.load()) return true;
        if (paused) return false;
        return flush_target > flushed_seq || stopping || any_dirty_locked();
      };
      if (const auto deadline = idle_deadline_locked()) {
        wake.wait_until(lock, *deadline, has_work);
      } else {
        wake.wait(lock, has_work);
      }
      if (abandon_flag.load()) break;
      idle = idle_sessions_locked(Clock::now());
      if (idle.empty()) {
        if (!has_work()) continue;
        if (stopping && flushed_seq >= ingest_seq && !any_dirty_locked()) break;
        seq = ingest_seq;
        final = flush_target > flushed_seq || stopping;
        for (auto& [id, s] : sessions) {
          if (!s.dirty && !final && s.open) continue;
          jobs.push_back({id, s.end_samples, s.open});
          s.dirty = false;
        }
      }
    }
    if (!idle.empty()) {
      close_idle(idle);
      continue;
    }

    std::unique_lock<std::mutex> pass_lock(pass_mu);
    // After a delete the sessions start again from what the database holds, as after a restart.
    if (reload_sessions.exchange(false)) live.clear();
    for (const Job& job : jobs) {
      if (abandon_flag.load()) break;
      try {
        auto it = live.find(job.id);
        if (it == live.end()) it = live.emplace(job.id, std::make_unique<LiveAudioSession>(*ctx, job.id)).first;
        LiveAudioSession& session = *it->second;
        const bool closing = !job.open;
        session.tag(job.end_samples, closing,
                    [&](int64_t next_window, int64_t n) {
                      std::lock_guard<std::mutex> lock(mu);
                      auto s = sessions.find(job.id);
                      if (s != sessions.end()) s->second.tagged_samples = next_window * window_samples;
                      windows_tagged += n;
                    },
                    &abandon_flag);
        if (closing && !abandon_flag.load()) {
          session.complete(job.end_samples);
          live.erase(it);
          std::lock_guard<std::mutex> lock(mu);
          auto s = sessions.find(job.id);
          if (s != sessions.end() && !s->second.open && !s->second.dirty) sessions.erase(s);
        }
      } catch (const Error& e) {
        live.erase(job.id);
        if (e.kind() == ErrorKind::NotFound || e.kind() == ErrorKind::InvalidInput) {
          // Deleted with its audio, or recorded for another model: nothing this tagger can do.
          spdlog::warn("live audio: leaving session {}: {}", job.id, e.what());
          std::lock_guard<std::mutex> lock(mu);
          sessions.erase(job.id);
          continue;
        }
        spdlog::error("live audio: tagging live session {} failed: {}", job.id, e.what());
      } catch (const std::exception& e) {
        // The audio stays stored; the next chunk or a restart retries it.
        spdlog::error("live audio: tagging live session {} failed: {}", job.id, e.what());
        live.erase(job.id);
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
