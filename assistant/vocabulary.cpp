#include "assistant/vocabulary.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "common/strings.h"

namespace imu2clip::assistant {
namespace {

// Words that negate the activity that follows them within a few tokens.
bool is_negation(const std::string& w) {
  return w == "not" || w == "without" || w == "never" || w == "no" || w == "away" || w == "except" ||
         w == "besides" || w == "outside_of";
}

struct Candidate {
  size_t entry = 0;
  std::set<size_t> tokens;  // question tokens it matches
  bool full = false;        // every stem of one alternative matched
  size_t direct = 0;        // stems matched by the word itself, not by a related word
  size_t stems = 0;         // stems in the matched alternative
};

}  // namespace

const char* to_string(LabelKind kind) {
  switch (kind) {
    case LabelKind::Activity: return "activity";
    case LabelKind::Posture: return "posture";
    case LabelKind::Place: return "place";
    case LabelKind::Company: return "company";
    case LabelKind::Device: return "device";
  }
  return "activity";
}

LabelKind classify_label(const std::string& label) {
  std::string text = normalise_question_text(label);
  auto tokens = tokenize(text);
  if (tokens.empty()) return LabelKind::Activity;
  for (const auto& t : tokens) {
    if (t.stem == "phon") return LabelKind::Device;
  }
  const std::string& first = tokens.front().word;
  if (first == "with") return LabelKind::Company;
  if (first == "at" || first == "indoor" || first == "indoors" || first == "outside" || first == "outdoors" ||
      first == "inside" || first == "home") {
    return LabelKind::Place;
  }
  if (first == "in" && tokens.size() >= 2) {
    // "in toilet", "in class" are places; "in a meeting" is something you do
    const std::string& noun = tokens.back().stem;
    if (noun == "meet" || noun == "conversation") return LabelKind::Activity;
    return LabelKind::Place;
  }
  static const std::set<std::string> postures = {"sit", "stand", "lie", "kneel", "squat", "recline"};
  if (tokens.size() <= 2 && postures.count(tokens.front().stem)) return LabelKind::Posture;
  return LabelKind::Activity;
}

bool is_unclear_label(const std::string& label) {
  static const std::string word = "unclear";
  if (!istarts_with(label, word)) return false;
  return label.size() == word.size() || !std::isalnum(static_cast<unsigned char>(label[word.size()]));
}

bool is_silence_label(const std::string& label) { return label == "quiet" || label == "silence"; }

Vocabulary::Vocabulary(std::vector<std::string> labels, const std::vector<std::string>& heard)
    : labels_(std::move(labels)) {
  std::map<std::string, int> freq[2];
  for (const auto& label : labels_) {
    const bool is_heard = std::find(heard.begin(), heard.end(), label) != heard.end();
    Entry entry{label, {}, is_unclear_label(label), is_heard};
    std::vector<Token> tokens = tokenize(normalise_question_text(label));
    Alternative current;
    for (const auto& t : tokens) {
      if (t.word == "or") {  // "bathing or showering": either word names the label
        if (!current.stems.empty()) entry.alternatives.push_back(current);
        current = {};
        continue;
      }
      if (is_function_word(t.word)) continue;
      if (std::find(current.stems.begin(), current.stems.end(), t.stem) == current.stems.end()) {
        current.stems.push_back(t.stem);
      }
    }
    if (!current.stems.empty()) entry.alternatives.push_back(current);
    std::set<std::string> distinct;
    for (const auto& a : entry.alternatives) distinct.insert(a.stems.begin(), a.stems.end());
    for (const auto& s : distinct) ++freq[is_heard][s];
    entries_.push_back(std::move(entry));
  }
  for (int k = 0; k < 2; ++k) stem_frequency_[k].assign(freq[k].begin(), freq[k].end());
}

int Vocabulary::frequency(const std::string& stem, bool heard) const {
  const auto& table = stem_frequency_[heard];
  auto it = std::lower_bound(table.begin(), table.end(), std::make_pair(stem, 0));
  return it != table.end() && it->first == stem ? it->second : 0;
}

std::vector<Mention> Vocabulary::find(const std::vector<Token>& tokens) const {
  // Each question token stands for its own stem and for related words' stems.
  std::vector<std::vector<std::string>> readings(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (is_function_word(tokens[i].word)) continue;
    readings[i].push_back(tokens[i].stem);
    for (const auto& r : related_stems(tokens[i].stem)) readings[i].push_back(r);
  }
  auto token_matches = [&](size_t i, const std::string& stem) {
    return std::find(readings[i].begin(), readings[i].end(), stem) != readings[i].end();
  };

  // Matches one reading of a label, preferring question tokens not yet claimed by another label.
  auto match = [&](size_t e, const Alternative& alt, const std::set<size_t>& claimed) -> std::optional<Candidate> {
    Candidate c{e, {}, false, 0, alt.stems.size()};
    size_t matched = 0;
    bool distinctive = false;
    std::optional<size_t> anchor;
    auto distance = [&](size_t i) { return anchor ? (i > *anchor ? i - *anchor : *anchor - i) : i; };
    for (const auto& stem : alt.stems) {
      // the free matching token nearest to those already matched ("computer work ... at work":
      // the second "work" is left for another label)
      std::optional<size_t> best;
      for (size_t i = 0; i < tokens.size(); ++i) {
        if (!token_matches(i, stem)) continue;
        if (!best) {
          best = i;
          continue;
        }
        bool free_i = !claimed.count(i), free_best = !claimed.count(*best);
        if (free_i != free_best ? free_i : distance(i) < distance(*best)) best = i;
      }
      if (best) {
        c.tokens.insert(*best);
        if (!anchor) anchor = best;
        if (tokens[*best].stem == stem) ++c.direct;
        ++matched;
        distinctive = distinctive || frequency(stem, entries_[e].heard) == 1;
      }
    }
    if (matched == 0) return std::nullopt;
    c.full = matched == alt.stems.size();
    // A partial match counts only through a word no other label has ("computer" alone names
    // "doing computer work"; "phone" alone names no single label).
    if (!c.full && !distinctive) return std::nullopt;
    // "unclear motion" only when the question says both words ("was my motion unclear"), so
    // "what motion ..." or "is it unclear ..." never turn it into an activity
    if (!c.full && entries_[e].unclear) return std::nullopt;
    return c;
  };

  std::vector<std::pair<Candidate, const Alternative*>> candidates;
  for (size_t e = 0; e < entries_.size(); ++e) {
    for (const auto& alt : entries_[e].alternatives) {
      if (auto c = match(e, alt, {})) candidates.push_back({*c, &alt});
    }
  }
  // "was the tap running": the words are one sound ("water running from a tap"), not the
  // activity "running" and a tap that must both hold. An activity whose words a sound's match
  // contains, in one phrase (only articles or auxiliaries between), is that sound's word.
  auto one_phrase = [&](const std::set<size_t>& t) {
    static const std::set<std::string> filler = {"the",  "a",  "an",   "my",    "our",   "is", "was",
                                                 "were", "be", "been", "being", "still", "on"};
    for (size_t i = *t.begin(); i <= *t.rbegin(); ++i) {
      if (!t.count(i) && !filler.count(tokens[i].word)) return false;
    }
    return true;
  };
  auto inside_a_sound = [&](const Candidate& a) {
    if (entries_[a.entry].heard) return false;
    for (const auto& [b, alt] : candidates) {
      if (!entries_[b.entry].heard || b.tokens.size() <= a.tokens.size() || !one_phrase(b.tokens)) continue;
      if (std::includes(b.tokens.begin(), b.tokens.end(), a.tokens.begin(), a.tokens.end())) return true;
    }
    return false;
  };
  std::vector<bool> inside(candidates.size());
  for (size_t k = 0; k < candidates.size(); ++k) inside[k] = inside_a_sound(candidates[k].first);
  size_t kept = 0;
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (!inside[k]) candidates[kept++] = candidates[k];
  }
  candidates.resize(kept);
  std::sort(candidates.begin(), candidates.end(), [this](const auto& pa, const auto& pb) {
    const Candidate& a = pa.first;
    const Candidate& b = pb.first;
    if (a.full != b.full) return a.full;
    if (a.tokens.size() != b.tokens.size()) return a.tokens.size() > b.tokens.size();
    if (a.direct != b.direct) return a.direct > b.direct;
    const bool a_heard = entries_[a.entry].heard, b_heard = entries_[b.entry].heard;
    if (a_heard != b_heard) return !a_heard;
    return a.stems < b.stems;
  });

