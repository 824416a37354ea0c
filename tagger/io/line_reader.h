#pragma once
// Reads a text file line by line, gzip or plain (zlib's gzread passes plain files through),
// through one large buffer: no allocation per line, lines are views into the buffer. A gzip
// file is inflated on a background thread so decompression overlaps the caller's parsing.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct gzFile_s;

namespace imu2clip {

class GzPrefetcher;

class LineReader {
 public:
  // Throws Error(NotFound) when the file does not exist, Error(Io) when it cannot be opened.
  explicit LineReader(const std::string& path, size_t buffer_bytes = size_t{4} << 20);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Next line without its "\n" / "\r\n" (a UTF-8 BOM on line 1 is removed). The view is valid
  // until the next call. False at end of file. Throws Error(Corrupt) on a damaged gzip stream.
  bool next(std::string_view& line);

  int64_t line_number() const { return line_number_; }  // 1-based, of the last line returned
  const std::string& path() const { return path_; }
  bool compressed() const { return compressed_; }

 private:
  bool refill();  // false when no more bytes can be read
  int read_raw(char* dst, unsigned want);  // gzread semantics, via the prefetcher when running

  std::string path_;
  gzFile_s* file_ = nullptr;
  std::unique_ptr<GzPrefetcher> prefetcher_;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // one past the last valid byte
  bool eof_ = false;
  bool compressed_ = false;
  int64_t line_number_ = 0;
};

}  // namespace imu2clip
