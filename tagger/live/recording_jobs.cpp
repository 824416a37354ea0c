#include "tagger/live/recording_jobs.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/batch/batch_tagger.h"
#include "tagger/io/imu_csv.h"
#include "tagger/model/bundle.h"
#include "tagger/model/window_encoder.h"

namespace fs = std::filesystem;

namespace imu2clip {
namespace {

struct JobSpec {
  std::string path, format, tz, device;
  std::optional<int64_t> start_utc_ms;
  ImuUnits units;
};

// "name.csv.gz" -> "name": the upload's identity in the user's recordings.
std::string file_stem(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  for (const char* ext : {".gz", ".csv"}) {
    const size_t n = std::char_traits<char>::length(ext);
    if (name.size() > n && name.compare(name.size() - n, n, ext) == 0) name.resize(name.size() - n);
  }
  return name;
}

// What the uploader reads in GET /v1/jobs/{id}: what was wrong with the file and where in it,
// never the server's path to it; a failure that is not about the input stays in the server log.
std::string job_error_for_user(const std::exception& error) {
  if (const auto* e = dynamic_cast<const Error*>(&error)) {
    if (e->kind() == ErrorKind::InvalidInput || e->kind() == ErrorKind::Corrupt || e->kind() == ErrorKind::NotFound) {
      ErrorContext where = e->context();
      where.file = where.file.empty() ? "" : "the uploaded file";
      return format_error(e->message(), where);
    }
  }
  return "tagging failed on the server; the server log has the details";
}

bool inside(const fs::path& dir, const fs::path& file) {
  const auto d = fs::weakly_canonical(dir), f = fs::weakly_canonical(file);
  auto mismatch = std::mismatch(d.begin(), d.end(), f.begin(), f.end());
  return mismatch.first == d.end();
}

// The name a job row keeps: the file relative to the upload folder ("u3/1700000000000-ab.csv"),
// so the row holds no server path and the folder may move between runs.
std::string upload_name(const std::string& upload_dir, const std::string& path) {
  if (upload_dir.empty()) return fs::absolute(path).generic_string();
  return fs::weakly_canonical(path).lexically_relative(fs::weakly_canonical(upload_dir)).generic_string();
}

std::string upload_path(const std::string& upload_dir, const std::string& name) {
  if (upload_dir.empty() || fs::path(name).is_absolute()) return name;
  return (fs::path(upload_dir) / name).string();
}

const char* accel_name(AccelUnit u) {
  return u == AccelUnit::G ? "g" : u == AccelUnit::MetersPerSecond2 ? "m/s^2" : "auto";
}
const char* gyro_name(GyroUnit u) {
  return u == GyroUnit::DegPerSecond ? "deg/s" : u == GyroUnit::RadPerSecond ? "rad/s" : "auto";
}

// What a job row keeps of a JobSpec (everything but the path, which is the row's upload_name).
nlohmann::json spec_options(const JobSpec& spec) {
  return {{"format", spec.format},
          {"tz", spec.tz},
          {"device", spec.device},
          {"start_utc_ms", spec.start_utc_ms ? nlohmann::json(*spec.start_utc_ms) : nlohmann::json()},
          {"accel_units", accel_name(spec.units.accel)},
          {"gyro_units", gyro_name(spec.units.gyro)}};
}

// Throws (nlohmann or InvalidInput) when the row's options are not what spec_options wrote.
JobSpec spec_of(const UploadJobRow& row, const std::string& upload_dir) {
  const auto& o = row.options;
  JobSpec spec;
  spec.path = upload_path(upload_dir, row.upload_name);
  spec.format = o.at("format").get<std::string>();
  spec.tz = o.at("tz").get<std::string>();
  spec.device = o.at("device").get<std::string>();
  if (!o.at("start_utc_ms").is_null()) spec.start_utc_ms = o.at("start_utc_ms").get<int64_t>();
  const std::string accel = o.at("accel_units").get<std::string>(), gyro = o.at("gyro_units").get<std::string>();
  if (accel != "auto") spec.units.accel = parse_accel_unit(accel, "accel_units");
  if (gyro != "auto") spec.units.gyro = parse_gyro_unit(gyro, "gyro_units");
  return spec;
}

// Progress of the single recording a job tags: windows done / windows planned.
class JobProgress : public TagObserver {
 public:
  explicit JobProgress(std::function<void(double)> report) : report_(std::move(report)) {}
  void on_recording_start(size_t, const TagJob&, int64_t windows) override { windows_ = windows; }
  void on_windows(int64_t done) override {
    if (windows_ > 0) report_(std::min(0.99, static_cast<double>(done) / static_cast<double>(windows_)));
  }

 private:
  std::function<void(double)> report_;
  int64_t windows_ = 0;
};

}  // namespace

struct RecordingJobs::Impl {
  std::string db_path;
  std::shared_ptr<const ModelBundle> bundle;
  std::string upload_dir;

