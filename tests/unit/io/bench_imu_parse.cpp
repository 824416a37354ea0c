// Hand-run speed check (not a test): writes a synthetic canonical CSV (plain and gzip) of
// ROWS rows at 200 Hz, then times reading, resampling to 200 Hz and 50 Hz, and window planning.
//   bench_imu_parse [rows=2000000] [scratch_dir=/tmp]
//   bench_imu_parse --read FILE     (only time reading an existing file)
#include <zlib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "tagger/io/imu_csv.h"
#include "tagger/signal/resample.h"
#include "tagger/signal/window.h"

using namespace imu2clip;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int main(int argc, char** argv) {
  if (argc > 2 && std::string(argv[1]) == "--read") {
    const auto t0 = Clock::now();
    ReadReport report;
    const ImuSeries s = read_imu_file(argv[2], &report);
    const double dt = seconds_since(t0);
    std::printf("%s\nread %ld rows in %.2f s = %.2f M rows/s\n", report.summary().c_str(),
                static_cast<long>(s.size()), dt, s.size() / dt / 1e6);
    return 0;
  }
  const long rows = argc > 1 ? std::stol(argv[1]) : 2000000;
  const std::string dir = argc > 2 ? argv[2] : "/tmp";
  const std::string plain = dir + "/bench_imu.csv", gz = dir + "/bench_imu.csv.gz";

  auto t0 = Clock::now();
  FILE* f = std::fopen(plain.c_str(), "wb");
  gzFile g = gzopen(gz.c_str(), "wb1");
  std::string chunk;
  auto flush = [&] {
    std::fwrite(chunk.data(), 1, chunk.size(), f);
    gzwrite(g, chunk.data(), static_cast<unsigned>(chunk.size()));
    chunk.clear();
  };
  chunk = "t_ms,ax,ay,az,gx,gy,gz\n";
  char line[160];
  for (long i = 0; i < rows; ++i) {
    const double t = i * 0.005;
    const int n = std::snprintf(line, sizeof line, "%ld,%.3f,%.3f,%.3f,%.4f,%.4f,%.4f\n", i * 5,
                                9.81 + std::sin(t), 0.5 * std::cos(3 * t), -1.234 + 0.1 * std::sin(7 * t),
                                0.1 * std::sin(2 * t), -0.05 * std::cos(t), 0.0123 * std::sin(11 * t));
    chunk.append(line, static_cast<size_t>(n));
    if (chunk.size() > (1 << 20)) flush();
  }
  flush();
  std::fclose(f);
  gzclose(g);
  std::printf("wrote %ld rows (%.1f MB plain, %.1f MB gzip) in %.1f s\n", rows,
              std::filesystem::file_size(plain) / 1e6, std::filesystem::file_size(gz) / 1e6, seconds_since(t0));

  for (const auto& path : {plain, gz}) {
    t0 = Clock::now();
    ReadReport report;
    const ImuSeries s = read_imu_file(path, &report);
    const double dt = seconds_since(t0);
    std::printf("read %-28s %ld rows in %.2f s = %.2f M rows/s\n",
                std::filesystem::path(path).filename().c_str(), static_cast<long>(s.size()), dt,
                s.size() / dt / 1e6);
    if (path != gz) continue;
    t0 = Clock::now();
    const UniformSignal u = resample(s, {});
    std::printf("resample 200 -> 200 Hz: %zu samples in %.2f s\n", u.size(), seconds_since(t0));
    t0 = Clock::now();
    const WindowPlan plan = plan_windows(u, {});
    std::printf("plan_windows: %zu windows in %.3f s\n", plan.windows.size(), seconds_since(t0));
    ResampleOptions down;
    down.target_rate_hz = 50;
    t0 = Clock::now();
    const UniformSignal d = resample(s, down);
    std::printf("resample 200 -> 50 Hz (anti-aliased): %zu samples in %.2f s\n", d.size(), seconds_since(t0));
  }
  std::filesystem::remove(plain);
  std::filesystem::remove(gz);
  return 0;
}
