// Whole-file uploads: POST /v1/recordings streams the body (raw, or the multipart field
// "file") to a file under the upload folder and queues a tagging job; GET /v1/jobs/{id} reports
// it. Another user's job id answers 404, exactly like an unknown id, so ids leak nothing.
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "common/time/time_zone.h"
#include "services/server/api_token.h"
#include "services/server/request_parsing.h"
#include "services/server/router.h"

namespace imu2clip::server {
namespace fs = std::filesystem;
namespace {

constexpr size_t kMaxFieldBytes = 1024;
// Form parts an upload may have: "file" and the query parameters' names; a client that sends
// more is not a client of this API.
constexpr int kMaxFormParts = 16;
const char* const kParamNames[] = {"format", "start", "tz", "device", "name", "accel_units", "gyro_units"};

bool is_param_name(const std::string& name) {
  for (const char* known : kParamNames)
    if (name == known) return true;
  return false;
}

// The extension of the client's file name, when it is one the readers know.
std::string upload_suffix(const std::string& name) {
  for (const char* ext : {".csv.gz", ".csv", ".gz"})
    if (ends_with(name, ext)) return ext;
  return ".csv";
}

std::string new_upload_path(const std::string& upload_dir, int64_t user_id, const std::string& client_name) {
  const fs::path dir = fs::path(upload_dir) / ("u" + std::to_string(user_id));
  fs::create_directories(dir);
  // A random part so concurrent uploads never share a file; the token generator's entropy
  // is more than enough.
  const std::string unique = generate_api_token().substr(4, 16);
  return (dir / (std::to_string(now_utc_ms()) + "-" + unique + upload_suffix(client_name))).string();
}

struct UploadParams {
  std::string format = "auto", tz, device = "upload", name;
  std::optional<std::string> start, accel_units, gyro_units;
};

void set_param(UploadParams& p, const std::string& key, const std::string& value) {
  if (key == "format") p.format = value;
  else if (key == "start") p.start = value;
  else if (key == "tz") p.tz = value;
  else if (key == "device") p.device = value;
  else if (key == "name") p.name = value;
  else if (key == "accel_units") p.accel_units = value;
  else if (key == "gyro_units") p.gyro_units = value;
}

// Bytes of the user's uploads still on disk (queued or being tagged; a job removes its file
// when it ends).
size_t pending_upload_bytes(const std::string& upload_dir, int64_t user_id) {
  const fs::path dir = fs::path(upload_dir) / ("u" + std::to_string(user_id));
  std::error_code ec;
  size_t total = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_error;
    const auto size = it->file_size(size_error);
    if (!size_error) total += static_cast<size_t>(size);
  }
  return total;
}

HttpError uploads_pending(const std::string& what) {
  return HttpError(429, "rate_limit_error", "uploads_pending",
                   what + "; wait until your earlier uploads are tagged (GET /v1/jobs/{id}), then send this one");
}

// Writes the streamed bytes to `path`, enforcing the route's size limit and the user's quota.
class UploadFile {
 public:
  UploadFile(std::string path, size_t limit, size_t quota_left)
      : path_(std::move(path)), out_(path_, std::ios::binary), limit_(limit), quota_left_(quota_left) {
    if (!out_) throw Error(ErrorKind::Io, "cannot create the upload file", {path_, 0, ""});
  }
  ~UploadFile() {
    if (!kept_) {
      out_.close();
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  bool write(const char* data, size_t size) {
    if (bytes_ + size > limit_) {
      too_large_ = true;
      return false;
    }
    if (bytes_ + size > quota_left_) {
      over_quota_ = true;
      return false;
    }
    bytes_ += size;
    out_.write(data, static_cast<std::streamsize>(size));
    return static_cast<bool>(out_);
  }
  // `whole`: the body arrived to its end (a cut-off upload is never queued: its retry would
  // duplicate it).
  void finish(bool whole) {
    if (too_large_) throw payload_too_large(limit_);
    if (over_quota_) throw uploads_pending("your uploads waiting to be tagged would pass the server's limit");
    out_.close();
    if (!out_) throw Error(ErrorKind::Io, "cannot write the upload file (disk full?)", {path_, 0, ""});
    if (!whole) throw body_cut_off(bytes_);
    if (bytes_ == 0) throw bad_request("the uploaded file is empty", "file");
  }
  void keep() { kept_ = true; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ofstream out_;
  size_t limit_, quota_left_, bytes_ = 0;
  bool too_large_ = false, over_quota_ = false, kept_ = false;
};

void upload_recording(Call& call) {
  UploadParams params;
  for (const char* key : kParamNames)
    if (auto v = call.query(key)) set_param(params, key, *v);

  // Fairness: one user's uploads cannot fill the disk or the job queue for everyone.
  const ServerOptions& o = call.state.options;
  if (call.state.jobs->unfinished(call.user.id) >= o.max_pending_uploads)
    throw uploads_pending("you have " + std::to_string(o.max_pending_uploads) + " uploads queued or being tagged");
  const size_t pending = pending_upload_bytes(call.state.upload_dir, call.user.id);
  const size_t quota_left = pending >= o.max_pending_upload_bytes ? 0 : o.max_pending_upload_bytes - pending;
  if (call.req.has_header("Content-Length") &&
      std::stoull(call.req.get_header_value("Content-Length")) > quota_left)  // well-formed: Router::screen
    throw uploads_pending("this upload and your " + std::to_string(pending) +
                          " bytes waiting to be tagged would pass the server's limit of " +
                          std::to_string(o.max_pending_upload_bytes) + " bytes");

  std::unique_ptr<UploadFile> file;
  const size_t limit = o.max_upload_bytes;
  if (call.req.is_multipart_form_data()) {
    std::string current;  // the field being received
    std::map<std::string, std::string> fields;
    bool field_too_long = false, two_files = false, too_many_parts = false;
    int parts = 0;
    const bool whole = call.read_multipart(
        [&](const httplib::MultipartFormData& part) {
          if (++parts > kMaxFormParts) {
            too_many_parts = true;
            return false;
          }
          current = part.name;
          if (current == "file") {
            if (file) {
              two_files = true;
              return false;
            }
            file = std::make_unique<UploadFile>(
                new_upload_path(call.state.upload_dir, call.user.id, part.filename), limit, quota_left);
          }
          return true;
        },
        [&](const char* data, size_t size) {
          if (current == "file") return file->write(data, size);
          if (!is_param_name(current)) return true;  // unknown fields are skipped, not kept
          std::string& value = fields[current];
          if (value.size() + size > kMaxFieldBytes) {
            field_too_long = true;
            return false;
          }
          value.append(data, size);
          return true;
        });
    if (two_files) throw bad_request("send one 'file' per upload", "file");
    if (too_many_parts)
      throw bad_request("a multipart upload has at most " + std::to_string(kMaxFormParts) +
                        " parts: 'file' and the fields " + join(std::vector<std::string>(std::begin(kParamNames), std::end(kParamNames)), ", "));
    if (field_too_long) throw bad_request("a form field other than 'file' is longer than 1024 bytes", current);
    if (!file) throw bad_request(whole ? "multipart upload without a 'file' field" : "the upload ended early", "file");
    file->finish(whole);
    for (const auto& [k, v] : fields) set_param(params, k, v);
  } else {
    file = std::make_unique<UploadFile>(new_upload_path(call.state.upload_dir, call.user.id, params.name), limit,
                                        quota_left);
    file->finish(call.read_body([&](const char* data, size_t size) { return file->write(data, size); }));
  }

  if (params.format != "auto" && params.format != "csv" && params.format != "ego4d")
    throw bad_request("'format' must be auto, csv or ego4d", "format");
  std::string tz = params.tz.empty() ? call.user.tz : params.tz;
  if (!is_valid_time_zone(tz)) throw bad_request("'tz' is not an IANA time zone: '" + tz + "'", "tz");
  std::optional<int64_t> start;
  if (params.start) start = parse_instant_text(*params.start, "start", tz);
  if (params.device.empty() || params.device.size() > 200) throw bad_request("'device' must have 1 to 200 characters", "device");
  // The file is read by the job, so a file whose undeclared units are clearly g or deg/s makes
  // the job fail (GET /v1/jobs/{id}) with a message that names accel_units / gyro_units.
  const ImuUnits units = parse_units_params(params.accel_units, params.gyro_units);

  const int64_t job_id =
      call.state.jobs->submit(call.user.id, file->path(), params.format, start, tz, params.device, units);
  file->keep();
  call.state.metrics.count_job_submitted();
  call.send_json(202, {{"job_id", job_id}});
}

void job_status(Call& call) {
  const int64_t id = parse_id_text(call.req.matches[1], "id");
  auto status = call.state.jobs->status(id);
  if (!status || status->user_id != call.user.id) throw not_found("no job " + std::to_string(id));
  call.send_json(200, {{"id", status->id},
                       {"state", status->state},
                       {"progress", status->progress},
                       {"error", status->error},
                       {"recording_id", status->recording_id ? nlohmann::json(*status->recording_id) : nlohmann::json()},
                       {"summary", status->summary}});
}

}  // namespace

void add_upload_routes(Router& router) {
  const ServerOptions& o = router.state().options;
  router.add({"POST", "/v1/recordings", "/v1/recordings", true, BodyMode::Streamed, o.max_upload_bytes},
             upload_recording);
  router.add({"GET", R"(/v1/jobs/([^/]+))", "/v1/jobs/{id}"}, job_status);
}

}  // namespace imu2clip::server
