// Integration tests: the real `imu2clip` binary tags recordings into a real SQLite file.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "storage/log_store.h"
#include "tests/integration/process.h"
#include "tests/support/test_paths.h"

namespace fs = std::filesystem;
using namespace imu2clip;
using namespace imu2clip::test;

namespace {

// A small untrained bundle: tests need the pipeline, not meaningful labels.
std::string make_test_model(const std::string& dir) {
  const std::string path = dir + "/model.safetensors";
  auto r = run_process({imu2clip_binary(), "model", "init", "--out", path, "--gru-hidden", "64",
                        "--embed-dim", "64", "--label", "walking", "--label", "sitting",
                        "--label", "reading a book", "--label", "typing on a computer"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return path;
}

// A canonical CSV of `seconds` at `rate` Hz with a slow sine on every axis.
void write_canonical_csv(const std::string& path, double seconds, double rate) {
  std::ofstream f(path);
  f << "t_ms,ax,ay,az,gx,gy,gz\n";
  const int n = static_cast<int>(seconds * rate);
  for (int i = 0; i < n; ++i) {
    const double t = i / rate;
    f << t * 1000 << ',' << std::sin(t) << ',' << 0.5 << ',' << 9.8 << ',' << 0.01 * std::cos(t) << ",0,0\n";
  }
}

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

}  // namespace

TEST_CASE("tag the ego4d_mini folder into SQLite and JSONL, idempotently", "[integration]") {
  IMU2CLIP_REQUIRE_SHARED(ego, "ego4d_mini");
  const std::string dir = make_temp_dir("tag-ego4d");
  const std::string model = make_test_model(dir);
  const std::string db = dir + "/log.db", jsonl = dir + "/windows.jsonl";

  auto r = run_process({imu2clip_binary(), "tag", "--db", db, "--model", model, "--ego4d", ego,
                        "--jsonl", jsonl, "--top-k", "3", "--threads", "2", "--print-log"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("17 recordings: 17 tagged") != std::string::npos);
  // The log lines use the paper's format with wall-clock times from ego4d.json.
  CHECK(r.out.find("] Motion: ") != std::string::npos);

  LogStore store(db);
  CHECK(store.count("recordings") == 17);
  const int64_t windows = store.count("windows");
  // 0.67 h of 5 s windows, minus each recording's trailing partial window.
  CHECK(windows > 450);
  CHECK(windows < 490);
  CHECK(store.count("window_labels") <= 3 * windows);
  CHECK(store.count("segments") >= 17);
  CHECK(store.count("log_entries") == store.count("segments"));

  auto lines = read_jsonl(jsonl);
  REQUIRE(static_cast<int64_t>(lines.size()) == windows);
  std::set<std::string> recordings;
  for (const auto& l : lines) {
    recordings.insert(l.at("recording").get<std::string>());
    REQUIRE(l.at("end_s").get<double>() - l.at("start_s").get<double>() == Approx(5.0));
    if (l.value("valid", true)) {
      const auto& labels = l.at("labels");
      REQUIRE(labels.size() == 3);
      CHECK(labels[0].at("score").get<double>() >= labels[1].at("score").get<double>());
      CHECK(labels[0].at("label").is_string());
    }
  }
  CHECK(recordings.size() == 17);

  // Same model, same input: nothing is written twice.
  auto again = run_process({imu2clip_binary(), "tag", "--db", db, "--model", model, "--ego4d", ego,
                            "--jsonl", jsonl});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find("17 already tagged") != std::string::npos);
  LogStore store2(db);
  CHECK(store2.count("windows") == windows);
  CHECK(store2.count("recordings") == 17);
  CHECK(read_jsonl(jsonl).size() == lines.size());

  // --force replaces instead of duplicating.
  auto forced = run_process({imu2clip_binary(), "tag", "--db", db, "--model", model, "--ego4d", ego, "--force"});
  REQUIRE(forced.exit_code == 0);
  LogStore store3(db);
  CHECK(store3.count("windows") == windows);
  CHECK(store3.count("recordings") == 17);
}

TEST_CASE("a bad recording in a batch is reported and skipped, the rest are tagged", "[integration]") {
  const std::string dir = make_temp_dir("tag-bad");
  const std::string model = make_test_model(dir);
  fs::create_directories(dir + "/in");
  write_canonical_csv(dir + "/in/good.csv", 60, 200);
  {
    std::ofstream bad(dir + "/in/bad.csv");
    bad << "t_ms,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n5,1,2,oops,4,5,6\n";
  }
  const std::string db = dir + "/log.db";
  auto r = run_process({imu2clip_binary(), "tag", "--db", db, "--model", model, "--imu-dir", dir + "/in"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  // The reason names the file, the line and the column.
  CHECK(r.err.find("bad.csv:3") != std::string::npos);
  CHECK(r.err.find("az") != std::string::npos);
  CHECK(r.err.find("1 tagged") != std::string::npos);
  CHECK(r.err.find("1 skipped") != std::string::npos);
  LogStore store(db);
  CHECK(store.count("recordings") == 1);
  CHECK(store.count("windows") == 12);
}

TEST_CASE("a recording without a wall clock gets relative log times", "[integration]") {
  const std::string dir = make_temp_dir("tag-rel");
  const std::string model = make_test_model(dir);
  write_canonical_csv(dir + "/walk.csv", 30, 100);
  const std::string db = dir + "/log.db";
  auto r = run_process({imu2clip_binary(), "tag", "--db", db, "--model", model, dir + "/walk.csv", "--print-log"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("[+00:00:00] Motion: ") != std::string::npos);
  auto log = run_process({imu2clip_binary(), "log", "--db", db});
  CHECK(log.exit_code == 0);
  CHECK(log.out.find("== walk") != std::string::npos);
}

TEST_CASE("bad command lines fail with a clear message", "[integration]") {
  const std::string dir = make_temp_dir("tag-args");
  auto none = run_process({imu2clip_binary(), "tag", "--db", dir + "/x.db"});
  CHECK(none.exit_code != 0);
  CHECK(none.err.find("give an input") != std::string::npos);
  auto missing = run_process({imu2clip_binary(), "tag", "--db", dir + "/x.db", "--model",
                              dir + "/nope.safetensors", "--imu-dir", dir});
  CHECK(missing.exit_code != 0);
  CHECK(missing.err.find("nope.safetensors") != std::string::npos);
  auto badk = run_process({imu2clip_binary(), "tag", "--db", dir + "/x.db", "--top-k", "0", "--imu-dir", dir});
  CHECK(badk.exit_code != 0);
}

TEST_CASE("Ctrl-C keeps what was committed and a re-run finishes without duplicates", "[integration]") {
  const std::string dir = make_temp_dir("tag-int");
  const std::string model = make_test_model(dir);
  fs::create_directories(dir + "/in");
  for (int i = 0; i < 3; ++i) write_canonical_csv(dir + "/in/rec" + std::to_string(i) + ".csv", 3600, 50);
  const std::string db = dir + "/log.db";
  const std::vector<std::string> cmd = {imu2clip_binary(), "tag", "--db", db, "--model", model, "--imu-dir",
                                        dir + "/in", "--batch", "16", "--threads", "1", "--no-progress"};
  pid_t pid = spawn_process(cmd, dir + "/out1", dir + "/err1");
  // Wait until some windows are committed, then interrupt.
  bool started = false;
  for (int i = 0; i < 600 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (fs::exists(db)) {
      try {
        LogStore probe(db);
        started = probe.count("windows") > 0;
      } catch (...) {
      }
    }
  }
  REQUIRE(started);
  kill(pid, SIGINT);
  const int code = wait_process(pid);
  INFO(read_file(dir + "/err1"));
  int64_t partial = 0;
  {
    LogStore store(db);
    partial = store.count("windows");
  }
  if (code == 130) {
    CHECK(read_file(dir + "/err1").find("INTERRUPTED") != std::string::npos);
    CHECK(partial < 3 * 719);
  } else {
    REQUIRE(code == 0);  // the machine was fast enough to finish first
  }
  auto r = run_process(cmd);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  LogStore store(db);
  CHECK(store.count("recordings") == 3);
  CHECK(store.count("windows") == 3 * 719);
  const auto user = store.users().find("local");
  REQUIRE(user);
  for (const auto& rec : store.recordings().for_user(user->id)) {
    CHECK(rec.status == "complete");
  }
}

TEST_CASE("bench encoder --json reports windows/s", "[integration]") {
  auto r = run_process({imu2clip_binary(), "bench", "encoder", "--batch", "4", "--threads", "1",
                        "--seconds", "0.2", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j.at("windows_per_s").get<double>() > 0);
  CHECK(j.at("batch") == 4);
  CHECK(j.at("threads") == 1);
  CHECK(j.at("window_samples") == 1000);
}

TEST_CASE("bench encoder reports FLOP/window, the kernel set and the fraction of the FMA peak",
          "[integration]") {
  // The kernels forced to the baseline set (4 lanes): peak = 1 core x 2 GHz x 3 FMA units x 4 x 2.
  ::setenv("IMU2CLIP_KERNELS", "baseline", 1);
  auto r = run_process({imu2clip_binary(), "bench", "encoder", "--batch", "2", "--threads", "1", "--seconds",
                        "0.1", "--clock-ghz", "2", "--fma-units", "3", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j.at("kernel_set") == "baseline");
  // Official sizes: conv 3.77 + 3.27 + 1.00 M, GRU input 3.15 M, recurrent 31 steps 48.76 M.
  CHECK(j.at("flop_per_window").get<double>() == Approx(59945472.0));
  const auto& peak = j.at("peak");
  CHECK(peak.at("lanes") == 4);
  CHECK(peak.at("cores") == 1);
  CHECK(peak.at("clock_source") == "--clock-ghz");
  CHECK(peak.at("fma_units_source") == "--fma-units");
  CHECK(peak.at("gflop_per_s").get<double>() == Approx(48.0));
  const double gflops = j.at("windows_per_s").get<double>() * 59945472.0 / 1e9;
  CHECK(j.at("peak_fraction").get<double>() == Approx(gflops / 48.0).epsilon(1e-6));

  // Text mode says which set ran and how the peak was made up.
  auto text = run_process({imu2clip_binary(), "bench", "encoder", "--batch", "1", "--threads", "1", "--seconds",
                           "0.05", "--clock-ghz", "2"});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("kernels baseline") && Catch::Contains("MFLOP/window") &&
                           Catch::Contains("of FMA peak 32.0 GFLOP/s") && Catch::Contains("2 FMA units [assumed]") &&
                           Catch::Contains("4 lanes"));

  // A set that does not exist is refused with the variable's name, not run or crashed on.
  ::setenv("IMU2CLIP_KERNELS", "avx9000", 1);
  auto bad = run_process({imu2clip_binary(), "bench", "encoder", "--batch", "1", "--seconds", "0.05"});
  ::unsetenv("IMU2CLIP_KERNELS");
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("IMU2CLIP_KERNELS") && Catch::Contains("avx9000"));
}

TEST_CASE("bench text --json reports phrases/s", "[integration]") {
  auto r = run_process({imu2clip_binary(), "bench", "text", "--phrases", "50", "--repeats", "3", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j.at("tower") == "lexical-v1");
  CHECK(j.at("runs") == 3);
  CHECK(j.at("phrases_per_s_median").get<double>() > 0);  // a speed, never a threshold: see docs/BENCHMARKS.md
  CHECK(j.at("phrases_per_s_min").get<double>() <= j.at("phrases_per_s_max").get<double>());
}

TEST_CASE("the default model logs only everyday words or unclear motion", "[integration]") {
  // The user's log must never say a dataset's protocol name ("doing a timed up and go test").
  const std::string dir = make_temp_dir("tag-vocabulary");
  write_canonical_csv(dir + "/day.csv", 120, 50);
  const std::string db = dir + "/log.db";
  auto r = run_process({imu2clip_binary(), "tag", "--db", db, dir + "/day.csv", "--jsonl", dir + "/tags.jsonl"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::set<std::string> allowed = {"unclear motion"};
  std::ifstream vocab(source_dir() + "/models/vocabulary/activities.txt");
  for (std::string line; std::getline(vocab, line);)
    if (!line.empty() && line[0] != '#') allowed.insert(line);
  auto log = run_process({imu2clip_binary(), "log", "--db", db});
  REQUIRE(log.exit_code == 0);
  std::istringstream lines(log.out);
  int motion_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    const size_t at = line.find("Motion: ");
    if (at == std::string::npos) continue;
    ++motion_lines;
    // a line holds what was logged in one minute: "walking then standing", other modalities after ", "
    std::string labels = line.substr(at + 8);
    labels = labels.substr(0, labels.find(", "));
    INFO(line);
    for (size_t from = 0; from <= labels.size();) {
      size_t then = labels.find(" then ", from), also = labels.find(" and ", from);
      const size_t end = std::min(std::min(then, also), labels.size());
      CHECK(allowed.count(labels.substr(from, end - from)) == 1);
      from = end + (end == then ? 6 : 5);
    }
  }
  CHECK(motion_lines > 0);
}

TEST_CASE("tag --labels FILE tags with free-form phrases instead of the vocabulary", "[integration]") {
  const std::string dir = make_temp_dir("tag-labels");
  const std::string model = make_test_model(dir);
  write_canonical_csv(dir + "/walk.csv", 30, 50);
  std::ofstream(dir + "/labels.txt") << "# research labels\njuggling\nskipping rope\n";
  const std::string db = dir + "/log.db";
  auto r = run_process({imu2clip_binary(), "tag", "--db", db, "--model", model, "--labels", dir + "/labels.txt",
                        dir + "/walk.csv", "--print-log"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK((r.out.find("Motion: juggling") != std::string::npos || r.out.find("Motion: skipping rope") != std::string::npos));
  CHECK(r.out.find("Motion: walking") == std::string::npos);
  // The same file with the model's own labels is a different tagging (another model id), not "already tagged".
  auto own = run_process({imu2clip_binary(), "tag", "--db", db, "--model", model, dir + "/walk.csv", "--print-log"});
  INFO(own.err);
  REQUIRE(own.exit_code == 0);
  CHECK(own.err.find(" 1 tagged,") != std::string::npos);
}
