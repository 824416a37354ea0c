// Questions read into plans, and the wrong answers the plan makes impossible (no SQLite: the
// vocabulary and the log are built in memory).
#include <catch2/catch.hpp>

#include "assistant/executor.h"
#include "assistant/planner.h"
#include "memory_log.h"

using namespace imu2clip;
using namespace imu2clip::assistant;

namespace {

struct Asked {
  QueryPlan plan;
  BuiltinAnswer answer;
};

// Asks at 23:00 on `day` (a Tuesday by default).
Asked ask(const test::MemoryLog& log, const std::string& question, const std::string& day = "2024-05-14") {
  Vocabulary vocabulary(log.labels());
  ScopeContext context{log.at(day + "T23:00:00"), log.tz, 0, 0, {}};
  Asked a;
  a.plan = plan_question(question, vocabulary, context);
  LogView view = log.view(a.plan.scope);
  a.answer = execute_plan(a.plan, view, log.tz);
  return a;
}

}  // namespace

TEST_CASE("questions become one measure each", "[assistant][planner]") {
  auto log = test::everyday_memory_log();
  CHECK(measure_name(ask(log, "How long did I walk today?").plan.measure) == std::string("duration"));
  CHECK(measure_name(ask(log, "How many days did I walk this week?").plan.measure) == std::string("day_count"));
  CHECK(measure_name(ask(log, "When did I first start eating?").plan.measure) == std::string("moment"));
  CHECK(measure_name(ask(log, "Did I sleep more than 6 hours?").plan.measure) == std::string("presence"));
  CHECK(measure_name(ask(log, "Did I watch TV longer than I ate?").plan.measure) == std::string("comparison"));
  CHECK(measure_name(ask(log, "What did I do the most after 8 am?").plan.measure) == std::string("rank"));
  CHECK(measure_name(ask(log, "Which day did I walk the most?").plan.measure) == std::string("which_day"));
  CHECK(measure_name(ask(log, "What is the meaning of life?").plan.measure) == std::string("unknown"));
}

TEST_CASE("what did I do before or after X", "[assistant][planner]") {
  auto log = test::everyday_memory_log();
  auto after = ask(log, "What did I do after eating?");
  REQUIRE(std::holds_alternative<measure::Neighbour>(after.plan.measure));
  CHECK(describe(after.plan.subject.items.at(0)) == "eating");
  // the last meal unless the question says "first": "after work" is after the day's work
  CHECK_THAT(after.answer.text, Catch::StartsWith("walking from 12:30, right after eating (12:00-12:30)"));
  CHECK_THAT(ask(log, "What did I do after I first ate?").answer.text, Catch::StartsWith("grooming and standing"));
  CHECK_THAT(ask(log, "What did I do after I last ate?").answer.text, Catch::StartsWith("walking"));
  CHECK_THAT(ask(log, "What was I doing right before watching TV?").answer.text, Catch::StartsWith("walking"));
  CHECK_THAT(ask(log, "Where did I go immediately after work?").answer.text, Catch::StartsWith("at home from 18:00"));
}

TEST_CASE("on average per day: only days with log data count, and the answer names them",
          "[assistant][planner]") {
  auto log = test::everyday_memory_log();
  auto a = ask(log, "On average, how long do I walk a day?", "2024-05-16");
  REQUIRE(std::holds_alternative<measure::DailyAverage>(a.plan.measure));
  CHECK(a.plan.scope.days.size() == 7);  // the past week; only 3 of its days have a log
  CHECK_THAT(a.answer.text, Catch::StartsWith("On average 56 minutes walking a day"));
  CHECK_THAT(a.answer.text, Catch::Contains("over 3 days with log data"));
}

TEST_CASE("regression: a verb and its object are one subject, never two labels ANDed", "[assistant][planner]") {
  test::MemoryLog log;
  log.run("2024-05-14", "08:00", 20, {"kicking a soccer ball"});
  log.run("2024-05-14", "09:00", 30, {"playing catch with a tennis ball"});
  auto a = ask(log, "Did I play soccer?");
  REQUIRE(a.plan.subject.items.size() == 1);
  REQUIRE(a.plan.subject.items[0].size() == 1);  // one literal, no condition
  CHECK(a.plan.subject.condition.empty());
  CHECK(a.plan.subject.items[0][0].labels == std::vector<std::string>{"kicking a soccer ball"});
  CHECK_THAT(a.answer.text, Catch::StartsWith("Yes: 20 minutes kicking a soccer ball"));
  CHECK_THAT(a.answer.text, !Catch::Contains("catch"));
}

