#include "tagger/text/word_vectors.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <tuple>

#include "common/error.h"
#include "tagger/text/gzip_file.h"
#include "tagger/text/stable_hash.h"
#include "tagger/text/tower_params.h"

namespace imu2clip {
namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_unsigned_integer(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}


void require_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    throw Error(ErrorKind::NotFound,
                "word-vector file not found; give the path of a GloVe or word2vec text file (optionally .gz)",
                ErrorContext{path, 0, "path"});
  }
}

}  // namespace

std::string WordVectors::hash_file(const std::string& path) {
  require_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, "cannot read the word-vector file", ErrorContext{path, 0, ""});
  Fnv1a64 h;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    h.update(buf, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw Error(ErrorKind::Io, "cannot read the word-vector file", ErrorContext{path, 0, ""});
  return "fnv1a64:" + tower_params::hex64(h.digest());
}

WordVectors::WordVectors(const std::string& path) : path_(path) {
  content_hash_ = hash_file(path);
  const std::string text = read_gzip_or_plain(path, "the word-vector file");
  size_t start = 0;
  int64_t line_no = 0;
  std::string number;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_no;
    const auto f = split_fields(line);
    if (f.empty()) continue;
    if (line_no == 1 && f.size() == 2 && is_unsigned_integer(f[0]) && is_unsigned_integer(f[1])) {
      dim_ = std::atoi(std::string(f[1]).c_str());  // word2vec header "<count> <dim>"
      if (dim_ <= 0) throw Error(ErrorKind::Corrupt, "word2vec header with dimension 0", ErrorContext{path, 1, ""});
      continue;
    }
    if (dim_ == 0) dim_ = static_cast<int>(f.size()) - 1;
    if (dim_ <= 0 || f.size() != static_cast<size_t>(dim_) + 1) {
      throw Error(ErrorKind::Corrupt,
                  "expected a word and " + std::to_string(dim_) + " numbers, found " + std::to_string(f.size()) +
                      " fields (GloVe / word2vec text format)",
                  ErrorContext{path, line_no, ""});
    }
    const size_t row = values_.size();
    values_.resize(row + static_cast<size_t>(dim_));
    for (int k = 0; k < dim_; ++k) {
      number.assign(f[static_cast<size_t>(k) + 1]);
      char* endp = nullptr;
      errno = 0;
      const float v = std::strtof(number.c_str(), &endp);
      if (endp != number.c_str() + number.size() || errno == ERANGE) {
        throw Error(ErrorKind::Corrupt, "'" + number + "' is not a number", ErrorContext{path, line_no, ""});
      }
      values_[row + static_cast<size_t>(k)] = v;
    }
    if (!index_.emplace(std::string(f[0]), static_cast<uint32_t>(words_)).second) {
      values_.resize(row);  // duplicate word: keep the first
      continue;
    }
    ++words_;
  }
  if (words_ == 0) throw Error(ErrorKind::Corrupt, "the word-vector file holds no vectors", ErrorContext{path, 0, ""});
}

std::shared_ptr<const WordVectors> WordVectors::shared(const std::string& path) {
  require_file(path);
  struct stat st {};
  ::stat(path.c_str(), &st);
  using Key = std::tuple<std::string, int64_t, int64_t, int64_t>;
  static std::mutex mutex;
  static std::map<Key, std::shared_ptr<const WordVectors>> cache;
  const Key key{path, static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_mtim.tv_sec),
                static_cast<int64_t>(st.st_mtim.tv_nsec)};
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[key];
  if (!slot) slot = std::make_shared<const WordVectors>(path);
  return slot;
}

const float* WordVectors::find(std::string_view word) const {
  const auto it = index_.find(std::string(word));
  return it == index_.end() ? nullptr : values_.data() + static_cast<size_t>(it->second) * static_cast<size_t>(dim_);
}

}  // namespace imu2clip