  // A job that is queued or running: what the worker needs, and its progress (kept here only:
  // written per batch of windows, it is not worth a database write).
  struct Pending {
    int64_t user_id = 0;
    JobSpec spec;
    double progress = 0;
  };

  mutable std::mutex mu;  // guards everything below, `jobs_db` included
  std::condition_variable wake, idle;
  // The job rows' connection: submit and status come from HTTP threads, transitions from the
  // worker, which tags on a connection of its own. Commits are synced: a 202 promises the job.
  std::unique_ptr<LogStore> jobs_db;
  std::deque<int64_t> queue;
  std::map<int64_t, Pending> pending;
  std::map<std::string, int64_t> counts;  // by state, as in the database
  int64_t last_id = 0;                    // the newest job this process knows of
  bool stopping = false, busy = false;
  std::atomic<bool> stop_flag{false};
  std::mutex pass_mu;  // held by the worker while a job runs and by run_exclusive() around a delete
  std::thread worker;

  void move_count(const std::string& from, const std::string& to) {
    if (!from.empty()) --counts[from];
    ++counts[to];
  }

  // Queues again what a previous run left queued or running. Called before the worker starts.
  void take_up_unfinished() {
    int64_t requeued = 0, gone = 0;
    for (const UploadJobRow& row : jobs_db->upload_jobs().unfinished()) {
      std::optional<JobSpec> spec;
      std::string problem;
      try {
        spec = spec_of(row, upload_dir);
        if (!fs::is_regular_file(spec->path))
          problem = "the uploaded file was gone when the server restarted, so it was never tagged; upload it again";
      } catch (const std::exception& e) {
        spdlog::warn("upload job {}: unreadable options {}: {}", row.id, row.options.dump(), e.what());
        problem = "the job's stored settings could not be read after a server restart; upload the file again";
      }
      if (!problem.empty()) {
        jobs_db->upload_jobs().finish_failed(row.id, problem);
        ++gone;
        continue;
      }
      if (row.state == "running") jobs_db->upload_jobs().set_state(row.id, "queued");
      pending[row.id] = Pending{row.user_id, *spec, 0};
      queue.push_back(row.id);
      ++requeued;
    }
    if (requeued > 0) spdlog::info("{} upload job(s) left by an earlier run queued again", requeued);
    if (gone > 0) spdlog::warn("{} upload job(s) left by an earlier run failed: their files are gone", gone);
    counts = jobs_db->upload_jobs().count_by_state();
    last_id = jobs_db->upload_jobs().last_id();
  }

  void set_progress(int64_t id, double p) {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = pending.find(id); it != pending.end()) it->second.progress = p;
  }

  // Tags the job's file; its row is written by the caller. nullopt: interrupted by stop().
  std::optional<std::pair<int64_t, nlohmann::json>> run_job(int64_t id, const JobSpec& spec,
                                                            std::unique_ptr<LogStore>& store,
                                                            std::unique_ptr<WindowEncoder>& encoder, int64_t user_id) {
    if (spec.format != "auto") {
      const ImuFileFormat found = detect_imu_file_format(spec.path);
      const bool ok = spec.format == "csv" ? found == ImuFileFormat::Canonical : found == ImuFileFormat::Ego4d;
      if (!ok) {
        throw Error(ErrorKind::InvalidInput,
                    std::string("the file looks like ") +
                        (found == ImuFileFormat::Ego4d ? "an Ego4D IMU CSV" : "a canonical IMU CSV") +
                        ", not format '" + spec.format + "'; upload it with format=auto",
                    {spec.path, 0, "format"});
      }
    }
    if (!store) store = std::make_unique<LogStore>(db_path);
    if (!encoder) encoder = make_window_encoder(*bundle, 1);
    const UserRow user = store->users().get(user_id);

    TagOptions options;
    options.user = user.name;
    options.tz = spec.tz;
    options.device = spec.device.empty() ? "upload" : spec.device;
    options.units = spec.units;
    options.unit_fields = {"accel_units", "accel_units=g", "gyro_units", "gyro_units=deg/s"};
    TagJob job;
    // The file's unique name keys its recording: a job run again after a restart resumes (or
    // finds complete) the recording its first run began instead of making a second one.
    job.source_key = "upload:" + file_stem(spec.path);
    job.path = spec.path;
    job.start_utc_ms = spec.start_utc_ms;
    job.meta = {{"upload", fs::path(spec.path).filename().string()}, {"format", spec.format}};

    JobProgress progress([&](double p) { set_progress(id, p); });
    BatchTagger tagger(*store, *bundle, *encoder, options);
    const TagSummary summary = tagger.run({job}, &progress, &stop_flag);
    if (summary.recordings.empty()) {
      throw Error(ErrorKind::Internal, "the batch tagger reported no outcome", {spec.path, 0, ""});
    }
    const RecordingOutcome& out = summary.recordings.front();
    switch (out.status) {
      case RecordingOutcome::Status::Skipped: {
        // The reason names the file by the server's path; the uploader knows it as their file.
        std::string reason = out.reason;
        for (size_t at; (at = reason.find(spec.path)) != std::string::npos;)
          reason.replace(at, spec.path.size(), "the uploaded file");
        throw Error(ErrorKind::InvalidInput, reason);
      }
      case RecordingOutcome::Status::Interrupted: return std::nullopt;
      default: break;
    }
    const auto windows = store->recordings().windows(out.recording_id);
    const auto segments = store->recordings().segments(out.recording_id);
    const auto rec = store->recordings().find(out.recording_id);
    int64_t invalid = 0;
    for (const auto& w : windows) invalid += !w.valid;
    return std::make_pair(out.recording_id,
                          nlohmann::json{{"windows", static_cast<int64_t>(windows.size())},
                                         {"invalid_windows", invalid},
                                         {"segments", static_cast<int64_t>(segments.size())},
                                         {"duration_s", rec ? rec->duration_s : out.duration_s},
                                         {"outcome", to_string(out.status)},
                                         {"model_id", bundle->model_id}});
  }

