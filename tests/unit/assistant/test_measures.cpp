// The measure executors on hand-built plans over an in-memory log (no SQLite, no planner).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "assistant/executor.h"
#include "assistant/plan_json.h"
#include "memory_log.h"
#include "tests/unit/assistant/answer_facts.h"

using namespace imu2clip;
using namespace imu2clip::assistant;
using nlohmann::json;

using imu2clip::test::fact;

namespace {

Expression of(const std::string& label) { return {Literal{{label}, false}}; }

QueryPlan plan_of(const TimeScope& scope, std::vector<Expression> items, Measure m) {
  QueryPlan p;
  p.question = "(built by hand)";
  p.scope = scope;
  p.subject.items = std::move(items);
  p.measure = std::move(m);
  return p;
}

BuiltinAnswer run(const test::MemoryLog& log, const QueryPlan& plan) {
  LogView view = log.view(plan.scope);
  return execute_plan(plan, view, log.tz);
}


}  // namespace

TEST_CASE("duration, count and moment executors", "[assistant][measures]") {
  auto log = test::everyday_memory_log();
  auto tuesday = log.days("2024-05-14", "2024-05-14");
  auto walk = run(log, plan_of(tuesday, {of("walking")}, measure::Duration{}));
  CHECK_THAT(walk.text, Catch::StartsWith("You spent 1 hour 7 minutes walking"));
  measure::Duration longest;
  longest.stretch = Order::Most;
  CHECK_THAT(run(log, plan_of(tuesday, {of("walking")}, longest)).text, Catch::Contains("lasted 30 minutes"));
  CHECK_THAT(run(log, plan_of(tuesday, {of("walking")}, measure::Count{})).text, Catch::StartsWith("3 times walking"));
  measure::Moment last_start{Boundary::Start, Occurrence::Last, false, false};
  CHECK_THAT(run(log, plan_of(tuesday, {of("walking")}, last_start)).text, Catch::StartsWith("17:00"));
}

TEST_CASE("the plan is the first fact after the scope", "[assistant][measures]") {
  auto log = test::everyday_memory_log();
  auto plan = plan_of(log.days("2024-05-14", "2024-05-14"), {of("walking")}, measure::Count{});
  auto answer = run(log, plan);
  REQUIRE(answer.facts.size() >= 2);
  CHECK(answer.facts[1]["type"] == "plan");
  CHECK(answer.facts[1]["measure"] == "count");
  CHECK(answer.facts[1]["subject"] == json::array({"walking"}));
  CHECK(plan_to_json(plan) == answer.facts[1]);
}

TEST_CASE("neighbour: what was logged just after or before an episode", "[assistant][measures]") {
  auto log = test::everyday_memory_log();
  auto tuesday = log.days("2024-05-14", "2024-05-14");
  measure::Neighbour after;  // after the first meal (07:00-07:20): grooming from 07:30
  after.occurrence = Occurrence::First;
  auto a = run(log, plan_of(tuesday, {of("eating")}, after));
  CHECK_THAT(a.text, Catch::StartsWith("grooming and standing from 07:30, right after eating (07:00-07:20)"));
  REQUIRE(fact(a, "neighbour"));
  CHECK((*fact(a, "neighbour"))["labels"].size() == 2);  // activities and postures, not places
  // "sitting" began with lunch (12:00-12:30), so it does not come after it
  measure::Neighbour after_lunch;
  after_lunch.occurrence = Occurrence::Last;
  auto lunch = run(log, plan_of(tuesday, {of("eating")}, after_lunch));
  CHECK_THAT(lunch.text, Catch::StartsWith("walking from 12:30, right after eating (12:00-12:30)"));


  measure::Neighbour before;
  before.direction = measure::Neighbour::Direction::Before;  // before the first walk (08:00)
  CHECK_THAT(run(log, plan_of(tuesday, {of("walking")}, before)).text,
             Catch::StartsWith("grooming and standing until 07:45, right before walking (08:00-08:30)"));

  measure::Neighbour where_after;  // named places first: "at home" rather than "outside"
  where_after.target_kind = "place";
  where_after.occurrence = Occurrence::First;
  CHECK_THAT(run(log, plan_of(tuesday, {of("at main workplace")}, where_after)).text,
             Catch::StartsWith("at home from 18:00, right after at main workplace (08:30-11:30)"));

  auto none = run(log, plan_of(tuesday, {of("swimming")}, after));
  CHECK_THAT(none.text, Catch::StartsWith("There is no swimming in your log"));
}

TEST_CASE("daily average: total over the days with log data", "[assistant][measures]") {
  auto log = test::everyday_memory_log();
  // Monday 13th has no log at all: it does not count as a day of zero walking.
  auto week = log.days("2024-05-13", "2024-05-16");
  auto a = run(log, plan_of(week, {of("walking")}, measure::DailyAverage{}));
  // (67 + 10 + 90) / 3 = 55.7 minutes
  CHECK_THAT(a.text, Catch::StartsWith("On average 56 minutes walking a day: 2 hours 47 minutes over 3 days"));
  CHECK_THAT(a.text, Catch::Contains("Tuesday 2024-05-14, Wednesday 2024-05-15, and Thursday 2024-05-16"));
  CHECK_THAT(a.text, !Catch::Contains("Monday"));
  REQUIRE(fact(a, "daily_average"));
  CHECK((*fact(a, "daily_average"))["days"].size() == 3);
}

TEST_CASE("presence: a yes needs a positive amount", "[assistant][measures]") {
  auto log = test::everyday_memory_log();
  auto wednesday = log.days("2024-05-15", "2024-05-15");
  measure::Presence under_hour{Threshold{Comparator::LessThan, 60 * 60000}, false};
  // No TV on Wednesday: "less than an hour" of nothing is not a yes.
  CHECK_THAT(run(log, plan_of(wednesday, {of("watching TV")}, under_hour)).text, Catch::StartsWith("No: 0 minutes"));
  CHECK_THAT(run(log, plan_of(wednesday, {of("walking")}, under_hour)).text, Catch::StartsWith("Yes: 10 minutes"));
  CHECK_THAT(run(log, plan_of(wednesday, {{Literal{{"watching TV"}, true}}}, measure::Presence{})).text,
             Catch::StartsWith("Yes"));
}

TEST_CASE("which day and rank executors", "[assistant][measures]") {
  auto log = test::everyday_memory_log();
  auto week = log.days("2024-05-13", "2024-05-16");
  measure::WhichDay most;
  most.pick = measure::WhichDay::Pick::Most;
  CHECK_THAT(run(log, plan_of(week, {of("walking")}, most)).text, Catch::StartsWith("Thursday"));
  measure::Rank rank;
  CHECK_THAT(run(log, plan_of(log.days("2024-05-14", "2024-05-14"), {}, rank)).text, Catch::StartsWith("sleeping (7 hours)"));
}

TEST_CASE("a measure given a subject it cannot read fails with context", "[assistant][measures]") {
  auto log = test::everyday_memory_log();
  auto plan = plan_of(log.days("2024-05-14", "2024-05-14"), {of("walking")}, measure::Comparison{});
  CHECK_THROWS_WITH(run(log, plan), Catch::Contains("query plan: the measure needs activity 2"));
}
