#pragma once
// A question as a small typed query plan: which part of the log (scope), which activity (subject)
// and what to measure of it. The planner reads the words into a plan; one executor per measure
// computes the answer from a LogView; the LLM prompt gets the same plan, so the model sees
// exactly what was computed. A new kind of question is a new measure struct, a planner rule and
// an executor.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "assistant/log_view.h"
#include "assistant/time_scope.h"

namespace imu2clip::assistant {

enum class Order { Most, Least };
enum class Boundary { Start, End };
enum class Occurrence { First, Last };
enum class Comparator { AtLeast, MoreThan, LessThan, About };

// "more than 3 hours" (amount in ms) or "more than ten times" (amount is a count).
struct Threshold {
  Comparator comparator = Comparator::AtLeast;
  int64_t amount = 0;
};
bool satisfies(int64_t value, const Threshold& t);

// What the question is about. Each item is one coordinated activity ("walking or standing" -> 2
// items), a conjunction of literals; the condition of a "while/when" clause is ANDed into every
// item. `unmatched` keeps the content words that named no label, so an answer can say that
// activity is not in the log instead of substituting another one.
struct Subject {
  std::vector<Expression> items;
  Expression condition;
  std::string unmatched;
  bool empty() const { return items.empty(); }
  // items[i] without, and with, the condition. Throws Internal when there is no such item.
  const Expression& bare_item(size_t i) const;
  Expression item(size_t i) const;
};

namespace measure {

// The question could not be read.
struct Unknown {};

// "how long": per item, one stretch (longest/shortest) instead of the total, and across items
// their difference or sum.
struct Duration {
  enum class Across { Each, Difference, Sum };
  std::optional<Order> stretch;
  Across across = Across::Each;
  std::optional<int> round_to_minutes;
};

// "on average, how long do I walk a day": total over the scope's days that have log data,
// divided by the number of those days.
struct DailyAverage {};

// "how many times": episodes, optionally only those of a length.
struct Count {
  std::optional<Threshold> episode_length;
};

// "how many days": days on which the subject holds (optionally for at least an amount).
struct DayCount {
  std::optional<Threshold> per_day;
};

// "when did I first start / last stop X" (or the log itself, when `whole_log`).
struct Moment {
  Boundary boundary = Boundary::Start;
  Occurrence occurrence = Occurrence::First;
  bool arrival = false;    // "get home": a start after other logged activity
  bool whole_log = false;  // "when did the graph stop": the log, not an activity
  // "when was the vacuum cleaner on", "when did I eat": no start, end, first or last asked, so
  // every episode's span, the first one first.
  bool spans = false;
};

// "when did walking pass 30 minutes".
struct CumulativeMoment {
  Moment moment;
  int64_t amount_ms = 0;
};

// "at what hour did I walk the most".
struct PeakHour {
  Order order = Order::Most;
};

// "what was I doing at 3 pm": the labels logged at that minute (restricted to the subject's group
// when it names one, e.g. "phone").
// What the user did comes first and what was heard then is added ("sitting (Audio: person
// speaking)"); "what did I hear at 3 pm" (`sounds`) lists only what was heard.
struct AtMinute {
  int minute = 0;
  std::vector<std::string> allowed;  // empty = any label
  std::string target_kind;           // "place", "company" or "" (ranks what is listed first)
  bool sounds = false;
};

// "what did I do most", "where did I spend the most time", "walking or eating more?".
struct Rank {
  enum class By { Time, Episodes, LongestStretch, Latest, Earliest };
  Order order = Order::Most;
  By by = By::Time;
  Boundary boundary = Boundary::Start;  // for By::Latest
  std::vector<Expression> candidates;   // empty = every present label of target_kind
  bool named = false;                   // the question named the candidates
  Expression setting;                   // "what did I do while at home": ANDed into each candidate
  std::string target_kind;              // "place", "company", "" (activities and postures)
};

// "what did I do before/after X": the activity logged just before the start or just after the
// end of the first (or last) episode of X in scope.
struct Neighbour {
  enum class Direction { Before, After };
  Direction direction = Direction::After;
  Occurrence occurrence = Occurrence::First;
  std::optional<int> near_minute;  // "after eating at 8 pm": the episode nearest that time
  std::string target_kind;
  bool sounds = false;  // "what did I hear after cooking": the sounds next to it, not the activities
};

// "which day did I walk the most", "what days did I not watch TV".
struct WhichDay {
  enum class Pick { Holds, Most, Least, Latest, Earliest, Logged };
  enum class Value { Time, Episodes, LongestStretch };
  Pick pick = Pick::Holds;
  Value value = Value::Time;
  bool absence = false;  // every literal negated: "days without TV"
};

// Yes/no: "did I walk (more than 2 hours / in one stretch of 20 minutes)". A yes needs a
// positive amount of a positive subject.
struct Presence {
  std::optional<Threshold> amount;
  bool stretch = false;  // the amount is of one episode
};

// Yes/no: "was I at home at 6 pm".
struct PresenceAtMinute {
  int minute = 0;
};

// Yes/no: "did I watch TV longer than I ate" (first item against the second).
struct Comparison {
  Order order = Order::Most;
  bool by_episodes = false;
};

// Yes/no: "was I always sitting when I ate": the condition's time inside the item's.
struct Containment {};

// Yes/no: "did I walk more than ten times / on more than five days".
struct Tally {
  Threshold threshold;
  bool days = false;
};

// Yes/no: "did I walk every day".
struct EveryDay {};

// "what did I hear this morning", "what did I hear while cooking": every label of one modality
// with the time its entries of that modality take inside the subject's time (the whole scope
// when the subject is empty), most first.
struct Breakdown {
  std::string modality = kAudioModality;
};

}  // namespace measure

using Measure =
    std::variant<measure::Unknown, measure::Duration, measure::DailyAverage, measure::Count, measure::DayCount,
                 measure::Moment, measure::CumulativeMoment, measure::PeakHour, measure::AtMinute, measure::Rank,
                 measure::Neighbour, measure::WhichDay, measure::Presence, measure::PresenceAtMinute,
                 measure::Comparison, measure::Containment, measure::Tally, measure::EveryDay, measure::Breakdown>;

struct QueryPlan {
  std::string question;  // as asked
  TimeScope scope;
  Subject subject;
  Measure measure;
};

// "duration", "neighbour", ... (stable names, used in facts and the prompt).
const char* measure_name(const Measure& m);

}  // namespace imu2clip::assistant
