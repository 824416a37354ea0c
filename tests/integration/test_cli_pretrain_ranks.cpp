// `imu2clip pretrain` as several data-parallel ranks, through the real binary: --nproc starts
// them, the bundle equals one process's, and a rank that dies ends the run with an error
// instead of a hang.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tagger/model/bundle.h"
#include "tests/integration/process.h"
#include "tests/support/test_paths.h"
#include "tests/unit/dataset/synthetic_dataset.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

// The training options both runs share: 4 s windows of the synthetic dataset's train split.
std::vector<std::string> pretrain_args(const std::string& dir, const std::string& out, int epochs) {
  return {imu2clip_binary(), "pretrain", "--data", dir + "/data", "--out", out, "--rate", "50", "--window", "4",
          "--stride", "1", "--batch", "4", "--epochs", std::to_string(epochs), "--max-steps", "3", "--threads", "1",
          "--val-split", "none", "--augment", "rot,jitter", "--learn-temperature", "--seed", "3", "--warmup", "1"};
}

std::vector<std::string> plus(std::vector<std::string> a, const std::vector<std::string>& more) {
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Waits (generously: CI machines are busy) until `file` contains `text`.
bool wait_for_text(const std::string& file, const std::string& text, pid_t alive) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_file(file).find(text) != std::string::npos) return true;
    if (::kill(alive, 0) != 0) return read_file(file).find(text) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The child processes of `pid` with the given RANK in their environment.
pid_t child_with_rank(pid_t pid, int rank) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  for (pid_t child; in >> child;) {
    std::ifstream env("/proc/" + std::to_string(child) + "/environ", std::ios::binary);
    for (std::string var; std::getline(env, var, '\0');)
      if (var == "RANK=" + std::to_string(rank)) return child;
  }
  return -1;
}

// Kills a process and its children when a test ends early (a failed REQUIRE), so no rank is
// left training.
struct KillOnExit {
  std::vector<pid_t> pids;
  ~KillOnExit() {
    for (pid_t p : pids) {
      std::ifstream in("/proc/" + std::to_string(p) + "/task/" + std::to_string(p) + "/children");
      for (pid_t child; in >> child;) ::kill(child, SIGKILL);
      ::kill(p, SIGKILL);
    }
  }
};

double max_weight_difference(const ModelBundle& a, const ModelBundle& b) {
  REQUIRE(a.encoder_weights.size() == b.encoder_weights.size());
  double worst = 0;
  for (const auto& [name, t] : a.encoder_weights) {
    const auto& u = b.encoder_weights.at(name);
    REQUIRE(t.bytes.size() == u.bytes.size());
    const auto* x = reinterpret_cast<const float*>(t.bytes.data());
    const auto* y = reinterpret_cast<const float*>(u.bytes.data());
    for (size_t i = 0; i < t.bytes.size() / sizeof(float); ++i) worst = std::max(worst, std::abs(double(x[i]) - y[i]));
  }
  return worst;
}

}  // namespace

TEST_CASE("pretrain --nproc 2 writes the model one process trains with the same global batch",
          "[integration][distributed]") {
  const auto dir = make_temp_dir("cli-pretrain-ranks");
  write_synthetic_dataset(dir + "/data");
  auto one = run_process(pretrain_args(dir, dir + "/one.safetensors", 2));
  INFO(one.err);
  REQUIRE(one.exit_code == 0);
  auto two = run_process(plus(pretrain_args(dir, dir + "/two.safetensors", 2), {"--nproc", "2"}));
  INFO(two.err);
  REQUIRE(two.exit_code == 0);
  const std::string said = two.out + two.err;   // info lines go to stdout, errors to stderr
  INFO(two.out);
  CHECK(said.find("started 2 ranks") != std::string::npos);
  CHECK(said.find("on all 2 ranks") != std::string::npos);   // the per-epoch parameter check
  // Only rank 0 speaks and writes.
  size_t wrote = 0;
  for (size_t at = said.find("wrote "); at != std::string::npos; at = said.find("wrote ", at + 1)) ++wrote;
  CHECK(wrote == 1);
  const ModelBundle a = load_bundle(dir + "/one.safetensors"), b = load_bundle(dir + "/two.safetensors");
  // Tolerance: two ranks sum the gradient halves in another order than one backward pass.
  CHECK(max_weight_difference(a, b) < 2e-4);
  CHECK(b.provenance["training"]["batch"] == 4);
}

