// Live tagging throughput: how many seconds of single-device IMU data per wall-clock second
// LiveTagger ingests (durably) and tags, end to end, on the encoder threads given.
//
//   imu2clip_bench_live [--seconds 600] [--rate 200] [--batch-ms 1000] [--repeats 3]
//                       [--threads 1] [--model BUNDLE] [--dir DIR] [--json]
//
// Without --model it uses an untrained bundle with the default (200 Hz, 5 s) architecture, so
// the work is the same as with a trained one. Each run uses a fresh database; the median of
// the runs is reported.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/live/live_tagger.h"
#include "tagger/model/bundle.h"

namespace fs = std::filesystem;
using namespace imu2clip;

namespace {

struct Args {
  double seconds = 600, rate = 200;
  int batch_ms = 1000, repeats = 3, threads = 1;
  std::string model, dir;
  bool json = false;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "%s\nusage: imu2clip_bench_live [--seconds S] [--rate HZ] [--batch-ms MS] [--repeats N] "
               "[--threads T] [--model BUNDLE] [--dir DIR] [--json]\n",
               why);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + k).c_str());
      return argv[++i];
    };
    if (k == "--seconds") a.seconds = std::stod(value());
    else if (k == "--rate") a.rate = std::stod(value());
    else if (k == "--batch-ms") a.batch_ms = std::stoi(value());
    else if (k == "--repeats") a.repeats = std::stoi(value());
    else if (k == "--threads") a.threads = std::stoi(value());
    else if (k == "--model") a.model = value();
    else if (k == "--dir") a.dir = value();
    else if (k == "--json") a.json = true;
    else usage(("unknown option " + k).c_str());
  }
  if (!(a.seconds > 0) || !(a.rate >= 5) || a.batch_ms < 1 || a.repeats < 1) usage("bad option value");
  return a;
}

// A wrist-like signal: gravity, slow posture changes, a gait-like oscillation and noise.
std::vector<ImuSamples> make_batches(const Args& a, int64_t t0_ms) {
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.f, 0.05f);
  const int64_t n = static_cast<int64_t>(a.seconds * a.rate);
  std::vector<ImuSamples> out;
  ImuSamples cur;
  cur.device = "bench watch";
  cur.device_kind = "watch";
  int64_t batch_start = t0_ms;
  for (int64_t k = 0; k < n; ++k) {
    const double t = static_cast<double>(k) / a.rate;
    const int64_t ms = t0_ms + static_cast<int64_t>(std::llround(t * 1000.0));
    if (ms - batch_start >= a.batch_ms && !cur.t_utc_ms.empty()) {
      out.push_back(cur);
      cur.t_utc_ms.clear();
      cur.values.clear();
      batch_start = ms;
    }
    const double walk = std::sin(2 * M_PI * 1.8 * t) * (std::fmod(t, 120.0) < 60 ? 1.0 : 0.1);
    cur.t_utc_ms.push_back(ms);
    cur.values.push_back({static_cast<float>(0.3 * walk) + noise(rng), static_cast<float>(0.2 * walk) + noise(rng),
                          9.81f + static_cast<float>(walk) + noise(rng), static_cast<float>(0.5 * walk) + noise(rng),
                          noise(rng), static_cast<float>(0.1 * std::sin(0.01 * t)) + noise(rng)});
  }
  if (!cur.t_utc_ms.empty()) out.push_back(cur);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  try {
    std::shared_ptr<const ModelBundle> bundle;
    if (!a.model.empty()) {
      bundle = std::make_shared<ModelBundle>(load_bundle(a.model));
    } else {
      EncoderOptions o;
      o.sample_rate_hz = a.rate;
      o.window_samples = static_cast<int>(std::lround(5.0 * a.rate));
      auto b = make_untrained_bundle(o, "lexical-v1", nlohmann::json::object(),
                                     {"walking", "running", "sitting", "standing", "lying down", "cycling",
                                      "eating", "typing on a computer", "brushing teeth", "climbing stairs"},
                                     1);
      bundle = std::make_shared<ModelBundle>(std::move(b));
    }
    const fs::path dir = a.dir.empty() ? fs::temp_directory_path() / "imu2clip-bench-live" : fs::path(a.dir);
    fs::create_directories(dir);
    const int64_t t0 = 1700000000000;
    const auto batches = make_batches(a, t0);

    std::vector<double> ratios;
    for (int r = 0; r < a.repeats; ++r) {
      const fs::path db = dir / ("live-" + std::to_string(r) + ".db");
      for (const char* ext : {"", "-wal", "-shm"}) fs::remove(db.string() + ext);
      int64_t user = 0;
      {
        LogStore store(db.string());
        user = store.users().ensure("bench", "UTC");
      }
      LiveTaggerOptions opt;
      opt.encoder_threads = a.threads;
      LiveTagger tagger(db.string(), bundle, opt);
      int64_t busy_retries = 0;
      const auto start = std::chrono::steady_clock::now();
      for (const auto& b : batches) {
        for (;;) {
          try {
            tagger.ingest(user, b);
            break;
          } catch (const BusyError&) {
            ++busy_retries;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }
      }
      const double ingest_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      tagger.flush();
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const LiveStats st = tagger.stats();
      tagger.stop();
      const double ratio = a.seconds / wall;
      ratios.push_back(ratio);
      if (!a.json) {
        std::printf("run %d: %.0f s of %.0f Hz data in %zu batches: ingest %.2f s, ingest+tag %.2f s -> %.1fx real "
                    "time (%lld windows, %lld busy retries)\n",
                    r + 1, a.seconds, a.rate, batches.size(), ingest_s, wall, ratio,
                    static_cast<long long>(st.windows_tagged), static_cast<long long>(busy_retries));
      }
    }
    std::sort(ratios.begin(), ratios.end());
    const double median = ratios[ratios.size() / 2];
    if (a.json) {
      std::printf("{\"realtime_factor_median\": %.2f, \"runs\": %d, \"seconds\": %.0f, \"rate_hz\": %.0f, "
                  "\"batch_ms\": %d, \"threads\": %d}\n",
                  median, a.repeats, a.seconds, a.rate, a.batch_ms, a.threads);
    } else {
      std::printf("median: %.1fx real time (%d runs)\n", median, a.repeats);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench live: %s\n", e.what());
    return 1;
  }
}