  // Writes a job's new state under `mu`; false when its row is gone (its user was deleted by
  // another process, e.g. `imu2clip user delete`): the job is then forgotten and the counts are
  // read again. Any other failure (the database busy past its timeout) is logged and the job goes
  // on: its row catches up at its next change.
  bool write_row(int64_t id, const std::function<void(UploadJobStore&)>& change) {
    try {
      change(jobs_db->upload_jobs());
      return true;
    } catch (const Error& e) {
      spdlog::warn("upload job {}: cannot record its state: {}", id, e.what());
      if (e.kind() != ErrorKind::NotFound) return true;
      try {
        counts = jobs_db->upload_jobs().count_by_state();
      } catch (const Error& again) {
        spdlog::warn("upload jobs: cannot count them: {}", again.what());
      }
      return false;
    }
  }

  void run_worker() {
    std::unique_ptr<LogStore> store;
    std::unique_ptr<WindowEncoder> encoder;
    for (;;) {
      int64_t id = 0, user_id = 0;
      JobSpec spec;
      {
        std::unique_lock<std::mutex> lock(mu);
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) break;
        id = queue.front();
        queue.pop_front();
        const Pending& job = pending.at(id);
        spec = job.spec;
        user_id = job.user_id;
        if (!write_row(id, [&](UploadJobStore& s) { s.set_state(id, "running"); })) {
          pending.erase(id);
          std::error_code ignored;
          fs::remove(spec.path, ignored);
          idle.notify_all();
          continue;
        }
        move_count("queued", "running");
        busy = true;
      }
      std::optional<std::pair<int64_t, nlohmann::json>> result;
      std::string error;
      try {
        std::lock_guard<std::mutex> pass(pass_mu);
        result = run_job(id, spec, store, encoder, user_id);
        if (!result && !stop_flag) throw Error(ErrorKind::Internal, "the batch tagger stopped unasked");
      } catch (const std::exception& e) {
        spdlog::warn("recording job {} ({}) failed: {}", id, spec.path, e.what());
        error = job_error_for_user(e);
      }
      const bool interrupted = !result && error.empty();
      {
        std::lock_guard<std::mutex> lock(mu);
        if (interrupted) {
          // Stopping: the job (and its file) wait for the next start.
          if (write_row(id, [&](UploadJobStore& s) { s.set_state(id, "queued"); })) move_count("running", "queued");
        } else if (result) {
          if (write_row(id, [&](UploadJobStore& s) { s.finish_done(id, result->first, result->second); }))
            move_count("running", "done");
        } else {
          if (write_row(id, [&](UploadJobStore& s) { s.finish_failed(id, error); })) move_count("running", "failed");
        }
        if (!interrupted) {
          write_row(id, [&](UploadJobStore& s) {
            if (s.prune_finished(user_id, kFinishedUploadJobsKept) > 0) counts = s.count_by_state();
          });
        }
      }
      // Tagged or failed, the upload has served its purpose: its rows are in the database, and
      // a failed one is sent again by the client. Kept, uploads would fill the disk. A crash
      // before this line leaves a file no unfinished job names: the server's start removes it.
      if (!interrupted) {
        std::error_code ignored;
        fs::remove(spec.path, ignored);
      }
      std::lock_guard<std::mutex> lock(mu);
      pending.erase(id);
      busy = false;
      idle.notify_all();
    }
    // What is still queued stays queued in the database for the next start.
    std::lock_guard<std::mutex> lock(mu);
    queue.clear();
    pending.clear();
    busy = false;
    idle.notify_all();
  }
};