TEST_CASE("regression: an activity absent from the log is said so, not substituted", "[assistant][planner]") {
  test::MemoryLog log;
  log.run("2024-05-14", "07:00", 20, {"eating", "sitting"});
  log.run("2024-05-14", "08:00", 30, {"walking"});
  for (const char* question : {"Did I cook?", "Did I cook dinner?"}) {
    auto a = ask(log, question);
    CHECK(a.plan.subject.empty());
    CHECK_THAT(a.answer.text, Catch::StartsWith("No: I found no \"cook"));
    CHECK_THAT(a.answer.text, Catch::Contains("in your log on Tuesday 2024-05-14"));
    CHECK(!a.answer.understood);
  }
  CHECK_THAT(ask(log, "How long did I cook dinner?").answer.text, Catch::StartsWith("0 minutes: I found no"));
  CHECK_THAT(ask(log, "Did I eat dinner?").answer.text, Catch::StartsWith("Yes: 20 minutes eating"));
  // the setting alone is not the activity: no "2 times sitting" for cooking meals while sitting
  auto meals = ask(log, "How often do I cook meals while sitting?");
  CHECK(meals.plan.subject.empty());
  CHECK_THAT(meals.answer.text, Catch::StartsWith("0 times: I found no \"cook meals\""));
}

TEST_CASE("regression: a yes has a positive amount, 0 is a no", "[assistant][planner]") {
  test::MemoryLog log;
  log.run("2024-05-13", "09:30", 5, {"lying down from sitting"});  // Monday only
  log.run("2024-05-14", "09:00", 30, {"sitting"});
  auto a = ask(log, "Did I lie down for less than 10 minutes today?");
  CHECK_THAT(a.answer.text, Catch::StartsWith("No: 0 minutes lying down from sitting"));
  CHECK_THAT(ask(log, "Did I lie down for less than 10 minutes yesterday?").answer.text,
             Catch::StartsWith("Yes: 5 minutes"));
}

TEST_CASE("questions about sounds read into plans over the audio labels", "[assistant][planner]") {
  auto log = test::everyday_memory_log();
  const int64_t start = log.at("2024-05-14T09:00:00");
  auto heard = test::minute_entries(1, start, 20, {"vacuum cleaner running"}, "audio");
  log.entries.insert(log.entries.end(), heard.begin(), heard.end());
  auto breakdown = ask(log, "What did I hear this morning?");
  REQUIRE(std::holds_alternative<measure::Breakdown>(breakdown.plan.measure));
  CHECK(std::get<measure::Breakdown>(breakdown.plan.measure).modality == "audio");
  CHECK(breakdown.plan.subject.empty());
  CHECK_THAT(breakdown.answer.text, Catch::StartsWith("You heard vacuum cleaner running (20 minutes)"));
  auto at = ask(log, "What did I hear at 9:10 am?");
  REQUIRE(std::holds_alternative<measure::AtMinute>(at.plan.measure));
  CHECK(std::get<measure::AtMinute>(at.plan.measure).sounds);
  auto did = ask(log, "What did I do at 9:10 am?");
  REQUIRE(std::holds_alternative<measure::AtMinute>(did.plan.measure));
  CHECK(!std::get<measure::AtMinute>(did.plan.measure).sounds);
  CHECK_THAT(did.answer.text, Catch::Contains("(Audio: vacuum cleaner running)"));
  auto when = ask(log, "When was the vacuum cleaner on?");
  REQUIRE(std::holds_alternative<measure::Moment>(when.plan.measure));
  CHECK(std::get<measure::Moment>(when.plan.measure).spans);
  CHECK(!std::get<measure::Moment>(ask(log, "When did I first start eating?").plan.measure).spans);
  CHECK(measure_name(breakdown.plan.measure) == std::string("breakdown"));
}

TEST_CASE("listening to music is an activity, not a question about sounds", "[assistant][planner]") {
  auto log = test::everyday_memory_log();
  log.run("2024-05-14", "20:00", 30, {"listening to music", "sitting", "at home"});
  auto while_music = ask(log, "What did I do while listening to music?");
  CHECK(std::holds_alternative<measure::Rank>(while_music.plan.measure));
  CHECK(!std::holds_alternative<measure::Breakdown>(ask(log, "What did I listen to this evening?").plan.measure));
}
