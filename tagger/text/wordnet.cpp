#include "tagger/text/wordnet.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <sys/stat.h>

#include "common/error.h"
#include "common/strings.h"
#include "tagger/text/stable_hash.h"

namespace imu2clip {
namespace {

constexpr const char* kPosNames[kWordNetPosCount] = {"noun", "verb", "adj", "adv"};

std::string install_hint() {
  return "install the Debian package wordnet-base (apt-get install wordnet-base) or set IMU2CLIP_WORDNET_DIR to a "
         "folder holding the WordNet 3 database files (index.noun, data.noun, noun.exc, ...)";
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string read_file(const std::string& path, bool required) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!required) return {};
    throw Error(ErrorKind::NotFound, "WordNet file not found: " + install_hint(), ErrorContext{path, 0, ""});
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::Io, "cannot read the WordNet file", ErrorContext{path, 0, ""});
  return buf.str();
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  size_t start = 0;
  int64_t number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    fn(text.substr(start, end - start), ++number);
    start = end + 1;
  }
}

bool parse_uint(std::string_view s, int base, uint64_t& out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    if (d >= base) return false;
    v = v * base + static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

std::optional<WordNetPos> pos_from_letter(std::string_view s) {
  if (s == "n") return WordNetPos::Noun;
  if (s == "v") return WordNetPos::Verb;
  if (s == "a" || s == "s") return WordNetPos::Adj;
  if (s == "r") return WordNetPos::Adv;
  return std::nullopt;
}

// Suffix rules of WordNet's morphy (morph.c), in its order.
struct Substitution {
  std::string_view suffix, replacement;
};
const std::vector<Substitution>& substitutions(WordNetPos pos) {
  static const std::vector<Substitution> kRules[kWordNetPosCount] = {
      {{"s", ""}, {"ses", "s"}, {"ves", "f"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"},
       {"men", "man"}, {"ies", "y"}},
      {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}},
      {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}},
      {}};
  return kRules[static_cast<int>(pos)];
}

}  // namespace

char pos_letter(WordNetPos pos) { return "nvar"[static_cast<int>(pos)]; }

std::string WordNet::default_dir() {
  const char* env = std::getenv("IMU2CLIP_WORDNET_DIR");
  return env && *env ? std::string(env) : std::string("/usr/share/wordnet");
}

WordNet::WordNet(const std::string& dir) : dir_(dir) {
  Fnv1a64 fingerprint;
  for (int p = 0; p < kWordNetPosCount; ++p) {
    const std::string index_path = dir + "/index." + kPosNames[p];
    const std::string data_path = dir + "/data." + kPosNames[p];
    const std::string index_text = read_file(index_path, true);
    data_[p] = read_file(data_path, true);
    fingerprint.update_field(index_text).update_field(data_[p]);
    for_each_line(index_text, [&](std::string_view line, int64_t number) {
      if (line.empty() || line[0] == ' ') return;  // licence header lines start with two spaces
      const auto f = split_spaces(line);
      uint64_t synset_cnt = 0, p_cnt = 0;
      if (f.size() < 4 || !parse_uint(f[2], 10, synset_cnt) || !parse_uint(f[3], 10, p_cnt) ||
          f.size() != 4 + p_cnt + 2 + synset_cnt) {
        throw Error(ErrorKind::Corrupt, "not a WordNet index line (wndb(5)); reinstall wordnet-base",
                    ErrorContext{index_path, number, ""});
      }
      std::vector<uint32_t> offsets;
      offsets.reserve(synset_cnt);
      for (size_t i = 4 + p_cnt + 2; i < f.size(); ++i) {
        uint64_t off = 0;
        if (!parse_uint(f[i], 10, off) || off >= data_[p].size()) {
          throw Error(ErrorKind::Corrupt, "bad synset offset '" + std::string(f[i]) + "'",
                      ErrorContext{index_path, number, ""});
        }
        offsets.push_back(static_cast<uint32_t>(off));
      }
      index_[p].emplace(std::string(f[0]), std::move(offsets));
    });
    // Exception lists are optional in principle (morphy then uses the rules only).
    const std::string exc_text = read_file(dir + "/" + kPosNames[p] + ".exc", false);
    for_each_line(exc_text, [&](std::string_view line, int64_t) {
      const auto f = split_spaces(line);
      if (f.size() < 2) return;
      auto& bases = exceptions_[p][std::string(f[0])];
      for (size_t i = 1; i < f.size(); ++i) bases.emplace_back(f[i]);
    });
  }
  fingerprint_ = fingerprint.digest();
}

