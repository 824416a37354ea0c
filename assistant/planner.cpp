#include "assistant/planner.h"

#include <algorithm>
#include <regex>
#include <set>

#include "assistant/question_words.h"
#include "assistant/subject.h"

namespace imu2clip::assistant {
namespace {

enum class Kind { Duration, Time, Count, YesNo, Activity, Day, Unknown };

// What the words of a question say, before it is turned into one measure. Private to the
// planner: executors only ever see the plan.
struct Reading {
  std::string text;
  std::vector<Token> tokens;
  SubjectMentions found;
  TimeScope scope;
  Subject subject;
  Kind kind = Kind::Unknown;
  std::optional<Order> extreme;  // most/longest/more vs least/shortest/less
  bool by_frequency = false;     // "most often", "more times": compare counts, not time
  bool single_stretch = false;   // "longest stretch", "consecutive", "at once": one episode
  bool difference = false;       // "difference between", "how much more"
  bool combined = false;         // "combined", "in total", "altogether"
  bool count_days = false;       // "how many days"
  bool per_hour = false;         // "at what hour"
  bool containment = false;      // "always X when Y", "every time I Y"
  bool average = false;          // "on average", "per day", "a day"
  Boundary boundary = Boundary::Start;
  Occurrence occurrence = Occurrence::First;
  bool says_last = false;
  bool says_first = false;
  bool about_log = false;  // "when does the graph stop"
  bool arrival = false;
  bool names_boundary = false;            // start or end words: "when did I start", "what time did I leave"
  bool about_sound = false;               // "what did I hear", "any noise"
  std::optional<Threshold> amount;        // "more than 3 hours"
  std::optional<int64_t> cumulative_ms;   // "when did walking exceed 30 minutes"
  std::optional<int> round_to_minutes;
  std::string target_kind;
  std::optional<Threshold> times_threshold;
  std::optional<Threshold> days_threshold;
  std::optional<measure::Neighbour::Direction> neighbour;  // "what did I do before/after X"
  std::optional<Expression> neighbour_of;
};

Kind read_kind(const std::string& s, bool starts_with_aux, bool choice) {
  if (has(s, R"(\b(which|what)\s+(day|days|weekday|weekdays|date|dates)\b|\bday of the week\b|\bon what day\b)")) return Kind::Day;
  if (has(s, R"(\bhow many\s+(hours|minutes|mins|hrs)\b)")) return Kind::Duration;
  if (has(s, R"(\bhow (many|often|frequently)\b|\bnumber of (times|days|sessions|episodes)\b)")) return Kind::Count;
  if (has(s, R"(\bwhat time\b|\bat what (time|hour)\b|\bwhat hour\b|\bwhich hour\b|^\s*when\b)")) return Kind::Time;
  if (starts_with_aux && choice) return Kind::Activity;
  if (has(s, R"(\bhow long\b|\bhow much time\b|\b(amount|length|duration) of time\b|\btotal (time|duration)\b|\bdifference\b|\bhow does\b.*\bcompare\b|\bhow much longer\b|\bhow much more\b|^\s*what (was|is|were) (my|the) (longest|shortest) (stretch|period|session|episode|streak|run)\b)")) {
    return Kind::Duration;
  }
  if (starts_with_aux) return Kind::YesNo;
  // about the person whose log this is, not a general question
  if (has(s, R"(^\s*(what|which|where|who|with whom)\b|\b(what|which|during which) (activity|activities|did|was|were|do)\b)") &&
      has(s, R"(\b(i|me|my|myself|you|your|yourself|we|our)\b)")) {
    return Kind::Activity;
  }
  return Kind::Unknown;
}

void read_amounts(const std::string& s, Reading& r) {
  std::smatch m;
  if (auto amount = amount_ms(s, m)) {
    std::string before = s.substr(0, m.position(0));
    Threshold t{Comparator::AtLeast, *amount};
    if (has(before, R"((more than|longer than|over|above|exceed|exceeded|in excess of|greater than)\s*$)")) t.comparator = Comparator::MoreThan;
    else if (has(before, R"((less than|shorter than|under|below|fewer than|at most|up to)\s*$)")) t.comparator = Comparator::LessThan;
    else if (has(before, R"((about|around|roughly|approximately|exactly)\s*$)")) t.comparator = Comparator::About;
    if (has(before, R"(\b(exceed|exceeded|reach|reached|pass|passed|surpass|surpassed|hit)\b)") && r.kind == Kind::Time) {
      r.cumulative_ms = *amount;
    } else if (!has(before, R"(\brounded\b)")) {
      r.amount = t;
    }
  }
  static const std::regex count_amount(
      R"(\b(more than|over|at least|fewer than|less than|under|at most|exactly)?\s*(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice|once)\s*(times|days)\b)");
  std::smatch cm;
  if (std::regex_search(s, cm, count_amount) && r.kind == Kind::YesNo) {
    std::string n = cm[2];
    double value = n == "twice" ? 2 : n == "once" ? 1 : number_word(n).value_or(0);
    std::string cmp = cm[1];
    Threshold t{Comparator::AtLeast, static_cast<int64_t>(value)};
    if (cmp == "more than" || cmp == "over") t.comparator = Comparator::MoreThan;
    else if (cmp == "fewer than" || cmp == "less than" || cmp == "under") t.comparator = Comparator::LessThan;
    else if (cmp == "exactly") t.comparator = Comparator::About;
    (cm[3] == "days" ? r.days_threshold : r.times_threshold) = t;
  }
  if (has(s, R"(\bnearest hour\b|\bround(ed)? (up |down )?to (the )?hour\b|\bin hours\b)")) r.round_to_minutes = 60;
}

// "what did I do after eating", "where did I go immediately after work", "before I went to bed":
// "before"/"after" followed (past pronouns and auxiliaries) by an activity, not by a clock time.
void read_neighbour(Reading& r) {
  static const std::set<std::string> filler = {"i", "i'd", "was", "were", "had", "have", "my", "the", "a", "an",
                                               "finishing", "finished", "being", "doing", "did", "going", "went", "last", "first",
                                               "getting", "got", "having"};
  for (size_t i = 0; i < r.tokens.size(); ++i) {
    const std::string& w = r.tokens[i].word;
    if (w != "before" && w != "after") continue;
    size_t j = i + 1;
    while (j < r.tokens.size() && filler.count(r.tokens[j].word)) ++j;
    for (const auto& m : r.found.mentions) {
      if (m.token != j || m.negated) continue;
      r.neighbour = w == "before" ? measure::Neighbour::Direction::Before : measure::Neighbour::Direction::After;
      r.neighbour_of = Expression{literal_of(m)};
      return;
    }
  }
}

Reading read_question(const std::string& question, const Vocabulary& vocabulary, const ScopeContext& context) {
  Reading r;
  r.text = question;
  const std::string s = normalise_question_text(question);
  r.tokens = tokenize(s);
  r.scope = parse_time_scope(s, context);
  r.found = subject_mentions(r.tokens, vocabulary.find(r.tokens));

  // "Did I ...", also after a leading phrase: "On Sunday, did I ..."
  const bool starts_with_aux =
      has(s, R"((^\s*|,\s*)(did|do|does|was|were|am|is|are|have|has|had|can|could|will|would|should)\s+(i|you|we|my|your|there|it)\b)") ||
      has(s, R"(^\s*(did|do|does|was|were|am|is|are|have|has|had|can|could|will|would|should)\b)");
  const bool choice = has(s, R"(\bor\b)") &&
                      has(s, R"(\b(more|less|most|least|longer|shorter|longest|fewer|often|frequently)\b)");
  r.kind = read_kind(s, starts_with_aux, choice);
  // "listening to music" is something done, not a question about what the microphone heard
  r.about_sound = has(s, R"(\b(hear|heard|hearing|sound|sounds|noise|noises|noisy|audio)\b)");
  // "what sounds were there this morning" asks which, though it names no person
  if (r.kind == Kind::Unknown && r.about_sound && has(s, R"(^\s*(what|which)\b)")) r.kind = Kind::Activity;

  if (has(s, R"(\b(least|fewest|shortest|less|fewer|shorter|minimum|lowest|smallest)\b)")) r.extreme = Order::Least;
  else if (has(s, R"(\b(most|longest|more|longer|maximum|highest|biggest|largest|majority)\b)")) r.extreme = Order::Most;
  r.by_frequency = has(s, R"(\b(most|more|least|less|fewest|fewer)\s+(separate\s+|different\s+|distinct\s+)?(often|frequently|times|sessions|episodes|occasions)\b|\bmost frequent\b)");
  r.single_stretch = has(s, R"(\b(consecutive|continuous|stretch|straight|at once|session|period|instance|episode|block)\b)") &&
                     r.extreme && !r.by_frequency;
  r.difference = has(s, R"(\bdifference\b|\bhow much (more|less|longer)\b)");
  r.combined = has(s, R"(\b(combined|altogether|in total|total|together|sum)\b)");
  r.count_days = has(s, R"(\bhow many (different |separate |distinct )?days\b|\bnumber of days\b)");
  r.per_hour = has(s, R"(\b(what|which|at what) hour\b)");
  r.containment = has(s, R"(\balways\b|\bevery time\b|\beach time\b|\bwhenever\b|\bwhole time\b|\bentire time\b|\ball the time\b)");
  r.average = has(s, R"(\baverage\b|\bper day\b|\ba day\b|\bdaily\b)");

  // Start or end, first or last (time questions).
  bool end_words = has(s, R"(\b(finish|finished|stop|stopped|end|ended|leave|left|wake|woke|quit|done|get up|got up|exit|exited|complete|completed))");
  bool start_words = has(s, R"(\b(start|started|begin|began|arrive|arrived|get to|got to|get home|got home|go to|went to|come|came|enter|entered|fall asleep|fell asleep|go to bed|went to bed)\b)");
  r.boundary = end_words && !start_words ? Boundary::End : Boundary::Start;
  r.names_boundary = end_words || start_words;
  const bool woke = has(s, R"(\b(wake|woke|get up|got up)\b)");
  // "last" of time phrases ("last week", "last Tuesday") is about the scope, not the order
  static const std::regex time_last(
      R"(\b(last|past|previous)\s+(week|weekend|night|month|year|few|couple|\d+|two|three|four|five|six|seven|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\w*)");
  const std::string order_text = std::regex_replace(s, time_last, " ");
  r.says_last = has(order_text, R"(\b(last|latest|final|finally|lastly)\b)");
  r.says_first = has(order_text, R"(\b(first|earliest|initially)\b)");
  if (r.says_last) r.occurrence = Occurrence::Last;
  else if (has(s, R"(\b(first|earliest|initially|begin|began|start|started)\b)")) r.occurrence = Occurrence::First;
  else if (r.boundary == Boundary::End && !woke) r.occurrence = Occurrence::Last;  // "when did I leave school": the last departure
  else if (has(s, R"(\b(go to bed|went to bed|fall asleep|fell asleep)\b)")) r.occurrence = Occurrence::Last;
  r.about_log = has(s, R"(\b(graph|chart|log|logs|record|recording|recorded|data|tracking|tracked|sensor|sensors)\b)");
  r.arrival = has(s, R"(\b(arrive|arrived|arriving|get home|got home|get back|got back|come home|came home|return|returned|get to|got to|go to|went to|reach|reached)\b)");

  read_amounts(s, r);
  if (has(s, R"(^\s*where\b|\bwhat (place|location)\b|\bwhere did i\b|\bwhere was i\b|\bwhere am i\b)")) r.target_kind = "place";
  else if (has(s, R"(\bwith whom\b|^\s*who\b|\bwho was i with\b)")) r.target_kind = "company";

  r.subject = read_subject(s, r.tokens, r.found, r.kind != Kind::Activity);
  if (r.kind == Kind::Duration && r.subject.items.size() == 1 && r.extreme && !r.by_frequency) {
    r.single_stretch = true;  // "the shortest amount of time I spent at home": one stretch
  }
  // "Was I at home more on Wednesday or Thursday?": the choice is between days
  if (r.kind == Kind::Activity && choice && r.subject.items.size() <= 1 && r.scope.days.size() >= 2 && r.scope.named_days) {
    r.kind = Kind::Day;
  }
  // "wake up" names sleep without saying "sleep"
  if (r.subject.empty() && woke) {
    auto sleep_mentions = vocabulary.find(tokenize("sleep"));
    if (!sleep_mentions.empty()) r.subject.items.push_back({literal_of(sleep_mentions.front())});
    r.boundary = Boundary::End;
  }
  if (r.kind == Kind::Activity) read_neighbour(r);
  return r;
}

// ------------------------------------------------------------------ one measure per kind

Measure duration_measure(const Reading& r) {
  if (r.average && r.subject.items.size() == 1 && !r.extreme && !r.difference) return measure::DailyAverage{};
  measure::Duration m;
  if (r.single_stretch) m.stretch = r.extreme == Order::Least ? Order::Least : Order::Most;
  if (r.subject.items.size() >= 2 && r.difference) m.across = measure::Duration::Across::Difference;
  else if (r.subject.items.size() >= 2 && r.combined) m.across = measure::Duration::Across::Sum;
  m.round_to_minutes = r.round_to_minutes;
  return m;
}

Measure count_measure(const Reading& r) {
  if (r.count_days) return measure::DayCount{r.amount};
  return measure::Count{r.amount};
}

Measure time_measure(const Reading& r) {
  if (r.per_hour && !r.subject.empty()) return measure::PeakHour{r.extreme.value_or(Order::Most)};
  measure::Moment moment{r.boundary, r.occurrence, r.arrival, r.about_log};
  if (r.cumulative_ms) return measure::CumulativeMoment{moment, *r.cumulative_ms};
  moment.spans = !r.names_boundary && !r.says_first && !r.says_last && !r.arrival && !r.about_log;
  return moment;
}

Measure yes_no_measure(const Reading& r) {
  const Subject& s = r.subject;
  if (r.scope.at_minute && !s.empty()) return measure::PresenceAtMinute{*r.scope.at_minute};
  if (s.empty()) return measure::Presence{};
  if (s.items.size() >= 2 && r.extreme && !r.amount) return measure::Comparison{*r.extreme, r.by_frequency};
  if (r.containment && !s.condition.empty()) return measure::Containment{};
  if (r.days_threshold) return measure::Tally{*r.days_threshold, true};
  if (r.times_threshold) return measure::Tally{*r.times_threshold, false};
  if (r.scope.every_day || r.containment) return measure::EveryDay{};
  return measure::Presence{r.amount, r.single_stretch};
}

bool names_group(const Subject& s) {
  return s.items.size() == 1 && s.items.front().size() == 1 && s.items.front().front().labels.size() > 1;
}

// Which activity: at a moment, before/after another, or ranked among candidates.
Measure activity_measure(Reading& r) {
  Subject& s = r.subject;
  if (r.scope.at_minute && s.items.size() <= 1 && (s.empty() || names_group(s)) && !r.neighbour) {
    measure::AtMinute m{*r.scope.at_minute, {}, r.target_kind, r.about_sound};
    if (!s.empty()) m.allowed = s.items.front().front().labels;
    return m;
  }
  // "what did I hear (while cooking)": the sounds, within the one named activity if any
  if (r.about_sound && s.items.size() <= 1 && !r.neighbour) return measure::Breakdown{};
  if (r.neighbour) {
    s.items = {*r.neighbour_of};
    s.condition.clear();
    measure::Neighbour m;
    m.direction = *r.neighbour;
    // "after work" means after the day's work is done; "before work" before it starts
    if (m.direction == measure::Neighbour::Direction::After) {
      m.occurrence = r.says_first ? Occurrence::First : Occurrence::Last;
    } else {
      m.occurrence = r.occurrence;
    }
    m.near_minute = r.scope.at_minute;
    m.target_kind = r.target_kind;
    m.sounds = r.about_sound;
    return m;
  }
  measure::Rank m;
  m.target_kind = r.target_kind;
  m.order = r.extreme.value_or(Order::Most);
  m.boundary = r.boundary;
  using By = measure::Rank::By;
  m.by = r.by_frequency ? By::Episodes : r.single_stretch ? By::LongestStretch : r.says_last ? By::Latest
                                                              : r.says_first ? By::Earliest : By::Time;
  m.setting = s.condition;
  if (s.items.size() >= 2) {
    m.candidates = s.items;
    m.named = true;
  } else if (names_group(s)) {
    for (const auto& l : s.items.front().front().labels) m.candidates.push_back({Literal{{l}, false}});
  } else if (s.items.size() == 1) {
    // "what did I do while at home": the one named activity is the setting
    m.setting.insert(m.setting.end(), s.items.front().begin(), s.items.front().end());
  }
  return m;
}

Measure day_measure(const Reading& r) {
  measure::WhichDay m;
  using Pick = measure::WhichDay::Pick;
  using Value = measure::WhichDay::Value;
  Expression e = r.subject.empty() ? Expression{} : r.subject.item(0);
  m.absence = !e.empty() && std::all_of(e.begin(), e.end(), [](const Literal& l) { return l.negated; });
  m.value = r.single_stretch ? Value::LongestStretch : r.by_frequency ? Value::Episodes : Value::Time;
  if (!e.empty() && !m.absence && (r.says_last || r.says_first)) m.pick = r.says_last ? Pick::Latest : Pick::Earliest;
  else if (!e.empty() && (m.absence || !r.extreme)) m.pick = Pick::Holds;
  else if (r.extreme) m.pick = *r.extreme == Order::Least ? Pick::Least : Pick::Most;
  else m.pick = Pick::Logged;
  return m;
}

}  // namespace

QueryPlan plan_question(const std::string& question, const Vocabulary& vocabulary, const ScopeContext& context) {
  Reading r = read_question(question, vocabulary, context);
  QueryPlan plan;
  plan.question = question;
  plan.scope = r.scope;
  switch (r.kind) {
    case Kind::Duration: plan.measure = duration_measure(r); break;
    case Kind::Count: plan.measure = count_measure(r); break;
    case Kind::Time: plan.measure = time_measure(r); break;
    case Kind::YesNo: plan.measure = yes_no_measure(r); break;
    case Kind::Activity: plan.measure = activity_measure(r); break;
    case Kind::Day: plan.measure = day_measure(r); break;
    case Kind::Unknown: plan.measure = measure::Unknown{}; break;
  }
  plan.subject = std::move(r.subject);
  return plan;
}

}  // namespace imu2clip::assistant
