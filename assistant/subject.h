#pragma once
// The subject of a question, read from the labels its words name (Vocabulary mentions): which
// activities are asked about ("walking or standing" -> two items), the condition of a
// "while/when" clause, and the words that named nothing. One mention makes one subject: a verb
// and its object are never split into two labels ANDed together, and a word that only relates to
// a label ("dinner" of "eating") does not stand for it when the question's verb ("cook") names
// something the log does not have.
#include <string>
#include <vector>

#include "assistant/lexicon.h"
#include "assistant/plan.h"
#include "assistant/vocabulary.h"

namespace imu2clip::assistant {

struct SubjectMentions {
  std::vector<Mention> mentions;  // those that stand for what is asked about, in question order
  // The question's activity is one the log does not have ("cooking meals at home"): what is left
  // ("at home") is only its setting, so there is no subject to measure.
  bool activity_missing = false;
};

SubjectMentions subject_mentions(const std::vector<Token>& tokens, std::vector<Mention> mentions);

// `lone_condition_is_item`: a lone "while/when" clause with no main activity ("when was I at
// home") is the item itself; questions that ask which activity keep it as the condition ("while
// at home, what did I do?").
Subject read_subject(const std::string& normalised, const std::vector<Token>& tokens, const SubjectMentions& found,
                     bool lone_condition_is_item);

Literal literal_of(const Mention& m);

}  // namespace imu2clip::assistant
