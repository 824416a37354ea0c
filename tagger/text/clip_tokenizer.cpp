#include "tagger/text/clip_tokenizer.h"

#include <algorithm>
#include <climits>
#include <sys/stat.h>

#include "common/error.h"
#include "tagger/text/clip_unicode.h"
#include "tagger/text/gzip_file.h"
#include "tagger/text/html_unescape.h"

namespace imu2clip {
namespace {

constexpr std::string_view kWordEnd = "</w>";
constexpr std::u32string_view kStartText = U"<|startoftext|>";
constexpr std::u32string_view kEndText = U"<|endoftext|>";

// CLIP's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the rest for 256 + n in order.
// Returns, in vocabulary order, (byte, the code point that spells it).
std::vector<std::pair<int, char32_t>> byte_alphabet() {
  std::vector<std::pair<int, char32_t>> out;
  auto printable = [](int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); };
  for (int b = 0; b < 256; ++b) {
    if (printable(b)) out.emplace_back(b, static_cast<char32_t>(b));
  }
  int n = 0;
  for (int b = 0; b < 256; ++b) {
    if (!printable(b)) out.emplace_back(b, static_cast<char32_t>(256 + n++));
  }
  return out;
}

std::string read_all(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    throw Error(ErrorKind::NotFound,
                "CLIP vocabulary not found; give the path of bpe_simple_vocab_16e6.txt.gz (it comes with CLIP)",
                ErrorContext{path, 0, "vocab"});
  }
  // A decompressed copy reads the same.
  return read_gzip_or_plain(path, "the CLIP vocabulary", "vocab");
}

uint64_t pair_key(int left, int right) { return (uint64_t(uint32_t(left)) << 32) | uint32_t(right); }

// [^\s\p{L}\p{N}] under IGNORECASE.
bool is_punctuation(char32_t c) {
  using namespace clip_unicode;
  return !is_regex_space(c) && !is_letter(c) && !is_number(c) && !is_unmatched(c);
}

// CLIP's contractions, tried in its pattern's order after the special tokens.
constexpr std::u32string_view kContractions[] = {U"'s", U"'t", U"'re", U"'ve", U"'m", U"'ll", U"'d"};

}  // namespace

std::u32string clip_clean_text(std::string_view text) {
  using namespace clip_unicode;
  std::u32string s = html_unescape(html_unescape(decode_utf8(text)));
  // basic_clean's strip (str.isspace), then whitespace_clean (regex \s+ -> ' ', strip), then lower().
  size_t b = 0, e = s.size();
  while (b < e && is_strip_space(s[b])) ++b;
  while (e > b && is_strip_space(s[e - 1])) --e;
  std::u32string collapsed;
  collapsed.reserve(e - b);
  for (size_t i = b; i < e; ++i) {
    if (is_regex_space(s[i])) {
      if (collapsed.empty() || collapsed.back() != U' ') collapsed.push_back(U' ');
    } else {
      collapsed.push_back(s[i]);
    }
  }
  // Python's strip() here also removes what \s does not match (U+001C..U+001F) at the ends.
  size_t cb = 0, ce = collapsed.size();
  while (cb < ce && is_strip_space(collapsed[cb])) ++cb;
  while (ce > cb && is_strip_space(collapsed[ce - 1])) --ce;
  return clip_unicode::lower(std::u32string_view(collapsed).substr(cb, ce - cb));
}

