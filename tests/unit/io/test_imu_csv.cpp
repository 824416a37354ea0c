#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/io/imu_csv.h"
#include "tagger/io/line_reader.h"
#include "tests/support/test_paths.h"
#include "tests/unit/io/write_file.h"

using namespace imu2clip;
using imu2clip::test::write_gzip;
using imu2clip::test::write_text;

namespace {

const char* kCanonical =
    "t_ms,ax,ay,az,gx,gy,gz\n"
    "0,9.003,-1.103,4.999,-0.055,-0.0696,-0.0308\n"
    "20,8.935,-0.913,5.271,-0.0125,0.0192,-0.0385\n"
    "40,8.649,-0.844,5.04,-0.0235,0.2764,0.0064\n";

// Runs f, expects an imu2clip::Error and returns it for inspection.
template <typename F>
Error expect_error(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected imu2clip::Error");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("canonical reader reads a real shared recording with the manifest's sample count") {
  IMU2CLIP_REQUIRE_SHARED(dir, "imu/hapt");
  nlohmann::json manifest;
  std::ifstream(dir + "/manifest.json") >> manifest;
  const auto& rec = manifest["recordings"][0];
  ReadReport report;
  const ImuSeries s = read_canonical_imu_csv(dir + "/" + rec["file"].get<std::string>(), &report);
  CHECK(s.size() == rec["n_samples"].get<size_t>());
  CHECK(s.duration_s() == Approx(rec["duration_s"].get<double>()).margin(1e-9));
  CHECK(report.format == "canonical");
  CHECK(report.rows == report.rows_kept);
  CHECK(report.dropped.empty());
  CHECK(report.nonfinite_values == 0);
  CHECK(s.t_s[0] == 0.0);
  for (size_t i = 1; i < s.size(); ++i) REQUIRE(s.t_s[i] > s.t_s[i - 1]);
  if (rec["id"] == "hapt_u01_e01") {
    CHECK(s.ch[kAx][0] == 9.003f);
    CHECK(s.ch[kGz][0] == -0.0308f);
    CHECK(s.t_s[1] == Approx(0.02));
  }
}

TEST_CASE("gzip and plain canonical files read identically") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  const auto a = read_canonical_imu_csv(write_text(dir + "/r.csv", kCanonical));
  const auto b = read_canonical_imu_csv(write_gzip(dir + "/r.csv.gz", kCanonical));
  REQUIRE(a.size() == 3);
  CHECK(a.t_s == b.t_s);
  CHECK(a.ch == b.ch);
  CHECK(a.t_s[2] == Approx(0.04));
  CHECK(a.ch[kAy][1] == -0.913f);
  CHECK(a.ch[kGy][2] == 0.2764f);
}

TEST_CASE("canonical header aliases, any column order, extra columns ignored") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  const auto path = write_text(dir + "/r.csv",
                               "Gyro_X, gyr_y ,GYRO-Z,label,Timestamp_ms,acc_x,accel_y,\"accl_z\"\n"
                               "1,2,3,walk,1000,4,5,6\n"
                               "7,8,9,walk,1010,10,11,12\n");
  ReadReport report;
  const auto s = read_canonical_imu_csv(path, &report);
  REQUIRE(s.size() == 2);
  CHECK(s.ch[kGx][0] == 1);
  CHECK(s.ch[kGz][1] == 9);
  CHECK(s.ch[kAx][0] == 4);
  CHECK(s.ch[kAz][1] == 12);
  CHECK(s.t_s[1] == Approx(0.010));
  CHECK(report.time_offset_ms == 1000);
  CHECK(report.time_column == "Timestamp_ms");
}

TEST_CASE("canonical time in seconds is converted") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  const auto s = read_canonical_imu_csv(
      write_text(dir + "/r.csv", "t_s,ax,ay,az,gx,gy,gz\n5.0,0,0,0,0,0,0\n5.25,0,0,0,0,0,0\n"));
  CHECK(s.t_s[1] == Approx(0.25));
}

TEST_CASE("a non-numeric value names the line and the field") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  const auto path = write_gzip(dir + "/r.csv.gz",
                               "t_ms,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n20,1,abc,3,4,5,6\n");
  const Error e = expect_error([&] { read_canonical_imu_csv(path); });
  CHECK(e.kind() == ErrorKind::InvalidInput);
  CHECK(e.context().file == path);
  CHECK(e.context().line == 3);
  CHECK(e.context().field == "ay");
  CHECK_THAT(e.what(), Catch::Contains("abc"));
}

