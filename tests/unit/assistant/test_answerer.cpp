#include <catch2/catch.hpp>

#include "assistant/assistant.h"
#include "common/error.h"
#include "hand_made_log.h"
#include "tests/unit/assistant/answer_facts.h"

using namespace imu2clip;
using nlohmann::json;

using imu2clip::test::fact;

namespace {

struct Fixture {
  test::HandMadeLog log{"answerer"};
  Assistant assistant{log.db, std::nullopt, ""};

  AskResult ask(const std::string& question, const std::string& as_of = "2024-05-14T23:00:00") {
    AskRequest r;
    r.question = question;
    r.as_of_utc_ms = log.at(as_of);
    r.tz = log.tz;
    return assistant.ask(log.user, r);
  }
};


}  // namespace

TEST_CASE("durations of an activity, with combinations and differences", "[assistant][answer]") {
  Fixture f;
  auto walk = f.ask("How long did I walk today?");
  CHECK(walk.understood);
  CHECK_THAT(walk.answer, Catch::StartsWith("You spent 1 hour 7 minutes walking"));
  REQUIRE(fact(walk, "duration"));
  CHECK((*fact(walk, "duration"))["minutes"] == 67);
  CHECK_THAT(walk.evidence.front(), Catch::Contains("[08:00] Context: walking"));

  auto sit_at_work = f.ask("How long did I sit while at work?");
  REQUIRE(fact(sit_at_work, "duration"));
  CHECK((*fact(sit_at_work, "duration"))["minutes"] == 210);
  auto home_awake = f.ask("How long was I at home and not sleeping?");
  REQUIRE(fact(home_awake, "duration"));
  CHECK((*fact(home_awake, "duration"))["minutes"] == 20 + 15 + 60);
  auto diff = f.ask("What is the difference between the time I spent doing computer work and eating?");
  CHECK_THAT(diff.answer, Catch::StartsWith("The difference is 2 hours 10 minutes"));
  auto tv = f.ask("How much time did I spend watching TV in the evening?");
  REQUIRE(fact(tv, "duration"));
  CHECK((*fact(tv, "duration"))["minutes"] == 60);
  auto longest = f.ask("What was my longest stretch of walking today?");
  CHECK_THAT(longest.answer, Catch::Contains("lasted 30 minutes"));
}

TEST_CASE("first and last start and end times", "[assistant][answer]") {
  Fixture f;
  CHECK_THAT(f.ask("When did I first start eating?").answer, Catch::StartsWith("07:00"));
  CHECK_THAT(f.ask("What time did I last start walking?").answer, Catch::StartsWith("17:00"));
  CHECK_THAT(f.ask("What time did I finish computer work?").answer, Catch::StartsWith("11:30"));
  CHECK_THAT(f.ask("What time did I wake up?").answer, Catch::StartsWith("07:00"));
  CHECK_THAT(f.ask("What time did I leave work?").answer, Catch::StartsWith("12:30"));
  CHECK_THAT(f.ask("When did my log stop on Tuesday?").answer, Catch::StartsWith("19:00"));
  CHECK_THAT(f.ask("When did I get home in the evening?").answer, Catch::StartsWith("18:00"));
}

TEST_CASE("counts of episodes and of days", "[assistant][answer]") {
  Fixture f;
  auto walks = f.ask("How many times did I walk today?");
  CHECK_THAT(walks.answer, Catch::StartsWith("3 times walking"));  // 12:30 and 12:35 are one walk
  REQUIRE(fact(walks, "count"));
  CHECK((*fact(walks, "count"))["episodes"] == 3);
  CHECK_THAT(f.ask("How often did I eat?").answer, Catch::StartsWith("2 times"));
  CHECK_THAT(f.ask("How many times did I walk for at least 20 minutes?").answer, Catch::StartsWith("2 times"));
  auto days = f.ask("How many days did I walk this week?", "2024-05-16T23:00:00");
  CHECK_THAT(days.answer, Catch::StartsWith("3 days"));
  auto no_tv = f.ask("How many days did I not watch TV this week?", "2024-05-16T23:00:00");
  CHECK_THAT(no_tv.answer, Catch::StartsWith("2 days"));
}

