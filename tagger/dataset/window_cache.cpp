#include "tagger/dataset/window_cache.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace imu2clip {
namespace {

constexpr char kMagic[8] = {'I', '2', 'C', 'W', 'I', 'N', '0', '1'};

template <typename T>
bool read_array(std::istream& in, std::vector<T>& out, size_t n) {
  out.resize(n);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n * sizeof(T)));
  return static_cast<size_t>(in.gcount()) == n * sizeof(T);
}

template <typename T>
void write_array(std::ostream& out, const std::vector<T>& v) {
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
}

}  // namespace

std::optional<LabelledWindows> read_window_cache(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  char magic[8];
  uint64_t header_size = 0;
  if (!in.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0) return std::nullopt;
  if (!in.read(reinterpret_cast<char*>(&header_size), 8) || header_size > (1u << 30)) return std::nullopt;
  std::string header(header_size, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header_size))) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(header);
    LabelledWindows w;
    w.dataset = j.at("dataset").get<std::string>();
    w.channels = j.at("channels").get<int>();
    w.samples = j.at("samples").get<int>();
    w.rate_hz = j.at("rate_hz").get<double>();
    w.labels = j.at("labels").get<std::vector<std::string>>();
    w.recording_ids = j.at("recording_ids").get<std::vector<std::string>>();
    w.recording_subjects = j.at("recording_subjects").get<std::vector<std::string>>();
    w.recording_splits = j.at("recording_splits").get<std::vector<std::string>>();
    const size_t n = j.at("windows").get<size_t>();
    if (!read_array(in, w.label, n) || !read_array(in, w.recording, n) || !read_array(in, w.start_s, n) ||
        !read_array(in, w.data, n * static_cast<size_t>(w.channels) * static_cast<size_t>(w.samples)))
      return std::nullopt;
    char extra;
    if (in.read(&extra, 1)) return std::nullopt;  // trailing bytes: not a file we wrote
    return w;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

void write_window_cache(const std::string& path, const LabelledWindows& w) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  nlohmann::json j = {{"dataset", w.dataset},
                      {"channels", w.channels},
                      {"samples", w.samples},
                      {"rate_hz", w.rate_hz},
                      {"labels", w.labels},
                      {"recording_ids", w.recording_ids},
                      {"recording_subjects", w.recording_subjects},
                      {"recording_splits", w.recording_splits},
                      {"windows", w.size()}};
  const std::string header = j.dump();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw Error(ErrorKind::Io, "cannot write the window cache; check that --cache-dir is writable",
                  ErrorContext{tmp, 0, ""});
    const uint64_t header_size = header.size();
    out.write(kMagic, 8);
    out.write(reinterpret_cast<const char*>(&header_size), 8);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    write_array(out, w.label);
    write_array(out, w.recording);
    write_array(out, w.start_s);
    write_array(out, w.data);
    if (!out.flush()) throw Error(ErrorKind::Io, "writing the window cache failed (disk full?)", ErrorContext{tmp, 0, ""});
  }
  fs::rename(tmp, path, ec);
  if (ec) throw Error(ErrorKind::Io, "cannot move the window cache into place: " + ec.message(), ErrorContext{path, 0, ""});
}

}  // namespace imu2clip
