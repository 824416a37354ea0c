#pragma once
// A tiny canonical dataset folder written by the tests: two 20 s recordings at 50 Hz whose ax
// channel equals the time in seconds (so a window's content tells where it was cut).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace imu2clip::test {

inline void write_synthetic_dataset(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::create_directories(dir + "/recordings");
  std::ofstream(dir + "/manifest.json") << R"({"name": "synth", "recordings": [
    {"id": "r1", "subject": "s1", "file": "recordings/r1.csv", "split": "train", "start_epoch_ms": null},
    {"id": "r2", "subject": "s2", "file": "recordings/r2.csv", "split": "val", "start_epoch_ms": null}]})";
  // r1: walking for the first 6 s, sitting after; r2: standing for 2 s only, the rest unlabelled.
  std::ofstream(dir + "/labels.csv") << "recording_id,start_ms,end_ms,label,source_label\n"
                                        "r1,0,6000,walking,W\nr1,6020,19980,sitting,S\nr2,0,2000,standing,T\n";
  for (const char* id : {"r1", "r2"}) {
    std::ofstream out(dir + "/recordings/" + id + ".csv");
    out << "t_ms,ax,ay,az,gx,gy,gz\n";
    for (int k = 0; k < 1000; ++k) {
      char line[128];
      std::snprintf(line, sizeof line, "%d,%.3f,0,9.81,0.01,0,0\n", k * 20, k * 0.02);
      out << line;
    }
  }
}

}  // namespace imu2clip::test