std::shared_ptr<const WordNet> WordNet::shared(const std::string& dir) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const WordNet>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[dir];
  if (!slot) slot = std::make_shared<const WordNet>(dir);
  return slot;
}

std::shared_ptr<const WordNet> WordNet::shared_if_available(const std::string& dir) {
  for (const char* name : {"index.noun", "data.noun", "index.verb", "data.verb", "index.adj", "data.adj",
                           "index.adv", "data.adv"}) {
    if (!file_exists(dir + "/" + name)) return nullptr;
  }
  return shared(dir);
}

const std::vector<uint32_t>& WordNet::senses(WordNetPos pos, std::string_view lemma) const {
  static const std::vector<uint32_t> kNone;
  const auto& index = index_[static_cast<int>(pos)];
  const auto it = index.find(std::string(lemma));
  return it == index.end() ? kNone : it->second;
}

bool WordNet::has_lemma_any_pos(std::string_view lemma) const {
  for (int p = 0; p < kWordNetPosCount; ++p) {
    if (has_lemma(static_cast<WordNetPos>(p), lemma)) return true;
  }
  return false;
}

Synset WordNet::synset(SynsetId id) const {
  const std::string& data = data_[static_cast<int>(id.pos)];
  const std::string path = dir_ + "/data." + kPosNames[static_cast<int>(id.pos)];
  auto corrupt = [&](const std::string& what) {
    return Error(ErrorKind::Corrupt, "WordNet synset at offset " + std::to_string(id.offset) + ": " + what,
                 ErrorContext{path, 0, ""});
  };
  if (id.offset >= data.size() || (id.offset > 0 && data[id.offset - 1] != '\n')) throw corrupt("not a line start");
  size_t end = data.find('\n', id.offset);
  if (end == std::string::npos) end = data.size();
  std::string_view line(data.data() + id.offset, end - id.offset);
  const size_t bar = line.find(" | ");
  if (bar != std::string_view::npos) line = line.substr(0, bar);
  const auto f = split_spaces(line);

  uint64_t offset = 0, w_cnt = 0, p_cnt = 0;
  if (f.size() < 4 || !parse_uint(f[0], 10, offset) || offset != id.offset || !parse_uint(f[3], 16, w_cnt)) {
    throw corrupt("bad synset header");
  }
  Synset s;
  s.id = id;
  size_t i = 4;
  for (uint64_t w = 0; w < w_cnt; ++w, i += 2) {
    if (i + 1 >= f.size()) throw corrupt("truncated word list");
    std::string word = lower(f[i]);
    if (const size_t paren = word.find('('); paren != std::string::npos) word.resize(paren);  // "(a)", "(p)", "(ip)"
    s.words.push_back(std::move(word));
  }
  if (i >= f.size() || !parse_uint(f[i], 10, p_cnt)) throw corrupt("bad pointer count");
  ++i;
  for (uint64_t k = 0; k < p_cnt; ++k, i += 4) {
    if (i + 3 >= f.size()) throw corrupt("truncated pointer list");
    SynsetPointer ptr;
    ptr.symbol = std::string(f[i]);
    uint64_t target = 0, source_target = 0;
    const auto target_pos = pos_from_letter(f[i + 2]);
    if (!parse_uint(f[i + 1], 10, target) || !target_pos || f[i + 3].size() != 4 ||
        !parse_uint(f[i + 3], 16, source_target)) {
      throw corrupt("bad pointer");
    }
    ptr.target = SynsetId{*target_pos, static_cast<uint32_t>(target)};
    ptr.source_word = static_cast<int>(source_target >> 8);
    ptr.target_word = static_cast<int>(source_target & 0xffu);
    s.pointers.push_back(std::move(ptr));
  }
  return s;
}

std::vector<std::string> WordNet::morphy(std::string_view word_in, WordNetPos pos) const {
  const std::string word = lower(word_in);
  std::vector<std::string> candidates{word};
  const auto& exceptions = exceptions_[static_cast<int>(pos)];
  if (const auto it = exceptions.find(word); it != exceptions.end()) {
    candidates.insert(candidates.begin(), it->second.begin(), it->second.end());
  } else {
    for (const auto& rule : substitutions(pos)) {
      if (word.size() > rule.suffix.size() && ends_with(word, rule.suffix)) {
        candidates.push_back(word.substr(0, word.size() - rule.suffix.size()) + std::string(rule.replacement));
      }
    }
  }
  std::vector<std::string> out;
  for (auto& c : candidates) {
    if (!has_lemma(pos, c)) continue;
    bool seen = false;
    for (const auto& o : out) seen = seen || o == c;
    if (!seen) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace imu2clip
