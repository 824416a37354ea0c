#pragma once
// OpenAI CLIP's tokenizer (clip/simple_tokenizer.py), equal to it id for id, without Python or torch:
//   1. clean: html.unescape twice, strip, every whitespace run -> one space, strip, lowercase
//      (ftfy's repair of mis-decoded text is not applied; for text ftfy leaves alone the ids are the same);
//   2. split with CLIP's pattern: the two special tokens, the contractions 's 't 're 've 'm 'll 'd,
//      letter runs, single digits, runs of other non-space characters;
//   3. byte-level BPE of each piece (its UTF-8 bytes as CLIP's printable byte alphabet, the last one
//      marked "</w>") with the merges of bpe_simple_vocab_16e6.txt.gz, lowest rank first.
// The vocabulary is CLIP's: 256 bytes, the same with "</w>", one token per merge, then
// <|startoftext|> and <|endoftext|> (49406 and 49407 with the full file's 48,894 merges).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace imu2clip {

class ClipTokenizer {
 public:
  static constexpr int kContextLength = 77;
  static constexpr int kMaxMerges = 49152 - 256 - 2;  // CLIP reads at most this many merge lines

  // Reads a merges file (gzip or plain text: a header line, then "left right" per line). Throws
  // Error(NotFound) when it is missing, Error(Corrupt) for a line that is not two tokens.
  static ClipTokenizer from_file(const std::string& path);
  // The same from the file's text; `source` names it in errors.
  static ClipTokenizer from_text(std::string_view text, const std::string& source);

  // Token ids of `text`, without the special tokens. Throws Error(InvalidInput) for invalid UTF-8.
  std::vector<int> encode(std::string_view text) const;
  // What CLIP's text tower reads: <|startoftext|>, the first context_length - 2 ids, <|endoftext|>
  // (truncation keeps the end token). Not padded.
  std::vector<int> encode_with_special(std::string_view text, int context_length = kContextLength) const;

  int vocab_size() const { return static_cast<int>(tokens_.size()); }
  int start_id() const { return start_id_; }
  int end_id() const { return end_id_; }
  // A token as CLIP's vocabulary spells it (bytes in CLIP's printable alphabet, e.g. "caf</w>").
  const std::string& token(int id) const { return tokens_.at(static_cast<size_t>(id)); }
  // A token's bytes as text, with "</w>" kept at a word end.
  std::string token_text(int id) const;

 private:
  struct Merge {
    int rank;
    int merged;
  };
  ClipTokenizer() = default;
  void bpe(std::string_view piece, std::vector<int>& out) const;

  std::vector<std::string> tokens_;                  // id -> CLIP spelling
  std::unordered_map<uint64_t, Merge> merges_;       // (left id << 32 | right id) -> rank, result
  int byte_id_[256] = {};                            // byte -> its token
  int byte_end_id_[256] = {};                        // byte -> its "</w>" token
  int start_id_ = 0;
  int end_id_ = 0;
};

// Step 1 alone, for tests and tools: Python's whitespace_clean(basic_clean(text)).lower() without ftfy.
std::u32string clip_clean_text(std::string_view text);
// Step 2 alone, on cleaned text: the pieces CLIP's regex finds, in order.
std::vector<std::u32string> clip_pre_tokenize(std::u32string_view cleaned);

}  // namespace imu2clip
