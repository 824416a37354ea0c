#include "services/cli/synthetic_recording.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>

#include "common/error.h"

namespace imu2clip::cli {
namespace {

char* put(char* p, double v, int decimals) {
  auto r = std::to_chars(p, p + 32, v, std::chars_format::fixed, decimals);
  return r.ptr;
}

}  // namespace

int64_t write_synthetic_recording(const std::string& path, double hours, double rate_hz, uint64_t seed) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f) throw Error(ErrorKind::Io, "cannot create the synthetic recording", {path, 0, ""});
  std::setvbuf(f.get(), nullptr, _IOFBF, 1 << 20);
  std::fputs("t_ms,ax,ay,az,gx,gy,gz\n", f.get());
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  const int64_t rows = static_cast<int64_t>(std::llround(hours * 3600.0 * rate_hz));
  const double dt = 1.0 / rate_hz;
  const double two_pi = 6.283185307179586;
  double activity_left = 0;
  int activity = 0;  // 0 still, 1 walking, 2 running
  double tilt = 0.2;
  char line[256];
  for (int64_t i = 0; i < rows; ++i) {
    const double t = static_cast<double>(i) * dt;
    if (activity_left <= 0) {
      activity = static_cast<int>(rng() % 3);
      activity_left = 60.0 + static_cast<double>(rng() % 1800);
      tilt = 0.1 + 0.6 * static_cast<double>(rng() % 1000) / 1000.0;
    }
    activity_left -= dt;
    const double freq = activity == 2 ? 2.8 : 1.9;
    const double amp = activity == 0 ? 0.0 : (activity == 1 ? 2.0 : 6.0);
    const double s = std::sin(two_pi * freq * t), c = std::cos(two_pi * freq * t);
    const double ax = 9.80665 * std::sin(tilt) + amp * s + 0.05 * noise(rng);
    const double ay = 0.3 * amp * c + 0.05 * noise(rng);
    const double az = 9.80665 * std::cos(tilt) + 0.5 * amp * std::sin(2 * two_pi * freq * t) + 0.05 * noise(rng);
    const double gx = 0.2 * amp * c + 0.01 * noise(rng);
    const double gy = 0.1 * amp * s + 0.01 * noise(rng);
    const double gz = 0.05 * amp * c + 0.01 * noise(rng);
    char* p = line;
    p = put(p, static_cast<double>(i) * 1000.0 / rate_hz, 1);
    for (double v : {ax, ay, az}) { *p++ = ','; p = put(p, v, 3); }
    for (double v : {gx, gy, gz}) { *p++ = ','; p = put(p, v, 4); }
    *p++ = '\n';
    std::fwrite(line, 1, static_cast<size_t>(p - line), f.get());
  }
  if (std::fflush(f.get()) != 0) throw Error(ErrorKind::Io, "write failed (disk full?)", {path, 0, ""});
  return rows;
}

}  // namespace imu2clip::cli
