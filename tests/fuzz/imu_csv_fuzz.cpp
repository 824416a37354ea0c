// The IMU CSV readers (tagger/io/imu_csv.h), canonical and Ego4D layouts, plain or gzip: every
// input is read by both readers. A reader either refuses with
// imu2clip::Error naming the file, or returns a series that keeps the documented promises.
#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "tagger/io/imu_csv.h"

using namespace imu2clip;

namespace {

void check_series(const ImuSeries& s, const ReadReport& r, const std::string& path, bool ego4d) {
  FUZZ_CHECK(s.size() > 0);
  FUZZ_CHECK(s.source == path);
  FUZZ_CHECK(s.t_s.front() == 0.0);  // time zero is the first kept sample
  for (size_t i = 0; i < s.size(); ++i) {
    FUZZ_CHECK(std::isfinite(s.t_s[i]));
    if (i > 0) FUZZ_CHECK(s.t_s[i] > s.t_s[i - 1]);  // strictly increasing
  }
  for (const auto& channel : s.ch) {
    FUZZ_CHECK(channel.size() == s.size());
    // Ego4D drops rows with a missing value; canonical keeps NaN, never an infinity.
    for (float v : channel) FUZZ_CHECK(ego4d ? std::isfinite(v) : !std::isinf(v));
  }
  FUZZ_CHECK(r.rows_kept == static_cast<int64_t>(s.size()));
  FUZZ_CHECK(r.format == (ego4d ? "ego4d" : "canonical"));
  FUZZ_CHECK(std::isfinite(r.time_offset_ms));
  if (ego4d) {
    FUZZ_CHECK(r.rows == r.rows_kept + r.rows_dropped());
  } else {
    FUZZ_CHECK(r.rows == r.rows_kept);
    FUZZ_CHECK(r.rows_dropped() == 0);
  }
  FUZZ_CHECK(!r.summary().empty());
}

// Reads with `read`; returns the report (its format says which reader ran; empty when the
// file had no header line).
template <typename Read>
ReadReport read_checked(Read read, const std::string& path) {
  ReadReport report;
  try {
    ImuSeries s = read(path, &report);
    check_series(s, report, path, report.format == "ego4d");
  } catch (const Error& e) {
    fuzz::check_error(e);
    FUZZ_CHECK(e.context().file == path);  // the CLI prints it: the user must know which file
    FUZZ_CHECK(e.kind() == ErrorKind::InvalidInput || e.kind() == ErrorKind::Corrupt);
  }
  return report;
}

}  // namespace

// Each read opens the file with a multi-megabyte line buffer, the cost of an execution: the
// format-detecting reader runs first, then the reader of the other format.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = fuzz::scratch_path(".csv");
  fuzz::write_scratch(path, data, size);
  const ReadReport detected = read_checked(read_imu_file, path);
  if (detected.format.empty()) return 0;  // no header: nothing for the other reader either
  if (detected.format == "ego4d") read_checked(read_canonical_imu_csv, path);
  else read_checked(read_ego4d_imu_csv, path);
  return 0;
}