TEST_CASE("a wrong field count names the line") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  for (const char* row : {"20,1,2,3,4,5\n", "20,1,2,3,4,5,6,7\n"}) {
    const auto path = write_text(dir + "/r.csv", std::string("t_ms,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n") + row);
    const Error e = expect_error([&] { read_canonical_imu_csv(path); });
    CHECK(e.context().line == 3);
    CHECK_THAT(e.message(), Catch::Contains("expected 7"));
  }
}

TEST_CASE("empty file, header only and missing columns are errors") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  CHECK_THAT(expect_error([&] { read_canonical_imu_csv(write_text(dir + "/e.csv", "")); }).message(),
             Catch::Contains("empty"));
  CHECK_THAT(expect_error([&] { read_canonical_imu_csv(write_gzip(dir + "/e.csv.gz", "")); }).message(),
             Catch::Contains("empty"));
  CHECK_THAT(expect_error([&] { read_canonical_imu_csv(write_text(dir + "/h.csv", "t_ms,ax,ay,az,gx,gy,gz\n")); })
                 .message(),
             Catch::Contains("no data rows"));
  const Error missing =
      expect_error([&] { read_canonical_imu_csv(write_text(dir + "/m.csv", "t_ms,ax,ay,az,gx,gy\n0,1,2,3,4,5\n")); });
  CHECK(missing.context().field == "gz");
  CHECK(missing.context().line == 1);
  const Error no_time =
      expect_error([&] { read_canonical_imu_csv(write_text(dir + "/n.csv", "ax,ay,az,gx,gy,gz\n1,2,3,4,5,6\n")); });
  CHECK(no_time.context().field == "t_ms");
  const Error dup = expect_error(
      [&] { read_canonical_imu_csv(write_text(dir + "/d.csv", "t_ms,ax,acc_x,ay,az,gx,gy,gz\n0,1,1,2,3,4,5,6\n")); });
  CHECK(dup.context().field == "acc_x");
  CHECK(expect_error([&] { read_canonical_imu_csv(dir + "/absent.csv"); }).kind() == ErrorKind::NotFound);
}

TEST_CASE("canonical time must strictly increase") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  const auto path = write_text(dir + "/r.csv",
                               "t_ms,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n20,1,2,3,4,5,6\n20,1,2,3,4,5,6\n");
  const Error e = expect_error([&] { read_canonical_imu_csv(path); });
  CHECK(e.context().line == 4);
  CHECK(e.context().field == "t_ms");
  CHECK_THAT(e.message(), Catch::Contains("strictly increasing"));
}

TEST_CASE("times too far apart for a double offset are refused, not turned into a broken clock") {
  // Found with tests/fuzz/imu_csv_fuzz: -1e300 then 1 and 2 gave offsets 1e297 s twice (not
  // increasing); -1e308 then 1e308 gave an infinite offset.
  const auto dir = imu2clip::test::make_temp_dir("io");
  const Error canonical = expect_error([&] {
    read_canonical_imu_csv(write_text(dir + "/r.csv", "t_ms,ax,ay,az,gx,gy,gz\n-1e300,1,2,3,4,5,6\n"
                                                      "1,1,2,3,4,5,6\n2,1,2,3,4,5,6\n"));
  });
  CHECK(canonical.kind() == ErrorKind::InvalidInput);
  CHECK(canonical.context().line == 4);
  CHECK(canonical.context().field == "t_ms");
  const Error ego4d = expect_error([&] {
    read_ego4d_imu_csv(write_text(dir + "/e.csv", std::string("component_idx,component_timestamp_ms,"
                                                              "canonical_timestamp_ms,gyro_x,gyro_y,gyro_z,"
                                                              "accl_x,accl_y,accl_z\n") +
                                                      "0,0,-1e308,1,2,3,4,5,6\n0,0,1e308,1,2,3,4,5,6\n"));
  });
  CHECK(ego4d.kind() == ErrorKind::InvalidInput);
  CHECK(ego4d.context().field == "canonical_timestamp_ms");
}

