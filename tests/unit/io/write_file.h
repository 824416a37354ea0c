#pragma once
// Test helper: writes text to a plain or gzip file.
#include <zlib.h>

#include <fstream>
#include <stdexcept>
#include <string>

namespace imu2clip::test {

inline std::string write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

inline std::string write_gzip(const std::string& path, const std::string& text) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  return path;
}

}  // namespace imu2clip::test