RecordingJobs::RecordingJobs(std::string db_path, std::shared_ptr<const ModelBundle> bundle, std::string upload_dir)
    : impl_(std::make_unique<Impl>()) {
  if (!bundle) throw Error(ErrorKind::InvalidInput, "recording jobs need a model bundle", {"", 0, "bundle"});
  impl_->db_path = std::move(db_path);
  impl_->bundle = std::move(bundle);
  impl_->upload_dir = std::move(upload_dir);
  DatabaseOptions synced;
  synced.sync_every_commit = true;
  // Fails here, not in the first job, when the file is unusable.
  impl_->jobs_db = std::make_unique<LogStore>(impl_->db_path, synced);
  impl_->take_up_unfinished();
  impl_->worker = std::thread([this] { impl_->run_worker(); });
}

RecordingJobs::~RecordingJobs() { stop(); }

int64_t RecordingJobs::submit(int64_t user_id, const std::string& path, const std::string& format,
                              std::optional<int64_t> start_utc_ms, const std::string& tz, const std::string& device,
                              const ImuUnits& units) {
  Impl& m = *impl_;
  const std::string fmt = format.empty() ? "auto" : format;
  if (fmt != "auto" && fmt != "csv" && fmt != "ego4d") {
    throw Error(ErrorKind::InvalidInput, "unknown format '" + format + "'; use auto, csv or ego4d", {"", 0, "format"});
  }
  if (!m.upload_dir.empty() && !inside(m.upload_dir, path)) {
    throw Error(ErrorKind::InvalidInput, "uploaded files must be under " + m.upload_dir, {path, 0, "path"});
  }
  if (!fs::is_regular_file(path)) throw Error(ErrorKind::NotFound, "the uploaded file is missing", {path, 0, ""});
  const JobSpec spec{path, fmt, tz, device, start_utc_ms, units};
  const std::string name = upload_name(m.upload_dir, path);
  std::lock_guard<std::mutex> lock(m.mu);
  if (m.stopping) throw Error(ErrorKind::Internal, "the server is stopping; upload the file again later");
  const int64_t id = m.jobs_db->upload_jobs().add(user_id, name, spec_options(spec));
  m.last_id = std::max(m.last_id, id);
  m.pending[id] = Impl::Pending{user_id, spec, 0};
  m.move_count("", "queued");
  m.queue.push_back(id);
  m.wake.notify_all();
  return id;
}

int64_t RecordingJobs::unfinished(int64_t user_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int64_t n = 0;
  for (const auto& [id, job] : impl_->pending)
    if (job.user_id == user_id) ++n;
  return n;
}

std::map<std::string, int64_t> RecordingJobs::counts_by_state() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::map<std::string, int64_t> out;
  for (const auto& [state, n] : impl_->counts)
    if (n != 0) out[state] = n;
  return out;
}

std::optional<JobStatus> RecordingJobs::status(int64_t job_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const auto row = impl_->jobs_db->upload_jobs().get(job_id);
  if (!row) return std::nullopt;
  JobStatus s;
  s.id = row->id;
  s.user_id = row->user_id;
  s.state = row->state;
  s.error = row->error;
  s.recording_id = row->recording_id;
  s.summary = row->summary;
  if (row->state == "done") {
    s.progress = 1.0;
  } else if (auto it = impl_->pending.find(job_id); it != impl_->pending.end() && row->state == "running") {
    s.progress = it->second.progress;
  }
  return s;
}

void RecordingJobs::wait_idle() {
  Impl& m = *impl_;
  std::unique_lock<std::mutex> lock(m.mu);
  m.idle.wait(lock, [&] { return m.queue.empty() && !m.busy; });
}

void RecordingJobs::run_exclusive(int64_t user_id, const std::function<void()>& erase) {
  Impl& m = *impl_;
  {
    std::unique_lock<std::mutex> lock(m.mu);
    const auto pending = [&](int64_t up_to) {
      for (const auto& [id, job] : m.pending) {
        if (id > up_to) break;
        if (job.user_id == user_id) return true;
      }
      return false;
    };
    const int64_t up_to = m.last_id;
    // A stopped worker forgets what is queued (it stays in the database) and notifies, so this
    // ends then too.
    m.idle.wait(lock, [&] { return !pending(up_to); });
  }
  std::lock_guard<std::mutex> pass(m.pass_mu);
  erase();
  std::lock_guard<std::mutex> lock(m.mu);
  m.counts = m.jobs_db->upload_jobs().count_by_state();
}

void RecordingJobs::stop() {
  Impl& m = *impl_;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    m.stopping = true;
  }
  m.stop_flag = true;
  m.wake.notify_all();
  if (m.worker.joinable()) m.worker.join();
}

}  // namespace imu2clip
