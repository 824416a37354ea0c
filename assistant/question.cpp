#include "assistant/question.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <set>
#include <unordered_map>

namespace imu2clip::assistant {
namespace {

// Patterns are string literals: compile each once per thread.
bool has(const std::string& s, const char* pattern) {
  static thread_local std::unordered_map<const char*, std::regex> compiled;
  auto it = compiled.find(pattern);
  if (it == compiled.end()) it = compiled.emplace(pattern, std::regex(pattern)).first;
  return std::regex_search(s, it->second);
}

bool any_word(const std::vector<Token>& tokens, size_t from, size_t to, const std::set<std::string>& words) {
  for (size_t i = from; i < to && i < tokens.size(); ++i) {
    if (words.count(tokens[i].word)) return true;
  }
  return false;
}

std::optional<double> number_word(const std::string& w) {
  static const std::vector<std::string> words = {"zero", "one", "two",   "three",  "four",  "five",  "six",
                                                 "seven", "eight", "nine", "ten", "eleven", "twelve"};
  auto it = std::find(words.begin(), words.end(), w);
  if (it != words.end()) return static_cast<double>(it - words.begin());
  if (w == "a" || w == "an") return 1.0;
  if (w == "fifteen") return 15.0;
  if (w == "twenty") return 20.0;
  if (w == "thirty") return 30.0;
  if (w == "forty") return 40.0;
  if (w == "fifty") return 50.0;
  if (w == "sixty") return 60.0;
  if (w == "ninety") return 90.0;
  char* end = nullptr;
  double v = std::strtod(w.c_str(), &end);
  if (end && *end == '\0' && !w.empty()) return v;
  return std::nullopt;
}

// "3 hours", "an hour", "half an hour", "20 minutes", "1.5 hours", "two and a half hours".
std::optional<int64_t> amount_ms(const std::string& s, std::smatch& where) {
  static const std::regex half(R"(\b(half an hour|half hour|a half hour))");
  static const std::regex amount(
      R"(\b(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety)(\s+and\s+a\s+half)?\s*(hours?|hrs?|h|minutes?|mins?)\b)");
  if (std::regex_search(s, where, half)) return int64_t{30} * 60000;
  if (!std::regex_search(s, where, amount)) return std::nullopt;
  auto v = number_word(where[1]);
  if (!v) return std::nullopt;
  double value = *v + (where[2].matched ? 0.5 : 0.0);
  bool hours = where[3].str()[0] == 'h';
  return static_cast<int64_t>(std::llround(value * (hours ? 3600000.0 : 60000.0)));
}

// Words of a question that frame what is asked (how long, when, today, ...) rather than name an
// activity.
bool is_frame_word(const Token& t) {
  static const std::set<std::string> frame = {
      "how", "many", "much", "long", "often", "frequently", "frequent", "time", "times", "day", "days", "week",
      "weeks", "hour", "hours", "minute", "minutes", "today", "yesterday", "tonight", "morning", "afternoon",
      "evening", "night", "nights", "am", "pm", "noon", "midnight", "spend", "spent", "engage", "engaged",
      "activity", "activities", "total", "amount", "duration", "ever", "every", "each", "last", "first", "latest",
      "earliest", "longest", "shortest", "least", "most", "more", "less", "did", "doing", "go", "went", "going",
      "start", "started", "stop", "stopped", "begin", "began", "finish", "finished", "end", "ended", "leave",
      "arrive", "arrived", "get", "got", "separate", "sessions", "session", "period", "periods", "stretch", "block",
      "whole", "entire", "week", "weekend", "weekends", "past", "previous", "next", "typically", "usually",
      "always", "never", "average", "per", "daily", "week", "which", "what", "when", "where", "who", "whom", "why",
      "yes", "no", "often", "once", "twice", "thing", "things", "stuff", "lot", "perform", "performed", "do",
      "compare", "compared", "difference", "same", "different", "rounded", "nearest", "roughly", "approximately",
      "around", "about", "exactly", "total", "overall", "combined", "together", "record", "recorded", "log",
      "logs", "graph", "chart", "data", "date", "dates", "wake", "woke", "consecutive", "spend", "like",
      "engaging", "participate", "participated", "complete", "completed", "take", "took", "part", "those",
      "these", "days", "early", "late", "later", "earlier", "now", "then", "week", "mostly", "straight"};
  return frame.count(t.word) > 0 || frame.count(t.stem) > 0;
}

// A word that could name an activity: not a function or frame word, a weekday, a month or a number.
bool is_content_word(const Token& t) {
  const auto& w = t.word;
  if (is_function_word(w) || is_frame_word(t)) return false;
  if (weekday_of_word(w) >= 0 || month_of_word(w) > 0) return false;
  if (std::isdigit(static_cast<unsigned char>(w[0])) || number_word(w)) return false;
  if (w == "st" || w == "nd" || w == "rd" || w == "th" || w.size() <= 1) return false;
  return true;
}

// A mention named by a verb that some labels share ("play" of "playing soccer") does not stand for
// them when the question gives the verb an object no label has: "did I play catch" asks about
// catch, and a log with only basketball and soccer has none. General objects ("play sports",
// "play a game", "play ball") still leave the verb to name every label that has it.
void drop_verbs_with_foreign_objects(ParsedQuestion& q) {
  static const std::set<std::string> general = {"sport", "sports", "game", "games", "ball", "balls"};
  static const std::set<std::string> determiners = {"a", "an", "the", "some", "any", "my", "your", "our", "his",
                                                    "her", "their"};
  std::vector<bool> covered(q.tokens.size(), false);
  for (const auto& m : q.mentions) {
    for (size_t i = m.token; i <= m.last_token && i < covered.size(); ++i) covered[i] = true;
  }
  auto foreign_object = [&](const Mention& m) {
    size_t i = m.last_token + 1;
    while (i < q.tokens.size() && determiners.count(q.tokens[i].word)) ++i;
    return i < q.tokens.size() && !covered[i] && is_content_word(q.tokens[i]) && !general.count(q.tokens[i].word);
  };
  q.mentions.erase(std::remove_if(q.mentions.begin(), q.mentions.end(),
                                  [&](const Mention& m) { return m.partial && foreign_object(m); }),
                   q.mentions.end());
}

Literal literal_of(const Mention& m) { return Literal{m.labels, m.negated}; }

const std::set<std::string> kSubordinators = {"while", "when", "whenever", "during", "whilst", "whole", "entire",
                                              "every", "each"};
const std::set<std::string> kSeparators = {"or", "and", "versus", "vs", "compared", "than", "nor", "compare",
                                           "plus"};

void build_items(ParsedQuestion& q) {
  bool in_condition = false;
  size_t prev_end = 0;
  for (size_t k = 0; k < q.mentions.size(); ++k) {
    const Mention& m = q.mentions[k];
    size_t from = k == 0 ? 0 : prev_end + 1;
    bool subordinate = any_word(q.tokens, from, m.token, kSubordinators);
    // a comma between mentions: "computer work, lab work and ..."
    bool comma = false;
    if (k > 0) {
      size_t a = q.tokens[prev_end].begin, b = q.tokens[m.token].begin;
      comma = q.normalised.find(',', a) < b;
    }
    bool separator = comma || any_word(q.tokens, from, m.token, kSeparators);
    if (k == 0) {
      if (subordinate && m.token > 0 && q.mentions.size() > 1) {
        q.condition.push_back(literal_of(m));
        in_condition = true;
      } else {
        q.items.push_back({literal_of(m)});
      }
    } else if (subordinate && !in_condition) {
      q.condition.push_back(literal_of(m));
      in_condition = true;
    } else if (m.negated) {
      (in_condition ? q.condition : q.items.back()).push_back(literal_of(m));
    } else if (separator) {
      if (in_condition) {
        if (any_word(q.tokens, from, m.token, {"or"})) {
          auto& lit = q.condition.back();
          lit.labels.insert(lit.labels.end(), m.labels.begin(), m.labels.end());
        } else {
          q.condition.push_back(literal_of(m));
        }
      } else {
        q.items.push_back({literal_of(m)});
      }
    } else {
      (in_condition ? q.condition : q.items.back()).push_back(literal_of(m));
    }
    prev_end = m.last_token;
  }
  if (q.items.empty() && !q.condition.empty()) {
    // "while at home, what did I do?" keeps the clause as the condition; a lone clause with no
    // main activity ("when was I at home") is the item itself.
    if (q.kind != QuestionKind::Activity) {
      q.items.push_back(q.condition);
      q.condition.clear();
    }
  }
}

}  // namespace

const char* to_string(QuestionKind kind) {
  switch (kind) {
    case QuestionKind::Duration: return "duration";
    case QuestionKind::Time: return "time";
    case QuestionKind::Count: return "count";
    case QuestionKind::YesNo: return "yes-no";
    case QuestionKind::Activity: return "activity";
    case QuestionKind::Day: return "day";
    case QuestionKind::Unknown: return "unknown";
  }
  return "unknown";
}

ParsedQuestion parse_question(const std::string& question, const Vocabulary& vocabulary, const ScopeContext& context) {
  ParsedQuestion q;
  q.text = question;
  q.normalised = normalise_text(question);
  const std::string& s = q.normalised;
  q.tokens = tokenize(s);
  q.scope = parse_time_scope(s, context);
  q.mentions = vocabulary.find(q.tokens);
  drop_verbs_with_foreign_objects(q);

  // "Did I ...", also after a leading phrase: "On Sunday, did I ..."
  const bool starts_with_aux =
      has(s, R"((^\s*|,\s*)(did|do|does|was|were|am|is|are|have|has|had|can|could|will|would|should)\s+(i|you|we|my|your|there|it)\b)") ||
      has(s, R"(^\s*(did|do|does|was|were|am|is|are|have|has|had|can|could|will|would|should)\b)");
  const bool choice = has(s, R"(\bor\b)") &&
                      has(s, R"(\b(more|less|most|least|longer|shorter|longest|fewer|often|frequently)\b)");

  // The kind of answer.
  if (has(s, R"(\b(which|what)\s+(day|days|weekday|weekdays|date|dates)\b|\bday of the week\b|\bon what day\b)")) {
    q.kind = QuestionKind::Day;
  } else if (has(s, R"(\bhow many\s+(hours|minutes|mins|hrs)\b)")) {
    q.kind = QuestionKind::Duration;
  } else if (has(s, R"(\bhow (many|often|frequently)\b|\bnumber of (times|days|sessions|episodes)\b)")) {
    q.kind = QuestionKind::Count;
  } else if (has(s, R"(\bwhat time\b|\bat what (time|hour)\b|\bwhat hour\b|\bwhich hour\b|^\s*when\b)")) {
    q.kind = QuestionKind::Time;
  } else if (starts_with_aux && choice) {
    q.kind = QuestionKind::Activity;
  } else if (has(s, R"(\bhow long\b|\bhow much time\b|\b(amount|length|duration) of time\b|\btotal (time|duration)\b|\bdifference\b|\bhow does\b.*\bcompare\b|\bhow much longer\b|\bhow much more\b|^\s*what (was|is|were) (my|the) (longest|shortest) (stretch|period|session|episode|streak|run)\b)")) {
    q.kind = QuestionKind::Duration;
  } else if (starts_with_aux) {
    q.kind = QuestionKind::YesNo;
  } else if (has(s, R"(^\s*(what|which|where|who|with whom)\b|\b(what|which|during which) (activity|activities|did|was|were|do)\b)") &&
             has(s, R"(\b(i|me|my|myself|you|your|yourself|we|our)\b)")) {
    // about the person whose log this is, not a general question
    q.kind = QuestionKind::Activity;
  }

  // Modifiers.
  if (has(s, R"(\b(least|fewest|shortest|less|fewer|shorter|minimum|lowest|smallest)\b)")) {
    q.extreme = Extreme::Least;
  } else if (has(s, R"(\b(most|longest|more|longer|maximum|highest|biggest|largest|majority)\b)")) {
    q.extreme = Extreme::Most;
  }
  q.by_frequency = has(s, R"(\b(most|more|least|less|fewest|fewer)\s+(separate\s+|different\s+|distinct\s+)?(often|frequently|times|sessions|episodes|occasions)\b|\bmost frequent\b)");
  q.single_stretch = has(s, R"(\b(consecutive|continuous|stretch|straight|at once|session|period|instance|episode|block)\b)") &&
                     q.extreme != Extreme::None && !q.by_frequency;
  q.difference = has(s, R"(\bdifference\b|\bhow much (more|less|longer)\b)");
  q.combined = has(s, R"(\b(combined|altogether|in total|total|together|sum)\b)");
  q.negative_question = has(s, R"(\b(not|never|no|without)\b)");
  q.count_days = has(s, R"(\bhow many (different |separate |distinct )?days\b|\bnumber of days\b)");
  q.per_hour = has(s, R"(\b(what|which|at what) hour\b)");
  q.containment = has(s, R"(\balways\b|\bevery time\b|\beach time\b|\bwhenever\b|\bwhole time\b|\bentire time\b|\ball the time\b)");

  // Start or end, first or last (time questions).
  bool end_words = has(s, R"(\b(finish|finished|stop|stopped|end|ended|leave|left|wake|woke|quit|done|get up|got up|exit|exited|complete|completed))");
  bool start_words = has(s, R"(\b(start|started|begin|began|arrive|arrived|get to|got to|get home|got home|go to|went to|come|came|enter|entered|fall asleep|fell asleep|go to bed|went to bed)\b)");
  q.boundary = end_words && !start_words ? Boundary::End : Boundary::Start;
  bool woke = has(s, R"(\b(wake|woke|get up|got up)\b)");
  q.first = true;
  // "last" of time phrases ("last week", "last Tuesday") is about the scope, not the order
  static const std::regex time_last(
      R"(\b(last|past|previous)\s+(week|weekend|night|month|year|few|couple|\d+|two|three|four|five|six|seven|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\w*)");
  const std::string order_text = std::regex_replace(s, time_last, " ");
  q.says_last = has(order_text, R"(\b(last|latest|final|finally|lastly)\b)");
  q.says_first = has(order_text, R"(\b(first|earliest|initially)\b)");
  if (q.says_last) q.first = false;
  else if (has(s, R"(\b(first|earliest|initially|begin|began|start|started)\b)")) q.first = true;
  else if (q.boundary == Boundary::End && !woke) q.first = false;  // "when did I leave school": the last departure
  else if (has(s, R"(\b(go to bed|went to bed|fall asleep|fell asleep)\b)")) q.first = false;
  q.any_activity = has(s, R"(\b(graph|chart|log|logs|record|recording|recorded|data|tracking|tracked|sensor|sensors)\b)");
  q.arrival = has(s, R"(\b(arrive|arrived|arriving|get home|got home|get back|got back|come home|came home|return|returned|get to|got to|go to|went to|reach|reached)\b)");

  // Amounts.
  std::smatch m;
  std::optional<int64_t> amount = amount_ms(s, m);
  if (amount) {
    std::string before = s.substr(0, m.position(0));
    Threshold t{Comparator::AtLeast, *amount};
    if (has(before, R"((more than|longer than|over|above|exceed|exceeded|in excess of|greater than)\s*$)")) t.comparator = Comparator::MoreThan;
    else if (has(before, R"((less than|shorter than|under|below|fewer than|at most|up to)\s*$)")) t.comparator = Comparator::LessThan;
    else if (has(before, R"((about|around|roughly|approximately|exactly)\s*$)")) t.comparator = Comparator::About;
    if (has(before, R"(\b(exceed|exceeded|reach|reached|pass|passed|surpass|surpassed|hit)\b)") && q.kind == QuestionKind::Time) {
      q.cumulative_ms = *amount;
    } else if (!has(before, R"(\brounded\b)")) {
      q.threshold = t;
    }
  }
  static const std::regex count_amount(
      R"(\b(more than|over|at least|fewer than|less than|under|at most|exactly)?\s*(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice|once)\s*(times|days)\b)");
  std::smatch cm;
  if (std::regex_search(s, cm, count_amount) && q.kind == QuestionKind::YesNo) {
    std::string n = cm[2];
    double value = n == "twice" ? 2 : n == "once" ? 1 : number_word(n).value_or(0);
    std::string cmp = cm[1];
    Threshold t{Comparator::AtLeast, static_cast<int64_t>(value)};
    if (cmp == "more than" || cmp == "over") t.comparator = Comparator::MoreThan;
    else if (cmp == "fewer than" || cmp == "less than" || cmp == "under") t.comparator = Comparator::LessThan;
    else if (cmp == "exactly") t.comparator = Comparator::About;
    (cm[3] == "days" ? q.days_threshold : q.times_threshold) = t;
  }
  if (has(s, R"(\bnearest hour\b|\bround(ed)? (up |down )?to (the )?hour\b|\bin hours\b)")) q.round_to_minutes = 60;

  if (has(s, R"(^\s*where\b|\bwhat (place|location)\b|\bwhere did i\b|\bwhere was i\b|\bwhere am i\b)")) q.target_kind = "place";
  else if (has(s, R"(\bwith whom\b|^\s*who\b|\bwho was i with\b)")) q.target_kind = "company";

  build_items(q);
  if (q.kind == QuestionKind::Duration && q.items.size() == 1 && q.extreme != Extreme::None && !q.by_frequency) {
    q.single_stretch = true;  // "the shortest amount of time I spent at home": one stretch
  }
  // "Was I at home more on Wednesday or Thursday?": the choice is between days
  if (q.kind == QuestionKind::Activity && choice && q.items.size() <= 1 && q.scope.days.size() >= 2 && q.scope.named_days) {
    q.kind = QuestionKind::Day;
  }
  // Content words no label took: said back to the user instead of guessing.
  {
    std::vector<bool> covered(q.tokens.size(), false);
    for (const auto& m : q.mentions) {
      for (size_t i = m.token; i <= m.last_token && i < covered.size(); ++i) covered[i] = true;
    }
    for (size_t i = 0; i < q.tokens.size(); ++i) {
      if (covered[i] || !is_content_word(q.tokens[i])) continue;
      q.unmatched += (q.unmatched.empty() ? "" : " ") + q.tokens[i].word;
    }
  }
  // "wake up" names sleep without saying "sleep"; "the day" of a log has no label at all.
  if (q.items.empty() && woke) {
    auto sleep_mentions = vocabulary.find(tokenize("sleep"));
    if (!sleep_mentions.empty()) q.items.push_back({literal_of(sleep_mentions.front())});
    q.boundary = Boundary::End;
  }
  return q;
}

}  // namespace imu2clip::assistant