TEST_CASE("pretrain --nproc stops every rank and fails when one rank is killed", "[integration][distributed]") {
  const auto dir = make_temp_dir("cli-pretrain-kill");
  write_synthetic_dataset(dir + "/data");
  const pid_t run = spawn_process(plus(pretrain_args(dir, dir + "/m.safetensors", 100000), {"--nproc", "2"}),
                                  dir + "/out.txt", dir + "/err.txt");
  KillOnExit guard{{run}};
  REQUIRE(wait_for_text(dir + "/out.txt", "rank 0 of 2", run));   // the group is formed
  const pid_t victim = child_with_rank(run, 1);
  REQUIRE(victim > 0);
  ::kill(victim, SIGKILL);
  const int code = wait_process(run);
  const std::string err = read_file(dir + "/out.txt") + read_file(dir + "/err.txt");
  INFO(err);
  CHECK(code != 0);
  CHECK(err.find("rank 1 was killed by signal 9; stopping the other ranks") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/m.safetensors"));
}

TEST_CASE("a rank whose peer dies fails with an error instead of waiting forever", "[integration][distributed]") {
  const auto dir = make_temp_dir("cli-pretrain-peer");
  write_synthetic_dataset(dir + "/data");
  const std::string master = "127.0.0.1:" + std::to_string(free_port());
  auto rank = [&](int r) {
    return spawn_process(plus(pretrain_args(dir, dir + "/m.safetensors", 100000),
                              {"--world-size", "2", "--rank", std::to_string(r), "--master", master,
                               "--dist-timeout", "120"}),
                         dir + "/out" + std::to_string(r) + ".txt", dir + "/err" + std::to_string(r) + ".txt");
  };
  const pid_t r0 = rank(0), r1 = rank(1);
  KillOnExit guard{{r0, r1}};
  REQUIRE(wait_for_text(dir + "/out0.txt", "rank 0 of 2", r0));
  ::kill(r1, SIGKILL);
  wait_process(r1);
  const int code = wait_process(r0);
  const std::string err = read_file(dir + "/err0.txt");
  INFO(err);
  CHECK(code == 1);
  CHECK(err.find("rank 0 of 2: the ") != std::string::npos);
  CHECK(err.find("Another rank has most likely stopped or crashed") != std::string::npos);
}

TEST_CASE("pretrain refuses data-parallel options that cannot work, saying which", "[integration][distributed]") {
  const auto dir = make_temp_dir("cli-pretrain-ranks-bad");
  write_synthetic_dataset(dir + "/data");
  auto odd = run_process(plus(pretrain_args(dir, dir + "/m.safetensors", 1), {"--nproc", "3"}));
  CHECK(odd.exit_code == 1);
  CHECK(odd.err.find("must divide evenly over 3 ranks") != std::string::npos);
  auto both = run_process(plus(pretrain_args(dir, dir + "/m.safetensors", 1), {"--nproc", "2", "--rank", "1"}));
  CHECK(both.exit_code == 1);
  CHECK(both.err.find("--nproc starts its own ranks") != std::string::npos);
  // Rank 0 alone: its rendezvous waits --dist-timeout for rank 1, then says what to check.
  auto alone = run_process(plus(pretrain_args(dir, dir + "/m.safetensors", 1),
                                {"--world-size", "2", "--rank", "0", "--master",
                                 "127.0.0.1:" + std::to_string(free_port()), "--dist-timeout", "2"}));
  CHECK(alone.exit_code == 1);
  CHECK(alone.err.find("did not complete within 2 s") != std::string::npos);
  auto audio = run_process({imu2clip_binary(), "pretrain", "--modality", "audio", "--data", dir, "--out",
                            dir + "/a.safetensors", "--world-size", "2"});
  CHECK(audio.exit_code == 1);
  CHECK(audio.err.find("data-parallel training is for the IMU encoder") != std::string::npos);
}
