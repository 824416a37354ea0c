#pragma once
// Runs the real `imu2clip serve` on a free loopback port with a temporary database, for the
// server integration tests: waits until it answers /healthz, hands out HTTP clients and the
// first user's token, and stops it with SIGTERM (or SIGKILL).
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace imu2clip::test {

// A small untrained bundle (shared by the tests of one process): fast to load and encode.
std::string test_model_path();

class ServerProcess {
 public:
  // `extra_args` are appended to `imu2clip serve --db DB --model M --port 0`. An existing
  // `db` may be passed to restart on the same data ("" = a new temp database).
  explicit ServerProcess(std::vector<std::string> extra_args = {}, std::string db = "");
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& db() const { return db_; }
  const std::string& dir() const { return dir_; }
  // The token printed for user "me" on the first start ("" on a restart).
  const std::string& first_token() const { return token_; }
  std::unique_ptr<httplib::Client> client() const;
  // SIGTERM and wait: the exit code.
  int terminate();
  // SIGKILL and wait, as a crash or an OOM kill ends it: nothing is flushed or stopped.
  void kill_now();
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  std::string dir_, db_, token_;
  int port_ = 0;
  pid_t pid_ = -1;
};

httplib::Headers bearer(const std::string& token);
// `imu2clip user add NAME --db DB`: the new token.
std::string add_user(const std::string& db, const std::string& name, const std::string& tz = "UTC");
// The body as JSON (fails the test with the body text when it is not JSON).
nlohmann::json json_of(const httplib::Result& result);
// Canonical IMU CSV at 50 Hz, `seconds` long (a slow sine on x, gravity on z).
std::string imu_csv(int seconds = 30);
// POST /v1/recordings with `query` (e.g. "start=2024-03-10T08:00:00Z&name=walk.csv"); requires
// 202 and returns the job id.
int64_t submit_upload(httplib::Client& c, const std::string& token, const std::string& query, const std::string& csv);
// Polls GET /v1/jobs/{id} until the job is done or failed (up to 2 minutes: a loaded machine);
// returns its last status.
nlohmann::json wait_for_job(httplib::Client& c, const std::string& token, int64_t id);
// "data: ..." payloads of an SSE body, in order.
std::vector<std::string> sse_payloads(const std::string& body);

}  // namespace imu2clip::test
