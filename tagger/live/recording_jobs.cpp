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

  mutable std::mutex mu;
  std::condition_variable wake, idle;
  std::deque<int64_t> queue;
  std::map<int64_t, JobStatus> jobs;
  std::map<int64_t, JobSpec> specs;
  int64_t next_id = 1;
  bool stopping = false, busy = false;
  std::atomic<bool> stop_flag{false};
  std::mutex pass_mu;  // held by the worker while a job runs and by run_exclusive() around a delete
  std::thread worker;

  void set(int64_t id, const std::function<void(JobStatus&)>& change) {
    std::lock_guard<std::mutex> lock(mu);
    change(jobs[id]);
  }

  void run_job(int64_t id, const JobSpec& spec, std::unique_ptr<LogStore>& store,
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
    job.source_key = "upload:" + file_stem(spec.path);
    job.path = spec.path;
    job.start_utc_ms = spec.start_utc_ms;
    job.meta = {{"upload", fs::path(spec.path).filename().string()}, {"format", spec.format}};

    JobProgress progress([&](double p) { set(id, [&](JobStatus& s) { s.progress = p; }); });
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
      case RecordingOutcome::Status::Interrupted:
        throw Error(ErrorKind::Io, "interrupted because the server is stopping; upload the file again");
      default: break;
    }
    const auto windows = store->recordings().windows(out.recording_id);
    const auto segments = store->recordings().segments(out.recording_id);
    const auto rec = store->recordings().find(out.recording_id);
    int64_t invalid = 0;
    for (const auto& w : windows) invalid += !w.valid;
    set(id, [&](JobStatus& s) {
      s.state = "done";
      s.progress = 1.0;
      s.recording_id = out.recording_id;
      s.summary = {{"windows", static_cast<int64_t>(windows.size())},
                   {"invalid_windows", invalid},
                   {"segments", static_cast<int64_t>(segments.size())},
                   {"duration_s", rec ? rec->duration_s : out.duration_s},
                   {"outcome", to_string(out.status)},
                   {"model_id", bundle->model_id}};
    });
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
        spec = specs[id];
        user_id = jobs[id].user_id;
        jobs[id].state = "running";
        busy = true;
      }
      try {
        std::lock_guard<std::mutex> pass(pass_mu);
        run_job(id, spec, store, encoder, user_id);
      } catch (const std::exception& e) {
        spdlog::warn("recording job {} ({}) failed: {}", id, spec.path, e.what());
        set(id, [&](JobStatus& s) {
          s.state = "failed";
          s.error = job_error_for_user(e);
        });
      }
      // Tagged or failed, the upload has served its purpose: its rows are in the database, and
      // a failed one is sent again by the client. Kept, uploads would fill the disk.
      std::error_code ignored;
      fs::remove(spec.path, ignored);
      std::lock_guard<std::mutex> lock(mu);
      specs.erase(id);
      busy = false;
      idle.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu);
    for (int64_t id : queue) {
      jobs[id].state = "failed";
      jobs[id].error = "the server stopped before this job ran; upload the file again";
    }
    queue.clear();
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
  { LogStore migrate(impl_->db_path); }  // fail here, not in the first job, when the file is unusable
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
  std::lock_guard<std::mutex> lock(m.mu);
  if (m.stopping) throw Error(ErrorKind::Internal, "the server is stopping; upload the file again later");
  const int64_t id = m.next_id++;
  JobStatus status;
  status.id = id;
  status.user_id = user_id;
  status.state = "queued";
  m.jobs[id] = status;
  m.specs[id] = JobSpec{path, fmt, tz, device, start_utc_ms, units};
  m.queue.push_back(id);
  m.wake.notify_all();
  return id;
}

int64_t RecordingJobs::unfinished(int64_t user_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int64_t n = 0;
  for (const auto& [id, spec] : impl_->specs)
    if (impl_->jobs.at(id).user_id == user_id) ++n;
  return n;
}

std::optional<JobStatus> RecordingJobs::status(int64_t job_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->jobs.find(job_id);
  if (it == impl_->jobs.end()) return std::nullopt;
  return it->second;
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
      for (const auto& [id, s] : m.jobs) {
        if (id > up_to) break;
        if (s.user_id == user_id && (s.state == "queued" || s.state == "running")) return true;
      }
      return false;
    };
    const int64_t up_to = m.next_id - 1;
    // A stopped worker fails what is queued and notifies, so this ends then too.
    m.idle.wait(lock, [&] { return !pending(up_to); });
  }
  std::lock_guard<std::mutex> pass(m.pass_mu);
  erase();
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
