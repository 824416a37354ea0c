// Hostile and broken clients against the real server on loopback: bodies it must not read
// (unknown routes, oversized, chunked, compressed), JSON built to cost memory, bodies cut off
// midway, and multipart forms stuffed with fields. Each case checks the answer, that the
// server's memory did not grow with what the client sent, and that it keeps serving.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "test_server_harness.h"

using namespace imu2clip::test;
using json = nlohmann::json;

namespace {

// Resident memory of a process, in MiB.
double rss_mib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      double kb = 0;
      status >> kb;
      return kb / 1024.0;
    }
    std::string rest;
    std::getline(status, rest);
  }
  return -1;
}

// A raw HTTP/1.1 connection, for what httplib's client will not send.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{60, 0};  // generous: a loaded CI machine is slow, not stuck
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { close(fd_); }
  // False once the server no longer takes bytes (it closed or reset the connection).
  bool send_all(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  // One response: status, headers and a Content-Length body.
  struct Response {
    int status = 0;
    std::string head, body;
  };
  Response read_response() {
    Response r;
    std::string data;
    char buf[4096];
    size_t head_end = std::string::npos;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return r;
      data.append(buf, static_cast<size_t>(n));
    }
    r.head = data.substr(0, head_end);
    r.status = std::stoi(r.head.substr(9, 3));
    size_t length = 0;
    const auto at = lower(r.head).find("content-length:");
    if (at != std::string::npos) length = std::stoul(r.head.substr(at + 15));
    r.body = data.substr(head_end + 4);
    while (r.body.size() < length) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      r.body.append(buf, static_cast<size_t>(n));
    }
    return r;
  }
  // True when the server ends the connection (end of stream or reset) rather than waiting for more.
  bool closed_by_server() {
    char buf[4096];
    for (;;) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }
  void close_write() { shutdown(fd_, SHUT_WR); }

 private:
  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  int fd_ = -1;
};

std::string error_code(const std::string& body) { return json::parse(body)["error"]["code"].get<std::string>(); }

// Streams `total` bytes of filler in the background (the client a refusal must not wait for).
void stream_filler(RawConnection& conn, size_t total, bool chunked) {
  const std::string block(1 << 20, 'x');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", block.size());
  for (size_t sent = 0; sent < total; sent += block.size()) {
    const std::string piece = chunked ? std::string(size_line) + block + "\r\n" : block;
    if (!conn.send_all(piece)) return;
  }
}

}  // namespace

