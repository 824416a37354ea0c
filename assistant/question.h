#pragma once
// What a question asks, read with general English patterns: the kind of answer (a duration, a
// time, a count, yes/no, an activity, a day), the activities it names (as expressions over the
// user's labels: "walking while at home", "at home and not sleeping"), and the modifiers
// ("most", "first", "more than 3 hours", "every day", "difference").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "assistant/lexicon.h"
#include "assistant/log_view.h"
#include "assistant/time_scope.h"
#include "assistant/vocabulary.h"

namespace imu2clip::assistant {

enum class QuestionKind { Duration, Time, Count, YesNo, Activity, Day, Unknown };
const char* to_string(QuestionKind kind);

enum class Extreme { None, Most, Least };
enum class Boundary { Start, End };
enum class Comparator { AtLeast, MoreThan, LessThan, About };

struct Threshold {
  Comparator comparator = Comparator::AtLeast;
  int64_t ms = 0;
};

struct ParsedQuestion {
  std::string text;        // as asked
  std::string normalised;  // normalise_text(text)
  std::vector<Token> tokens;
  TimeScope scope;
  std::vector<Mention> mentions;
  QuestionKind kind = QuestionKind::Unknown;

  // Activities: coordinated items ("walking or standing" -> 2), each a conjunction, plus the
  // condition of a "while/when/every time ..." clause (ANDed into every item).
  std::vector<Expression> items;
  Expression condition;
  bool containment = false;  // "always X when Y", "every time I Y", "the whole time": Y within X

  Extreme extreme = Extreme::None;   // most/longest/more vs least/shortest/less
  bool by_frequency = false;         // "most often", "more times": compare counts, not time
  bool single_stretch = false;       // "longest stretch", "consecutive", "at once": one episode
  bool difference = false;           // "difference between", "how much more"
  bool combined = false;             // "combined", "in total", "altogether" over several items
  bool negative_question = false;    // "what days did I not ...", "never"
  bool count_days = false;           // "how many days"
  bool per_hour = false;             // "at what hour", "which hour"
  Boundary boundary = Boundary::Start;
  bool first = true;                 // first vs last occurrence (time questions)
  bool says_last = false;            // "latest", "last": which activity happened last
  bool says_first = false;           // "earliest", "first"
  bool any_activity = false;         // a time question about the log itself ("the graph stops")
  std::optional<Threshold> threshold;         // "more than 3 hours", "at least 20 minutes"
  std::optional<int64_t> cumulative_ms;       // "when did walking exceed 30 minutes"
  std::optional<int> round_to_minutes;        // "rounded to the nearest hour"
  std::string target_kind;  // "place", "company", "device", "" (what a which-question picks from)
  bool arrival = false;      // "arrive", "get home": a start after being logged elsewhere
  std::optional<Threshold> times_threshold;  // "more than ten times": episodes
  std::optional<Threshold> days_threshold;   // "more than five days": days
  std::string unmatched;     // content words that named no label ("swim", "restaurant")
};

ParsedQuestion parse_question(const std::string& question, const Vocabulary& vocabulary, const ScopeContext& context);

}  // namespace imu2clip::assistant
