#pragma once
// A word-vector table read from the GloVe / word2vec text format: one word per line followed by
// its floats, separated by spaces; an optional first line "<count> <dim>" (word2vec) is skipped.
// Gzip-compressed files (.gz) are read transparently. Files are loaded once per process.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace imu2clip {

class WordVectors {
 public:
  // Loads `path`; throws Error(NotFound) if it is missing, Error(Corrupt) with the line number for a
  // malformed line (wrong number of values, unparsable number), Error(Io) for read failures.
  explicit WordVectors(const std::string& path);
  // The process-wide table for `path`, reloaded when the file's size or modification time changed.
  static std::shared_ptr<const WordVectors> shared(const std::string& path);
  // "fnv1a64:<16 hex digits>" of the file's bytes as stored (compressed or not), without loading it.
  static std::string hash_file(const std::string& path);

  const std::string& path() const { return path_; }
  const std::string& content_hash() const { return content_hash_; }
  int dim() const { return dim_; }
  size_t size() const { return words_; }
  // The word's vector (dim() floats) or nullptr. The first occurrence wins for duplicate words.
  const float* find(std::string_view word) const;

 private:
  std::string path_;
  std::string content_hash_;
  int dim_ = 0;
  size_t words_ = 0;
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<float> values_;
};

}  // namespace imu2clip
