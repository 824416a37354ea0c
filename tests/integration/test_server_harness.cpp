#include "tests/integration/test_server_harness.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/process.h"
#include "tests/support/test_paths.h"

namespace imu2clip::test {

std::string test_model_path() {
  static const std::string path = [] {
    const std::string p = make_temp_dir("server-model") + "/model.safetensors";
    auto r = run_process({imu2clip_binary(), "model", "init", "--out", p, "--gru-hidden", "32", "--embed-dim", "32",
                          "--label", "walking", "--label", "sitting", "--label", "running"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return p;
  }();
  return path;
}

ServerProcess::ServerProcess(std::vector<std::string> extra_args, std::string db) {
  dir_ = make_temp_dir("server");
  db_ = db.empty() ? dir_ + "/log.db" : db;
  std::vector<std::string> argv = {imu2clip_binary(), "serve", "--db", db_, "--model", test_model_path(),
                                   "--port", "0", "--threads", "4"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn_process(argv, dir_ + "/out", dir_ + "/err");

  // The URL line comes once the socket is bound.
  const std::regex serving(R"(serving on http://127\.0\.0\.1:(\d+)/)");
  const std::regex token(R"(sign in with token: (i2c_[0-9a-f]+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::smatch m;
  while (true) {
    const std::string out = stdout_text();
    if (std::regex_search(out, m, serving)) {
      port_ = std::stoi(m[1]);
      if (std::regex_search(out, m, token)) token_ = m[1];
      break;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("imu2clip serve exited before listening:\n" << stderr_text());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      wait_process(pid_);
      pid_ = -1;
      FAIL("imu2clip serve did not start:\n" << stderr_text());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // httplib 0.11 has no wait_until_ready: poll /healthz.
  httplib::Client c("127.0.0.1", port_);
  for (int i = 0; i < 500; ++i) {
    if (auto r = c.Get("/healthz"); r && r->status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  wait_process(pid_);
  pid_ = -1;
  FAIL("/healthz never answered 200:\n" << stderr_text());
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    wait_process(pid_);
  }
}

std::unique_ptr<httplib::Client> ServerProcess::client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_read_timeout(30, 0);
  c->set_connection_timeout(5, 0);
  // One connection for all requests, as browsers do: an error that leaves a body unread would
  // desynchronise it, so this also checks that error paths drain request bodies.
  c->set_keep_alive(true);
  return c;
}

int ServerProcess::terminate() {
  REQUIRE(pid_ > 0);
  kill(pid_, SIGTERM);
  const int code = wait_process(pid_);
  pid_ = -1;
  return code;
}

void ServerProcess::kill_now() {
  REQUIRE(pid_ > 0);
  kill(pid_, SIGKILL);
  wait_process(pid_);
  pid_ = -1;
}

std::string ServerProcess::stdout_text() const { return read_file(dir_ + "/out"); }
std::string ServerProcess::stderr_text() const { return read_file(dir_ + "/err"); }

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

std::string add_user(const std::string& db, const std::string& name, const std::string& tz) {
  auto r = run_process({imu2clip_binary(), "user", "add", name, "--tz", tz, "--db", db});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string token = r.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
  REQUIRE(token.rfind("i2c_", 0) == 0);
  return token;
}

nlohmann::json json_of(const httplib::Result& result) {
  REQUIRE(result);
  INFO("status " << result->status << " body: " << result->body);
  REQUIRE(result->get_header_value("Content-Type").rfind("application/json", 0) == 0);
  return nlohmann::json::parse(result->body);
}

std::string imu_csv(int seconds) {
  std::ostringstream csv;
  csv << "t_ms,ax,ay,az,gx,gy,gz\n";
  for (int i = 0; i < 50 * seconds; ++i) csv << i * 20 << "," << std::sin(i / 50.0) << ",0.5,9.8,0,0,0\n";
  return csv.str();
}

int64_t submit_upload(httplib::Client& c, const std::string& token, const std::string& query, const std::string& csv) {
  auto upload = c.Post("/v1/recordings?" + query, bearer(token), csv, "text/csv");
  REQUIRE(upload);
  INFO(upload->body);
  REQUIRE(upload->status == 202);
  return json_of(upload)["job_id"].get<int64_t>();
}

nlohmann::json wait_for_job(httplib::Client& c, const std::string& token, int64_t id) {
  nlohmann::json status;
  for (int i = 0; i < 1200; ++i) {
    status = json_of(c.Get("/v1/jobs/" + std::to_string(id), bearer(token)));
    if (status["state"] == "done" || status["state"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return status;
}

std::vector<std::string> sse_payloads(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("data: ", 0) == 0) out.push_back(line.substr(6));
  return out;
}

}  // namespace imu2clip::test
