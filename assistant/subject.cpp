#include "assistant/subject.h"

#include <algorithm>
#include <set>

#include "assistant/question_words.h"

namespace imu2clip::assistant {
namespace {

bool any_word(const std::vector<Token>& tokens, size_t from, size_t to, const std::set<std::string>& words) {
  for (size_t i = from; i < to && i < tokens.size(); ++i) {
    if (words.count(tokens[i].word)) return true;
  }
  return false;
}

std::vector<bool> covered_tokens(const std::vector<Token>& tokens, const std::vector<Mention>& mentions) {
  std::vector<bool> covered(tokens.size(), false);
  for (const auto& m : mentions) {
    for (size_t i = m.token; i <= m.last_token && i < covered.size(); ++i) covered[i] = true;
  }
  return covered;
}

// A mention named by a verb that some labels share ("play" of "playing soccer") does not stand for
// them when the question gives the verb an object no label has: "did I play catch" asks about
// catch, and a log with only basketball and soccer has none. General objects ("play sports",
// "play a game", "play ball") still leave the verb to name every label that has it.
void drop_verbs_with_foreign_objects(const std::vector<Token>& tokens, std::vector<Mention>& mentions) {
  static const std::set<std::string> general = {"sport", "sports", "game", "games", "ball", "balls"};
  std::vector<bool> covered = covered_tokens(tokens, mentions);
  auto foreign_object = [&](const Mention& m) {
    size_t i = m.last_token + 1;
    while (i < tokens.size() && is_determiner(tokens[i].word)) ++i;
    return i < tokens.size() && !covered[i] && is_content_word(tokens[i]) && !general.count(tokens[i].word);
  };
  mentions.erase(std::remove_if(mentions.begin(), mentions.end(),
                                [&](const Mention& m) { return m.partial && foreign_object(m); }),
                 mentions.end());
}

// "did I cook dinner": "dinner" only relates to "eating", and the verb that governs it names no
// label, so the question is about cooking, which the log does not have. A word that names its
// label itself ("did I cook eggs while eating") is kept.
bool drop_objects_of_foreign_verbs(const std::vector<Token>& tokens, std::vector<Mention>& mentions) {
  std::vector<bool> covered = covered_tokens(tokens, mentions);
  auto foreign_verb = [&](const Mention& m) {
    size_t i = m.token;
    while (i > 0 && is_determiner(tokens[i - 1].word)) --i;
    return i > 0 && !covered[i - 1] && is_content_word(tokens[i - 1]);
  };
  size_t before = mentions.size();
  mentions.erase(std::remove_if(mentions.begin(), mentions.end(),
                                [&](const Mention& m) { return m.indirect && !m.negated && foreign_verb(m); }),
                 mentions.end());
  return mentions.size() < before;
}

// "did I play soccer" with labels "playing catch with a tennis ball" (named by "play") and
// "kicking a soccer ball" (named by "soccer"): the verb and its object are one activity, not two
// labels that must hold at once. They become one mention: the labels both words name, else the
// object's (the verb alone is the vaguer word).
void join_verbs_and_objects(const std::vector<Token>& tokens, std::vector<Mention>& mentions) {
  std::vector<Mention> out;
  for (size_t k = 0; k < mentions.size(); ++k) {
    const Mention& verb = mentions[k];
    if (k + 1 < mentions.size() && verb.partial && !verb.negated && !mentions[k + 1].negated &&
        mentions[k + 1].token > verb.last_token) {
      const Mention& object = mentions[k + 1];
      bool adjacent = true;
      for (size_t i = verb.last_token + 1; i < object.token; ++i) adjacent = adjacent && is_determiner(tokens[i].word);
      if (adjacent) {
        Mention joined = object;
        std::vector<std::string> both;
        for (const auto& l : verb.labels) {
          if (std::count(object.labels.begin(), object.labels.end(), l)) both.push_back(l);
        }
        if (!both.empty()) joined.labels = both;
        joined.token = verb.token;
        out.push_back(joined);
        ++k;
        continue;
      }
    }
    out.push_back(verb);
  }
  mentions = std::move(out);
}

const std::set<std::string> kSubordinators = {"while", "when", "whenever", "during", "whilst", "whole", "entire",
                                              "every", "each"};
const std::set<std::string> kSeparators = {"or", "and", "versus", "vs", "compared", "than", "nor", "compare",
                                           "plus"};

}  // namespace

Literal literal_of(const Mention& m) { return Literal{m.labels, m.negated}; }

SubjectMentions subject_mentions(const std::vector<Token>& tokens, std::vector<Mention> mentions) {
  SubjectMentions found;
  drop_verbs_with_foreign_objects(tokens, mentions);
  found.activity_missing = drop_objects_of_foreign_verbs(tokens, mentions);
  join_verbs_and_objects(tokens, mentions);
  found.mentions = std::move(mentions);
  return found;
}

Subject read_subject(const std::string& normalised, const std::vector<Token>& tokens, const SubjectMentions& found,
                     bool lone_condition_is_item) {
  const std::vector<Mention>& mentions = found.mentions;
  Subject s;
  bool in_condition = false;
  size_t prev_end = 0;
  for (size_t k = 0; k < mentions.size(); ++k) {
    const Mention& m = mentions[k];
    size_t from = k == 0 ? 0 : prev_end + 1;
    bool subordinate = any_word(tokens, from, m.token, kSubordinators);
    // a comma between mentions: "computer work, lab work and ..."
    bool comma = false;
    if (k > 0) comma = normalised.find(',', tokens[prev_end].begin) < tokens[m.token].begin;
    bool separator = comma || any_word(tokens, from, m.token, kSeparators);
    if (k == 0) {
      if (subordinate && m.token > 0 && mentions.size() > 1) {
        s.condition.push_back(literal_of(m));
        in_condition = true;
      } else {
        s.items.push_back({literal_of(m)});
      }
    } else if (subordinate && !in_condition) {
      s.condition.push_back(literal_of(m));
      in_condition = true;
    } else if (m.negated) {
      (in_condition ? s.condition : s.items.back()).push_back(literal_of(m));
    } else if (separator) {
      if (in_condition) {
        if (any_word(tokens, from, m.token, {"or"})) {
          auto& lit = s.condition.back();
          lit.labels.insert(lit.labels.end(), m.labels.begin(), m.labels.end());
        } else {
          s.condition.push_back(literal_of(m));
        }
      } else {
        s.items.push_back({literal_of(m)});
      }
    } else {
      (in_condition ? s.condition : s.items.back()).push_back(literal_of(m));
    }
    prev_end = m.last_token;
  }
  if (s.items.empty() && !s.condition.empty() && lone_condition_is_item) {
    s.items.push_back(s.condition);
    s.condition.clear();
  }
  if (found.activity_missing) {
    s.items.clear();
    s.condition.clear();
  }
  // Content words no label took: said back to the user instead of guessing.
  std::vector<bool> covered = covered_tokens(tokens, mentions);
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (covered[i] || !is_content_word(tokens[i])) continue;
    s.unmatched += (s.unmatched.empty() ? "" : " ") + tokens[i].word;
  }
  return s;
}

}  // namespace imu2clip::assistant