std::vector<std::u32string> clip_pre_tokenize(std::u32string_view s) {
  using namespace clip_unicode;
  std::vector<std::u32string> out;
  // CLIP's pattern is IGNORECASE: after lowercasing, the one other code point its literals match is
  // U+017F (long s), which the regex module takes for "s" (so "'\u017f" is the contraction "'s").
  auto starts_with = [&](size_t i, std::u32string_view p) {
    if (s.size() - i < p.size()) return false;
    for (size_t k = 0; k < p.size(); ++k) {
      if (s[i + k] != p[k] && !(p[k] == U's' && s[i + k] == 0x17F)) return false;
    }
    return true;
  };
  for (size_t i = 0; i < s.size();) {
    if (starts_with(i, kStartText) || starts_with(i, kEndText)) {
      const size_t n = starts_with(i, kStartText) ? kStartText.size() : kEndText.size();
      out.emplace_back(s.substr(i, n));
      i += n;
      continue;
    }
    bool matched = false;
    for (auto c : kContractions) {
      if (starts_with(i, c)) {
        out.emplace_back(s.substr(i, c.size()));
        i += c.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    size_t j = i;
    if (is_letter(s[i])) {
      while (j < s.size() && is_letter(s[j])) ++j;
    } else if (is_number(s[i])) {
      j = i + 1;
    } else if (is_punctuation(s[i])) {
      while (j < s.size() && is_punctuation(s[j])) ++j;
    } else {
      ++i;  // whitespace (and what no alternative matches) separates pieces and is dropped
      continue;
    }
    out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

ClipTokenizer ClipTokenizer::from_file(const std::string& path) { return from_text(read_all(path), path); }

ClipTokenizer ClipTokenizer::from_text(std::string_view text, const std::string& source) {
  ClipTokenizer t;
  const auto alphabet = byte_alphabet();
  std::unordered_map<std::string, int> ids;  // CLIP spelling -> id; a later duplicate wins, as in CLIP's dict
  auto add = [&](std::string spelling) {
    const int id = static_cast<int>(t.tokens_.size());
    ids[spelling] = id;
    t.tokens_.push_back(std::move(spelling));
    return id;
  };
  for (const auto& [byte, c] : alphabet) {
    std::string s;
    clip_unicode::append_utf8(s, c);
    t.byte_id_[byte] = add(s);
  }
  for (const auto& [byte, c] : alphabet) {
    std::string s;
    clip_unicode::append_utf8(s, c);
    t.byte_end_id_[byte] = add(s + std::string(kWordEnd));
  }

  std::vector<std::pair<std::string, std::string>> pairs;
  size_t pos = text.find('\n');  // the first line is a version header
  int64_t line_no = 1;
  while (pos != std::string_view::npos && pos + 1 <= text.size() && static_cast<int>(pairs.size()) < kMaxMerges) {
    const size_t start = pos + 1;
    pos = text.find('\n', start);
    ++line_no;
    std::string_view line = text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (pos == std::string_view::npos) break;  // the file's final newline
      throw Error(ErrorKind::Corrupt, "empty merge line in the CLIP vocabulary", ErrorContext{source, line_no, ""});
    }
    const size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0 || line.find(' ', space + 1) != std::string_view::npos ||
        space + 1 == line.size()) {
      throw Error(ErrorKind::Corrupt, "a merge line must be two tokens separated by one space",
                  ErrorContext{source, line_no, ""});
    }
    pairs.emplace_back(std::string(line.substr(0, space)), std::string(line.substr(space + 1)));
  }
  for (const auto& [left, right] : pairs) add(left + right);
  t.start_id_ = add("<|startoftext|>");
  t.end_id_ = add("<|endoftext|>");

  for (size_t rank = 0; rank < pairs.size(); ++rank) {
    const auto l = ids.find(pairs[rank].first);
    const auto r = ids.find(pairs[rank].second);
    // A side that is no token can never be formed, so the merge never applies (as in CLIP).
    if (l == ids.end() || r == ids.end()) continue;
    t.merges_[pair_key(l->second, r->second)] = Merge{static_cast<int>(rank), ids.at(pairs[rank].first + pairs[rank].second)};
  }
  return t;
}

void ClipTokenizer::bpe(std::string_view piece, std::vector<int>& out) const {
  std::vector<int> word;
  word.reserve(piece.size());
  for (size_t i = 0; i < piece.size(); ++i) {
    const auto b = static_cast<uint8_t>(piece[i]);
    word.push_back(i + 1 == piece.size() ? byte_end_id_[b] : byte_id_[b]);
  }
  std::vector<int> next;
  while (word.size() > 1) {
    int best_rank = INT_MAX;
    int left = -1, right = -1, merged = -1;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      const auto it = merges_.find(pair_key(word[i], word[i + 1]));
      if (it != merges_.end() && it->second.rank < best_rank) {
        best_rank = it->second.rank;
        left = word[i];
        right = word[i + 1];
        merged = it->second.merged;
      }
    }
    if (merged < 0) break;
    next.clear();
    for (size_t i = 0; i < word.size();) {
      if (i + 1 < word.size() && word[i] == left && word[i + 1] == right) {
        next.push_back(merged);
        i += 2;
      } else {
        next.push_back(word[i++]);
      }
    }
    word.swap(next);
  }
  out.insert(out.end(), word.begin(), word.end());
}

std::vector<int> ClipTokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  for (const auto& piece : clip_pre_tokenize(clip_clean_text(text))) {
    if (piece == kStartText) ids.push_back(start_id_);
    else if (piece == kEndText) ids.push_back(end_id_);
    else bpe(clip_unicode::encode_utf8(piece), ids);
  }
  return ids;
}

std::vector<int> ClipTokenizer::encode_with_special(std::string_view text, int context_length) const {
  if (context_length < 2) {
    throw Error(ErrorKind::InvalidInput, "context length must be at least 2", ErrorContext{"", 0, "context_length"});
  }
  auto ids = encode(text);
  if (static_cast<int>(ids.size()) > context_length - 2) ids.resize(static_cast<size_t>(context_length - 2));
  ids.insert(ids.begin(), start_id_);
  ids.push_back(end_id_);
  return ids;
}

std::string ClipTokenizer::token_text(int id) const {
  if (id == start_id_ || id == end_id_) return token(id);
  static const auto from_spelling = [] {
    std::unordered_map<char32_t, char> m;
    for (const auto& [byte, c] : byte_alphabet()) m[c] = static_cast<char>(byte);
    return m;
  }();
  std::string_view spelling = token(id);
  const bool word_end = spelling.size() >= kWordEnd.size() && spelling.substr(spelling.size() - kWordEnd.size()) == kWordEnd;
  if (word_end) spelling.remove_suffix(kWordEnd.size());
  std::string out;
  for (char32_t c : clip_unicode::decode_utf8(spelling)) {
    const auto it = from_spelling.find(c);
    out.push_back(it != from_spelling.end() ? it->second : '?');
  }
  if (word_end) out += kWordEnd;
  return out;
}

}  // namespace imu2clip