TEST_CASE("canonical NaN, inf and empty sensor values are kept as NaN and counted") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  const auto path = write_text(dir + "/r.csv",
                               "t_ms,ax,ay,az,gx,gy,gz\n0,NaN,2,3,4,5,6\n20,1,inf,3,4,,6\n40,1,2,3,4,5,-Infinity\n");
  ReadReport report;
  const auto s = read_canonical_imu_csv(path, &report);
  REQUIRE(s.size() == 3);
  CHECK(std::isnan(s.ch[kAx][0]));
  CHECK(std::isnan(s.ch[kAy][1]));
  CHECK(std::isnan(s.ch[kGy][1]));
  CHECK(std::isnan(s.ch[kGz][2]));
  CHECK(s.ch[kAz][2] == 3);
  CHECK(report.nonfinite_values == 4);
  CHECK(report.rows_kept == 3);
  CHECK_FALSE(report.warnings.empty());
}

TEST_CASE("BOM, CRLF line ends, spaces, blank lines and a missing final newline are tolerated") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  const auto path = write_text(dir + "/r.csv",
                               "\xEF\xBB\xBFt_ms,ax,ay,az,gx,gy,gz\r\n0, 1,2,3,4,5,+6\r\n\r\n20,1,2,3,4,5,6");
  const auto s = read_canonical_imu_csv(path);
  REQUIRE(s.size() == 2);
  CHECK(s.ch[kAx][0] == 1);
  CHECK(s.ch[kGz][0] == 6);
}

TEST_CASE("a truncated gzip file is reported as corrupt") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  std::string text = "t_ms,ax,ay,az,gx,gy,gz\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i * 5) + ",1.25,2.5,3.75,0.1,0.2,0.3\n";
  const auto full = write_gzip(dir + "/full.csv.gz", text);
  std::ifstream in(full, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto cut = write_text(dir + "/cut.csv.gz", bytes.substr(0, bytes.size() / 2));
  CHECK(expect_error([&] { read_canonical_imu_csv(cut); }).kind() == ErrorKind::Corrupt);
  CHECK(read_canonical_imu_csv(full).size() == 20000);
}

TEST_CASE("line reader returns every line across buffer refills") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line-" + std::to_string(i) + std::string(i % 97, 'x') + "\n";
  text += std::string(10000, 'y');  // longer than the buffer, no final newline
  for (const auto& path : {write_text(dir + "/l.txt", text), write_gzip(dir + "/l.txt.gz", text)}) {
    LineReader reader(path, 4096);
    std::string_view line;
    int count = 0;
    bool all_match = true;
    while (reader.next(line)) {
      if (count < 5000)
        all_match &= line == "line-" + std::to_string(count) + std::string(count % 97, 'x');
      else
        all_match &= line == std::string(10000, 'y');
      ++count;
    }
    CHECK(all_match);
    CHECK(count == 5001);
    CHECK(reader.line_number() == 5001);
  }
}

// --- Ego4D layout -------------------------------------------------------------------------

namespace {
const char* kEgoHeader =
    "component_idx,component_timestamp_ms,canonical_timestamp_ms,gyro_x,gyro_y,gyro_z,accl_x,accl_y,accl_z\n";
}

TEST_CASE("ego4d reader repairs a broken file and counts every repair") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  const auto path = write_text(dir + "/v.csv",
                               std::string(kEgoHeader) +
                                   "0,1000,5000,0.1,0.2,0.3,1,2,3\n"         // kept, t=0
                                   "0,1005,NULL,0.1,0.2,0.3,1,2,3\n"         // null canonical
                                   "0,1010,,0.1,0.2,0.3,1,2,3\n"             // empty canonical
                                   "0,1020,5020,0.5,0.2,0.3,7,2,3\n"         // kept, out of order
                                   "0,1015,5010,0.4,0.2,0.3,4,2,3\n"         // kept
                                   "0,1016,5010,9.9,9.9,9.9,9,9,9\n"         // duplicate of 5010
                                   "0,1025,5025,0.1,,0.3,1,2,3\n"            // missing value
                                   "0,1030,5030,0.1,0.2,NaN,1,2,3\n"         // missing value
                                   "0,1035,5035,0.6,0.2,0.3,8,2,3\n");       // kept
  ReadReport report;
  const ImuSeries s = read_imu_file(path, &report);
  CHECK(report.format == "ego4d");
  CHECK(report.rows == 9);
  CHECK(report.rows_kept == 4);
  CHECK(report.dropped["null canonical timestamp"] == 2);
  CHECK(report.dropped["duplicate timestamp"] == 1);
  CHECK(report.dropped["missing value"] == 2);
  CHECK(report.rows_dropped() == 5);
  CHECK(report.resorted);
  CHECK(report.time_offset_ms == 5000);
  REQUIRE(s.size() == 4);
  CHECK(s.t_s == std::vector<double>{0.0, 0.010, 0.020, 0.035});
  // Channel order is ax..gz regardless of the file's gyro-first layout; first duplicate wins.
  CHECK(s.ch[kAx] == std::vector<float>{1, 4, 7, 8});
  CHECK(s.ch[kGx] == std::vector<float>{0.1f, 0.4f, 0.5f, 0.6f});
  CHECK_THAT(report.summary(), Catch::Contains("duplicate timestamp 1"));
}

