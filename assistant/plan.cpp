#include "assistant/plan.h"

#include "common/error.h"

namespace imu2clip::assistant {

bool satisfies(int64_t value, const Threshold& t) {
  switch (t.comparator) {
    case Comparator::AtLeast: return value >= t.amount;
    case Comparator::MoreThan: return value > t.amount;
    case Comparator::LessThan: return value < t.amount;
    case Comparator::About: return value == t.amount;
  }
  return false;
}

const Expression& Subject::bare_item(size_t i) const {
  if (i >= items.size()) {
    // the planner gives a measure that reads items only a subject that has them
    throw Error(ErrorKind::Internal, "query plan: the measure needs activity " + std::to_string(i + 1) +
                                         " but the subject names " + std::to_string(items.size()),
                ErrorContext{"", 0, "subject"});
  }
  return items[i];
}

Expression Subject::item(size_t i) const {
  Expression e = bare_item(i);
  e.insert(e.end(), condition.begin(), condition.end());
  return e;
}

namespace {

struct NameOf {
  const char* operator()(const measure::Unknown&) const { return "unknown"; }
  const char* operator()(const measure::Duration&) const { return "duration"; }
  const char* operator()(const measure::DailyAverage&) const { return "daily_average"; }
  const char* operator()(const measure::Count&) const { return "count"; }
  const char* operator()(const measure::DayCount&) const { return "day_count"; }
  const char* operator()(const measure::Moment&) const { return "moment"; }
  const char* operator()(const measure::CumulativeMoment&) const { return "cumulative_moment"; }
  const char* operator()(const measure::PeakHour&) const { return "peak_hour"; }
  const char* operator()(const measure::AtMinute&) const { return "at_minute"; }
  const char* operator()(const measure::Rank&) const { return "rank"; }
  const char* operator()(const measure::Neighbour&) const { return "neighbour"; }
  const char* operator()(const measure::WhichDay&) const { return "which_day"; }
  const char* operator()(const measure::Presence&) const { return "presence"; }
  const char* operator()(const measure::PresenceAtMinute&) const { return "presence_at_minute"; }
  const char* operator()(const measure::Comparison&) const { return "comparison"; }
  const char* operator()(const measure::Containment&) const { return "containment"; }
  const char* operator()(const measure::Tally&) const { return "tally"; }
  const char* operator()(const measure::EveryDay&) const { return "every_day"; }
  const char* operator()(const measure::Breakdown&) const { return "breakdown"; }
};

}  // namespace

const char* measure_name(const Measure& m) { return std::visit(NameOf{}, m); }

}  // namespace imu2clip::assistant