  std::vector<Mention> out;
  std::set<size_t> claimed;
  std::set<size_t> accepted_entries;
  for (const auto& [first_match, alt] : candidates) {
    if (accepted_entries.count(first_match.entry)) continue;
    auto rematch = match(first_match.entry, *alt, claimed);
    if (!rematch) continue;
    const Candidate& c = *rematch;
    bool has_own = false;
    for (size_t t : c.tokens) has_own = has_own || !claimed.count(t);
    if (!has_own) continue;
    accepted_entries.insert(c.entry);
    for (size_t t : c.tokens) claimed.insert(t);
    Mention m;
    m.labels = {entries_[c.entry].label};
    m.token = *c.tokens.begin();
    m.last_token = *c.tokens.rbegin();
    m.partial = !c.full;
    m.indirect = c.direct == 0;
    out.push_back(std::move(m));
  }
  // Unclaimed words shared by several labels name the group ("phone" -> every phone label).
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (claimed.count(i) || readings[i].empty()) continue;
    std::vector<std::string> group;
    for (const auto& entry : entries_) {
      if (entry.unclear || entry.heard) continue;
      bool hit = false;
      for (const auto& alt : entry.alternatives) {
        for (const auto& stem : alt.stems) hit = hit || token_matches(i, stem);
      }
      if (hit) group.push_back(entry.label);
    }
    if (group.size() >= 2) {
      Mention m;
      m.labels = group;
      m.token = m.last_token = i;
      m.partial = true;
      out.push_back(std::move(m));
      claimed.insert(i);
    }
  }
  std::sort(out.begin(), out.end(), [](const Mention& a, const Mention& b) { return a.token < b.token; });
  for (auto& m : out) {
    for (size_t back = 1; back <= 5 && back <= m.token; ++back) {
      const std::string& w = tokens[m.token - back].word;
      if (is_negation(w)) m.negated = true;
      if (w == "and" || w == "or" || w == "but" || w == "while" || w == "when" || w == "than") break;
    }
  }
  return out;
}

}  // namespace imu2clip::assistant