TEST_CASE("ego4d reader falls back to the component clock only when no canonical time exists") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  const auto path = write_text(dir + "/v.csv", std::string(kEgoHeader) +
                                                   "0,100,NULL,0.1,0.2,0.3,1,2,3\n"
                                                   "0,105,NULL,0.1,0.2,0.3,1,2,3\n"
                                                   "0,110,null,0.1,0.2,0.3,1,2,3\n");
  ReadReport report;
  const auto s = read_ego4d_imu_csv(path, &report);
  REQUIRE(s.size() == 3);
  CHECK(s.t_s[2] == Approx(0.010));
  CHECK(report.time_column == "component_timestamp_ms");
  CHECK(report.dropped.empty());
  REQUIRE_FALSE(report.warnings.empty());
  CHECK_THAT(report.warnings[0], Catch::Contains("component_timestamp_ms"));
}

TEST_CASE("ego4d reader rejects a garbage header, garbage values and an all-dropped file") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  const Error header = expect_error([&] {
    read_ego4d_imu_csv(write_text(dir + "/h.csv", "canonical_timestamp_ms,foo,bar\n1,2,3\n"));
  });
  CHECK(header.context().line == 1);
  CHECK(header.context().field == "ax");
  const Error garbage = expect_error([&] {
    read_imu_file(write_text(dir + "/g.csv", std::string(kEgoHeader) + "0,0,0,0.1,0.2,0.3,1,2,3\n0,5,5,0.1,x1,0.3,1,2,3\n"));
  });
  CHECK(garbage.context().line == 3);
  CHECK(garbage.context().field == "gyro_y");
  const Error none = expect_error([&] {
    read_imu_file(write_text(dir + "/n.csv", std::string(kEgoHeader) + "0,0,0,0.1,,0.3,1,2,3\n"));
  });
  CHECK_THAT(none.message(), Catch::Contains("missing value"));
}

TEST_CASE("format detection picks ego4d from its header and canonical otherwise") {
  const auto dir = imu2clip::test::make_temp_dir("io");
  CHECK(detect_imu_file_format(write_text(dir + "/a.csv", kCanonical)) == ImuFileFormat::Canonical);
  CHECK(detect_imu_file_format(write_gzip(dir + "/b.csv.gz", std::string(kEgoHeader) + "0,0,0,1,2,3,4,5,6\n")) ==
        ImuFileFormat::Ego4d);
}

TEST_CASE("ego4d reader reads a shared ego4d_mini file at 200 Hz") {
  IMU2CLIP_REQUIRE_SHARED(dir, "ego4d_mini");
  nlohmann::json meta;
  std::ifstream(dir + "/ego4d.json") >> meta;
  const auto& video = meta["videos"][0];
  ReadReport report;
  const auto s = read_imu_file(dir + "/v2/imu/" + video["video_uid"].get<std::string>() + ".csv", &report);
  CHECK(report.format == "ego4d");
  CHECK(report.dropped.empty());
  CHECK_FALSE(report.resorted);
  CHECK(s.size() == video["x_source"]["imu_rows"].get<size_t>());
  CHECK(s.t_s[1] == Approx(0.005));
  CHECK(s.duration_s() == Approx(video["duration_sec"].get<double>()).margin(0.01));
}
