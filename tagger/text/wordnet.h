#pragma once
// Read-only access to a Princeton WordNet 3.x database in its native file format (wndb(5)), as
// installed by the Debian package wordnet-base under /usr/share/wordnet: index.<pos>,
// data.<pos> and <pos>.exc. Lemmas, sense-ranked synsets, their words and pointers, and
// morphy (WordNet's lemmatiser: exception lists, then suffix-stripping rules).
//
// The index and exception files are parsed when the database is opened; the data files are kept
// in memory and a synset is decoded on demand from its byte offset, so opening takes a fraction
// of a second and a WordNet object is immutable and safe to share between threads.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace imu2clip {

enum class WordNetPos { Noun = 0, Verb = 1, Adj = 2, Adv = 3 };
constexpr int kWordNetPosCount = 4;
char pos_letter(WordNetPos pos);   // 'n', 'v', 'a', 'r'

struct SynsetId {
  WordNetPos pos = WordNetPos::Noun;
  uint32_t offset = 0;              // byte offset of the synset's line in data.<pos>
  bool operator==(const SynsetId& o) const { return pos == o.pos && offset == o.offset; }
  bool operator<(const SynsetId& o) const { return pos != o.pos ? pos < o.pos : offset < o.offset; }
};

struct SynsetPointer {
  std::string symbol;               // "@" hypernym, "@i" instance hypernym, "+" derivation, "$" verb group, ...
  SynsetId target;
  int source_word = 0;              // 1-based word number in the source synset; 0 = whole synset (semantic)
  int target_word = 0;
};

struct Synset {
  SynsetId id;
  std::vector<std::string> words;   // lowercase, '_' between the words of a collocation, markers like "(a)" removed
  std::vector<SynsetPointer> pointers;
};

class WordNet {
 public:
  // The directory used when none is given: $IMU2CLIP_WORDNET_DIR, else /usr/share/wordnet.
  static std::string default_dir();
  // Opens the database in `dir`; throws Error(NotFound) naming the missing file and telling to install
  // the Debian package wordnet-base, Error(Corrupt) for unparsable index lines.
  explicit WordNet(const std::string& dir);
  // The process-wide database for `dir` (opened on first use, then shared); throws like the constructor.
  static std::shared_ptr<const WordNet> shared(const std::string& dir);
  // Like shared(), but nullptr instead of throwing when the files are not there.
  static std::shared_ptr<const WordNet> shared_if_available(const std::string& dir);

  const std::string& dir() const { return dir_; }
  // Stable hash of the index and data files: synset offsets (and so embeddings built on them) are only
  // comparable between databases with the same fingerprint.
  uint64_t fingerprint() const { return fingerprint_; }
  // Synsets of a lemma (lowercase, '_' for spaces) in sense-rank order (most frequent first); empty if unknown.
  const std::vector<uint32_t>& senses(WordNetPos pos, std::string_view lemma) const;
  bool has_lemma(WordNetPos pos, std::string_view lemma) const { return !senses(pos, lemma).empty(); }
  bool has_lemma_any_pos(std::string_view lemma) const;
  // Decodes one synset; throws Error(Corrupt) if the offset does not start a valid data line.
  Synset synset(SynsetId id) const;
  // WordNet's morphy for one part of speech: base forms of `word` that are lemmas of that part of
  // speech, in morphy's order (exception list, the word itself, then suffix rules), duplicates removed.
  // morphy("running", Verb) == {"run"}, morphy("stairs", Noun) == {"stairs", "stair"}.
  std::vector<std::string> morphy(std::string_view word, WordNetPos pos) const;

 private:
  std::string dir_;
  std::unordered_map<std::string, std::vector<uint32_t>> index_[kWordNetPosCount];
  std::unordered_map<std::string, std::vector<std::string>> exceptions_[kWordNetPosCount];
  std::string data_[kWordNetPosCount];
  uint64_t fingerprint_ = 0;
};

}  // namespace imu2clip