TEST_CASE("a body sent to an unknown route or method is refused unread and ends the connection",
          "[integration][server][hostile]") {
  ServerProcess server;
  const double rss_before = rss_mib(server.pid());
  struct Case {
    std::string request;
    int status;
    bool chunked;
  };
  const Case cases[] = {
      {"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n", 405, false},
      {"PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 405, true},
      {"POST /no/such/route HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 404, true},
      {"PATCH /v1/me HTTP/1.1\r\nHost: x\r\nContent-Length: 500000000\r\n\r\n", 405, false},
  };
  for (const Case& c : cases) {
    INFO(c.request);
    RawConnection conn(server.port());
    REQUIRE(conn.send_all(c.request));
    // 64 MiB of body on its way while the answer comes: the server must neither wait for it nor keep it.
    std::thread sender([&] { stream_filler(conn, 64u << 20, c.chunked); });
    const auto response = conn.read_response();
    CHECK(response.status == c.status);
    CHECK(error_code(response.body) == (c.status == 404 ? "not_found" : "method_not_allowed"));
    CHECK(response.head.find("Connection: close") != std::string::npos);
    CHECK(conn.closed_by_server());
    sender.join();
  }
  // What the clients sent (4 x 64 MiB) is not in the server's memory.
  CHECK(rss_mib(server.pid()) - rss_before < 32);
  auto c = server.client();
  CHECK(c->Get("/healthz")->status == 200);
  CHECK(server.terminate() == 0);
}

TEST_CASE("bodies over a route's limit, compressed bodies and GET bodies are refused before they are read",
          "[integration][server][hostile]") {
  ServerProcess server;
  const std::string token = server.first_token();
  const double rss_before = rss_mib(server.pid());
  SECTION("a declared length over the limit: 413 at once") {
    RawConnection conn(server.port());
    REQUIRE(conn.send_all("POST /v1/ask HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                          "\r\nContent-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n"));
    const auto response = conn.read_response();
    INFO(response.head << "\n\n" << response.body);
    CHECK(response.status == 413);
    CHECK(error_code(response.body) == "payload_too_large");
  }
  SECTION("a chunked body that grows past the limit: 413, the rest unread, the connection closed") {
    RawConnection conn(server.port());
    REQUIRE(conn.send_all("POST /v1/ask HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                          "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
    std::thread sender([&] { stream_filler(conn, 256u << 20, true); });
    const auto response = conn.read_response();
    CHECK(response.status == 413);
    CHECK(error_code(response.body) == "payload_too_large");
    CHECK(conn.closed_by_server());
    sender.join();
  }
  SECTION("a gzip body (a few KiB could inflate to gigabytes): 415") {
    RawConnection conn(server.port());
    REQUIRE(conn.send_all("POST /v1/imu HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                          "\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n0123456789"));
    const auto response = conn.read_response();
    CHECK(response.status == 415);
    CHECK(error_code(response.body) == "unsupported_encoding");
  }
  SECTION("a GET with a body: 400 (httplib would take the body for the next request)") {
    RawConnection conn(server.port());
    REQUIRE(conn.send_all("GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                          "\r\nContent-Length: 40\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n\r\n"));
    const auto response = conn.read_response();
    CHECK(response.status == 400);
    CHECK(conn.closed_by_server());
  }
  CHECK(rss_mib(server.pid()) - rss_before < 32);
  CHECK(server.client()->Get("/healthz")->status == 200);
  CHECK(server.terminate() == 0);
}

TEST_CASE("JSON nested or repeated to cost memory is refused while it is parsed", "[integration][server][hostile]") {
  ServerProcess server;
  auto c = server.client();
  const auto auth = bearer(server.first_token());
  const double rss_before = rss_mib(server.pid());
  // 400 KiB of '[' is within /v1/ask's 1 MiB, and parsed naively tens of MiB of arrays.
  const std::string deep = "{\"question\": " + std::string(400 * 1024, '[') + std::string(400 * 1024, ']') + "}";
  auto r = c->Post("/v1/ask", auth, deep, "application/json");
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(json::parse(r->body)["error"]["message"].get<std::string>().find("nested deeper than") != std::string::npos);
  std::string wide = "{\"question\": \"hi\", \"x\": [";
  for (int i = 0; i < 300'000; ++i) wide += i ? ",[]" : "[]";
  wide += "]}";
  r = c->Post("/v1/ask", auth, wide, "application/json");
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(json::parse(r->body)["error"]["message"].get<std::string>().find("more than") != std::string::npos);
  // One import line in the same style is refused, naming its line.
  r = c->Post("/v1/logs/import", auth, "{\"t\": 0, \"labels\": " + std::string(10'000, '[') + "}\n", "application/x-ndjson");
  REQUIRE(r);
  CHECK(r->status == 400);
  INFO(r->body);
  CHECK(r->body.find("request body:1: JSON nested deeper than") != std::string::npos);
  CHECK(rss_mib(server.pid()) - rss_before < 32);
  CHECK(server.terminate() == 0);
}

TEST_CASE("a body cut off midway is never processed", "[integration][server][hostile]") {
  ServerProcess server;
  const std::string token = server.first_token();
  auto c = server.client();
  const auto auth = bearer(token);
  SECTION("an import") {
    const std::string lines = "{\"t\": 1700000000, \"labels\": [\"walking\"]}\n{\"t\": 1700000060, \"labels\": [\"sitting\"]}\n";
    {
      RawConnection conn(server.port());
      REQUIRE(conn.send_all("POST /v1/logs/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                            "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + std::to_string(lines.size() + 500) +
                            "\r\n\r\n" + lines));
      conn.close_write();  // the client is gone before the declared end
      conn.read_response();
    }
    const json logs = json_of(c->Get("/v1/logs?from=2023-11-14T00:00:00Z&to=2023-11-16T00:00:00Z&tz=UTC", auth));
    INFO(logs.dump());
    CHECK(logs["entries"].empty());
  }
  SECTION("an upload") {
    std::string csv = "t,ax,ay,az,gx,gy,gz\n";
    for (int i = 0; i < 2000; ++i) csv += std::to_string(i * 20) + ",0,0,9.8,0,0,0\n";
    {
      RawConnection conn(server.port());
      REQUIRE(conn.send_all("POST /v1/recordings?start=2023-11-14T10:00:00Z HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                            token + "\r\nContent-Type: text/csv\r\nContent-Length: " + std::to_string(csv.size() * 2) +
                            "\r\n\r\n" + csv));
      conn.close_write();
      const auto response = conn.read_response();
      if (response.status != 0) CHECK(response.status == 400);
    }
    // No job was queued for the half file: the first job id is still free, and no file is left.
    CHECK(c->Get("/v1/jobs/1", auth)->status == 404);
    const auto metrics = c->Get("/metrics");
    CHECK(metrics->body.find("imu2clip_jobs_submitted_total 0") != std::string::npos);
  }
  CHECK(server.terminate() == 0);
}

TEST_CASE("a multipart upload keeps only its known fields and has few parts", "[integration][server][hostile]") {
  ServerProcess server;
  auto c = server.client();
  const auto auth = bearer(server.first_token());
  std::string csv = "t,ax,ay,az,gx,gy,gz\n";
  for (int i = 0; i < 600; ++i) csv += std::to_string(i * 20) + ",0,0,9.8,0,0,0\n";
  httplib::MultipartFormDataItems stuffed;
  for (int i = 0; i < 200; ++i) stuffed.push_back({"junk" + std::to_string(i), std::string(1000, 'j'), "", ""});
  stuffed.push_back({"file", csv, "walk.csv", "text/csv"});
  auto r = c->Post("/v1/recordings?start=2023-11-14T10:00:00Z", auth, stuffed);
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(r->body.find("at most 16 parts") != std::string::npos);
  // An unknown field or two is skipped, not an error.
  httplib::MultipartFormDataItems fine = {{"client", "a watch", "", ""},
                                          {"start", "2023-11-14T10:00:00Z", "", ""},
                                          {"file", csv, "walk.csv", "text/csv"}};
  r = c->Post("/v1/recordings", auth, fine);
  REQUIRE(r);
  CHECK(r->status == 202);
  CHECK(server.terminate() == 0);
}

TEST_CASE("an upload's file is gone once its job ends, and a failed job's error shows no server path",
          "[integration][server][hostile]") {
  ServerProcess server;
  auto c = server.client();
  const auto auth = bearer(server.first_token());
  const auto wait_job = [&](int64_t id) {
    json status;
    for (int i = 0; i < 1200; ++i) {  // up to 2 minutes: a loaded machine
      status = json_of(c->Get("/v1/jobs/" + std::to_string(id), auth));
      if (status["state"] == "done" || status["state"] == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return status;
  };
  std::string good = "t_ms,ax,ay,az,gx,gy,gz\n";
  for (int i = 0; i < 1500; ++i) good += std::to_string(i * 20) + ",0.1,0,9.8,0,0,0\n";
  auto r = c->Post("/v1/recordings?start=2023-11-14T10:00:00Z", auth, good, "text/csv");
  REQUIRE(r);
  REQUIRE(r->status == 202);
  CHECK(wait_job(json_of(r)["job_id"].get<int64_t>())["state"] == "done");
  // A file no reader takes: the job fails and says why, in terms of the file the user sent.
  r = c->Post("/v1/recordings?start=2023-11-14T12:00:00Z", auth, "when,what\n1,2\n", "text/csv");
  REQUIRE(r);
  REQUIRE(r->status == 202);
  const json failed = wait_job(json_of(r)["job_id"].get<int64_t>());
  INFO(failed.dump());
  CHECK(failed["state"] == "failed");
  const std::string error = failed["error"].get<std::string>();
  CHECK_FALSE(error.empty());
  CHECK(error.find(server.dir()) == std::string::npos);
  CHECK(error.find("uploads") == std::string::npos);
  // Neither upload is left on the server's disk (the worker removes a file just after its job's
  // state is final).
  const auto upload_files = [&] {
    size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(server.dir() + "/uploads"))
      if (entry.is_regular_file()) ++files;
    return files;
  };
  for (int i = 0; i < 300 && upload_files() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(upload_files() == 0);
  CHECK(server.terminate() == 0);
}

TEST_CASE("one user's uploads waiting to be tagged are bounded, and a restart clears what no job owns",
          "[integration][server][hostile]") {
  std::string db;
  {
    ServerProcess server({"--max-pending-upload-mb", "0.001"});  // about 1 KiB
    db = server.db();
    auto c = server.client();
    const auto auth = bearer(server.first_token());
    std::string csv = "t_ms,ax,ay,az,gx,gy,gz\n";
    for (int i = 0; i < 200; ++i) csv += std::to_string(i * 20) + ",0.1,0,9.8,0,0,0\n";
    auto r = c->Post("/v1/recordings?start=2023-11-14T10:00:00Z", auth, csv, "text/csv");
    REQUIRE(r);
    CHECK(r->status == 429);
    CHECK(json::parse(r->body)["error"]["code"] == "uploads_pending");
    // Streamed without a length, it is stopped as it passes the limit.
    size_t sent = 0;
    r = c->Post(
        "/v1/recordings?start=2023-11-14T10:00:00Z", auth,
        [&](size_t, httplib::DataSink& sink) {
          if (sent < csv.size()) {
            sink.write(csv.data() + sent, std::min<size_t>(256, csv.size() - sent));
            sent += std::min<size_t>(256, csv.size() - sent);
          } else {
            sink.done();
          }
          return true;
        },
        "text/csv");
    REQUIRE(r);
    CHECK(r->status == 429);
    CHECK(server.terminate() == 0);
  }
  // Files an earlier run's jobs left behind (a crash, a stop with jobs queued) are removed at
  // start; anything else in the folder is not this server's to remove.
  const std::string uploads = std::filesystem::path(db).parent_path().string() + "/uploads";
  std::filesystem::create_directories(uploads + "/u1");
  std::ofstream(uploads + "/u1/1796197081171-71130eb4990230be.csv") << "t_ms,ax\n";
  std::ofstream(uploads + "/u1/notes.txt") << "mine";
  ServerProcess restarted({}, db);
  CHECK_FALSE(std::filesystem::exists(uploads + "/u1/1796197081171-71130eb4990230be.csv"));
  CHECK(std::filesystem::exists(uploads + "/u1/notes.txt"));
  CHECK(restarted.terminate() == 0);
}