TEST_CASE("yes/no: existence, amounts, comparisons, every day, at a time", "[assistant][answer]") {
  Fixture f;
  CHECK_THAT(f.ask("Did I walk today?").answer, Catch::StartsWith("Yes"));
  CHECK_THAT(f.ask("Did I watch TV in the morning?").answer, Catch::StartsWith("No"));
  CHECK_THAT(f.ask("Did I sleep more than 6 hours?").answer, Catch::StartsWith("Yes"));
  CHECK_THAT(f.ask("Did I sleep more than 8 hours?").answer, Catch::StartsWith("No"));
  CHECK_THAT(f.ask("Did I watch TV longer than I ate?").answer, Catch::StartsWith("Yes"));
  CHECK_THAT(f.ask("Did I eat longer than I did computer work?").answer, Catch::StartsWith("No"));
  CHECK_THAT(f.ask("Was I at home at 6:30 pm?").answer, Catch::StartsWith("Yes"));
  CHECK_THAT(f.ask("Was I at home at 10:00 am?").answer, Catch::StartsWith("No"));
  CHECK_THAT(f.ask("Did I walk every day this week?", "2024-05-16T23:00:00").answer, Catch::StartsWith("Yes"));
  CHECK_THAT(f.ask("Did I watch TV every day this week?", "2024-05-16T23:00:00").answer, Catch::StartsWith("No"));
  CHECK_THAT(f.ask("Was I always sitting when I was eating?").answer, Catch::StartsWith("Yes"));
  CHECK_THAT(f.ask("Am I always sleeping when I'm at home?").answer, Catch::StartsWith("No"));
  CHECK_THAT(f.ask("Did I eat while at work?").answer, Catch::StartsWith("Yes"));
}

TEST_CASE("which activity: most, least, comparisons, at a time, latest", "[assistant][answer]") {
  Fixture f;
  CHECK_THAT(f.ask("What did I do the most after 8 am?").answer, Catch::StartsWith("sitting"));
  CHECK_THAT(f.ask("Where did I spend the most time?").answer, Catch::StartsWith("at home"));
  CHECK_THAT(f.ask("Did I spend more time walking or eating?").answer, Catch::StartsWith("walking"));
  CHECK_THAT(f.ask("Did I spend less time walking or eating?").answer, Catch::StartsWith("eating"));
  CHECK_THAT(f.ask("What activity did I do the least?").answer, Catch::StartsWith("grooming"));
  CHECK_THAT(f.ask("What was I doing at 11:00 am?", "2024-05-15T23:00:00").answer,
             Catch::StartsWith("doing computer work"));
  CHECK_THAT(f.ask("What activity did I do the latest?").answer, Catch::StartsWith("watching TV"));
}

TEST_CASE("which day: most, least, without", "[assistant][answer]") {
  Fixture f;
  auto most = f.ask("Which day did I walk the most this week?", "2024-05-16T23:00:00");
  CHECK_THAT(most.answer, Catch::StartsWith("Thursday"));
  CHECK(fact(most, "days"));
  CHECK_THAT(f.ask("Which day did I walk the least this week?", "2024-05-16T23:00:00").answer,
             Catch::StartsWith("Wednesday"));
  CHECK_THAT(f.ask("What days did I not watch TV?", "2024-05-16T23:00:00").answer,
             Catch::StartsWith("Wednesday and Thursday"));
  CHECK_THAT(f.ask("On which days did I do computer work?", "2024-05-16T23:00:00").answer,
             Catch::StartsWith("Tuesday and Wednesday"));
}

TEST_CASE("unknown questions and activities are said so, not guessed", "[assistant][answer]") {
  Fixture f;
  auto r = f.ask("What is the meaning of life?");
  CHECK(!r.understood);
  CHECK_THAT(r.answer, Catch::Contains("could not"));
  auto swim = f.ask("How long did I swim today?");
  CHECK(!swim.understood);
  CHECK_THAT(swim.answer, Catch::Contains("walking"));  // lists what is logged instead
  auto yn = f.ask("Did I go swimming?");
  CHECK_THAT(yn.answer, Catch::StartsWith("No"));
  CHECK(!yn.understood);
}

TEST_CASE("bad requests are rejected with clear errors", "[assistant][answer]") {
  Fixture f;
  CHECK_THROWS_AS(f.ask("   "), Error);
  AskRequest r;
  r.question = "How long did I walk?";
  r.tz = "Mars/Olympus";
  CHECK_THROWS_AS(f.assistant.ask(f.log.user, r), Error);
  r.tz = "";
  CHECK_THROWS_AS(f.assistant.ask(f.log.user + 99, r), Error);
}
