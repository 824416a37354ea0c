#include "tagger/io/line_reader.h"

#include <zlib.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/error.h"

namespace imu2clip {
namespace {
// A longer line means the file is not a CSV of numbers (or has no line breaks at all).
constexpr size_t kMaxLineBytes = size_t{16} << 20;
constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr size_t kChunksInFlight = 4;

// Reads a gzFile ahead on its own thread into a few fixed chunks.
std::string truncation_message(gzFile file) {
  int code = 0;
  const char* msg = gzerror(file, &code);
  if (code == Z_OK || code == Z_STREAM_END) return {};
  return std::string("gzip stream damaged or truncated (") + (msg ? msg : "?") +
         "); re-download or re-compress the file";
}
}  // namespace

class GzPrefetcher {
 public:
  explicit GzPrefetcher(gzFile file) : file_(file) {
    for (size_t i = 0; i < kChunksInFlight; ++i) free_.emplace_back(kChunkBytes);
    thread_ = std::thread([this] { run(); });
  }
  ~GzPrefetcher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Copies up to `want` bytes; 0 at end of stream; sets *error when the stream is damaged.
  int read(char* dst, unsigned want, std::string* error) {
    while (pos_ == current_size_) {
      std::unique_lock<std::mutex> lock(mu_);
      if (!current_.empty()) {
        free_.push_back(std::move(current_));
        cv_.notify_all();
      }
      current_ = {};
      pos_ = current_size_ = 0;
      cv_.wait(lock, [&] { return !ready_.empty() || done_; });
      if (ready_.empty()) {
        *error = error_;
        return 0;
      }
      current_ = std::move(ready_.front().first);
      current_size_ = ready_.front().second;
      ready_.pop_front();
    }
    const size_t n = std::min<size_t>(want, current_size_ - pos_);
    std::memcpy(dst, current_.data() + pos_, n);
    pos_ += n;
    return static_cast<int>(n);
  }

 private:
  void run() {
    for (;;) {
      std::vector<char> chunk;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !free_.empty() || stop_; });
        if (stop_) return;
        chunk = std::move(free_.back());
        free_.pop_back();
      }
      const int got = gzread(file_, chunk.data(), static_cast<unsigned>(chunk.size()));
      std::lock_guard<std::mutex> lock(mu_);
      if (got <= 0) {
        if (got < 0) {
          int code = 0;
          const char* msg = gzerror(file_, &code);
          error_ = std::string("cannot decompress: ") + (msg ? msg : "unknown");
        } else {
          error_ = truncation_message(file_);
        }
        done_ = true;
        cv_.notify_all();
        return;
      }
      ready_.emplace_back(std::move(chunk), static_cast<size_t>(got));
      cv_.notify_all();
    }
  }

  gzFile file_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::vector<char>> free_;
  std::deque<std::pair<std::vector<char>, size_t>> ready_;
  bool done_ = false, stop_ = false;
  std::string error_;
  // Consumer side only.
  std::vector<char> current_;
  size_t current_size_ = 0, pos_ = 0;
};

LineReader::LineReader(const std::string& path, size_t buffer_bytes) : path_(path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(ErrorKind::NotFound, "file not found; check the path", {path, 0, ""});
  if (std::filesystem::is_directory(path, ec))
    throw Error(ErrorKind::InvalidInput, "is a directory, expected a CSV file", {path, 0, ""});
  file_ = gzopen(path.c_str(), "rb");
  if (!file_)
    throw Error(ErrorKind::Io, std::string("cannot open: ") + std::strerror(errno), {path, 0, ""});
  gzbuffer(file_, 1u << 20);  // larger inflate input buffer: fewer read() calls
  buffer_.resize(buffer_bytes < 4096 ? 4096 : buffer_bytes);
  // Right after gzopen, gzdirect looks at the header: 0 means a gzip stream to inflate.
  compressed_ = gzdirect(file_) == 0;
  if (compressed_) prefetcher_ = std::make_unique<GzPrefetcher>(file_);
}

LineReader::~LineReader() {
  prefetcher_.reset();  // joins the thread before the file goes away
  if (file_) gzclose(file_);
}

int LineReader::read_raw(char* dst, unsigned want) {
  if (!prefetcher_) {
    const int got = gzread(file_, dst, want);
    if (got < 0) {
      int code = 0;
      const char* msg = gzerror(file_, &code);
      throw Error(ErrorKind::Corrupt, std::string("cannot read: ") + (msg ? msg : "unknown"),
                  {path_, line_number_ + 1, ""});
    }
    return got;
  }
  std::string error;
  const int got = prefetcher_->read(dst, want, &error);
  if (got == 0 && !error.empty()) throw Error(ErrorKind::Corrupt, error, {path_, line_number_ + 1, ""});
  return got;
}

bool LineReader::refill() {
  if (eof_) return false;
  if (begin_ > 0) {  // keep the unfinished line, move it to the front
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) {
    if (buffer_.size() >= kMaxLineBytes)
      throw Error(ErrorKind::InvalidInput,
                  "line longer than 16 MiB; this does not look like a CSV file",
                  {path_, line_number_ + 1, ""});
    buffer_.resize(buffer_.size() * 2);
  }
  const unsigned want = static_cast<unsigned>(buffer_.size() - end_);
  const int got = read_raw(buffer_.data() + end_, want);
  if (got == 0) {
    eof_ = true;
    if (!prefetcher_) {
      const std::string damaged = truncation_message(file_);
      if (!damaged.empty()) throw Error(ErrorKind::Corrupt, damaged, {path_, line_number_ + 1, ""});
    }
    return false;
  }
  end_ += static_cast<size_t>(got);
  return true;
}

bool LineReader::next(std::string_view& line) {
  size_t scan_from = begin_;
  for (;;) {
    const char* start = buffer_.data() + scan_from;
    const void* nl = std::memchr(start, '\n', end_ - scan_from);
    if (nl) {
      const size_t pos = static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data());
      size_t len = pos - begin_;
      if (len > 0 && buffer_[begin_ + len - 1] == '\r') --len;
      line = std::string_view(buffer_.data() + begin_, len);
      begin_ = pos + 1;
      break;
    }
    const size_t pending = end_ - begin_;
    if (!refill()) {
      if (pending == 0) return false;
      size_t len = end_ - begin_;  // last line without a trailing newline
      if (len > 0 && buffer_[begin_ + len - 1] == '\r') --len;
      line = std::string_view(buffer_.data() + begin_, len);
      begin_ = end_;
      break;
    }
    scan_from = begin_ + pending;  // refill moved the pending bytes to the front
  }
  ++line_number_;
  if (line_number_ == 1 && line.size() >= 3 && static_cast<unsigned char>(line[0]) == 0xEF &&
      static_cast<unsigned char>(line[1]) == 0xBB && static_cast<unsigned char>(line[2]) == 0xBF)
    line.remove_prefix(3);
  return true;
}

}  // namespace imu2clip
