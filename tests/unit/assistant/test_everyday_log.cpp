// Questions over a log in the tagger's everyday vocabulary ("walking", "playing soccer", ...),
// with "unclear motion" where the model was not confident.
#include <catch2/catch.hpp>

#include "assistant/assistant.h"
#include "common/time/instant.h"
#include "common/time/time_zone.h"
#include "storage/log_store.h"
#include "tests/support/test_paths.h"
#include "tests/unit/assistant/hand_made_log.h"
#include "tests/unit/assistant/answer_facts.h"

using namespace imu2clip;
using nlohmann::json;

using imu2clip::test::fact;

namespace {

const std::string kTz = "America/Los_Angeles";

struct EverydayLog {
  std::string db = test::make_temp_dir("everyday") + "/log.db";
  int64_t bo = 0;  // sports, a drink, long unclear stretches; no rowing, no catch
  int64_t cy = 0;  // rowing and catch, no basketball or soccer
  Assistant assistant{prepare(), std::nullopt, ""};

  std::string prepare() {
    LogStore store(db);
    bo = store.users().ensure("bo", kTz);
    cy = store.users().ensure("cy", kTz);
    run(store, bo, "08:00", 10, "walking");
    run(store, bo, "08:15", 5, "unclear motion");
    run(store, bo, "08:20", 60, "unclear motion");
    run(store, bo, "09:30", 20, "playing basketball");
    run(store, bo, "10:00", 15, "playing soccer");
    run(store, bo, "10:30", 5, "drinking");
    run(store, bo, "11:00", 30, "sitting");
    run(store, bo, "12:00", 15, "unclear motion");
    run(store, cy, "08:00", 20, "rowing");
    run(store, cy, "09:00", 12, "walking");
    run(store, cy, "10:00", 10, "playing catch");
    return db;
  }

  // One "imu" entry per minute on Tuesday 2024-05-14 from local `hhmm`.
  static void run(LogStore& store, int64_t user, const std::string& hhmm, int minutes, const std::string& label) {
    test::add_minute_entries(store, user, kTz, "2024-05-14", hhmm, minutes, {label}, "imu");
  }

  AskResult ask(int64_t user, const std::string& question) {
    AskRequest r;
    r.question = question;
    r.as_of_utc_ms = parse_iso8601_utc_ms("2024-05-14T23:00:00", kTz);
    r.tz = kTz;
    return assistant.ask(user, r);
  }
};


}  // namespace

TEST_CASE("rowing is an activity word, the phrase in a row is not", "[assistant][everyday]") {
  EverydayLog log;
  for (const char* q : {"Did I row today?", "Was I rowing at all today?", "Have I been rowing today?"}) {
    INFO(q);
    auto absent = log.ask(log.bo, q);
    CHECK_THAT(absent.answer, Catch::StartsWith("No: I found no"));
    CHECK_THAT(absent.answer, Catch::Contains("row"));
    auto present = log.ask(log.cy, q);
    CHECK_THAT(present.answer, Catch::StartsWith("Yes: 20 minutes rowing"));
  }
  CHECK_THAT(log.ask(log.cy, "When did I last row today?").answer, Catch::StartsWith("08:00"));
  auto stretch = log.ask(log.cy, "Did I walk for 10 minutes in a row?");
  CHECK_THAT(stretch.answer, Catch::StartsWith("Yes: 12 minutes walking"));
  CHECK_THAT(stretch.answer, !Catch::Contains("rowing"));
}

TEST_CASE("a shared verb with an object no label has names nothing", "[assistant][everyday]") {
  EverydayLog log;
  for (const char* q : {"Did I play catch today?", "Have I been playing catch today?"}) {
    INFO(q);
    auto r = log.ask(log.bo, q);
    CHECK_THAT(r.answer, Catch::StartsWith("No: I found no"));
    CHECK_THAT(r.answer, Catch::Contains("\"play"));
    REQUIRE(fact(r, "unmatched"));
    CHECK_THAT((*fact(r, "unmatched"))["words"].get<std::string>(), Catch::Contains("catch"));
    CHECK(!fact(r, "duration"));
  }
  auto basketball = log.ask(log.cy, "Did I play basketball today?");
  CHECK_THAT(basketball.answer, Catch::StartsWith("No: I found no"));
  CHECK(!fact(basketball, "duration"));
  CHECK_THAT(log.ask(log.bo, "When did I first play catch today?").answer, Catch::StartsWith("I could not match"));
  // the verb alone, or with a general object, still names every label that has it
  auto play = log.ask(log.bo, "Did I play today?");
  CHECK_THAT(play.answer, Catch::StartsWith("Yes: 35 minutes playing basketball or playing soccer"));
  CHECK_THAT(log.ask(log.bo, "How long did I play sports today?").answer, Catch::StartsWith("You spent 35 minutes"));
  CHECK_THAT(log.ask(log.cy, "Did I play catch today?").answer, Catch::StartsWith("Yes: 10 minutes playing catch"));
  CHECK_THAT(log.ask(log.bo, "How long did I play soccer today?").answer,
             Catch::StartsWith("You spent 15 minutes playing soccer"));
}

TEST_CASE("irregular past tenses of the vocabulary's verbs", "[assistant][everyday]") {
  EverydayLog log;
  auto drank = log.ask(log.bo, "When was the last time I drank today?");
  CHECK(drank.understood);
  CHECK_THAT(drank.answer, Catch::StartsWith("10:30"));
  CHECK_THAT(log.ask(log.bo, "Have I drunk anything today?").answer, Catch::StartsWith("Yes: 5 minutes drinking"));
  CHECK_THAT(log.ask(log.cy, "When was the last time I rowed today?").answer, Catch::StartsWith("08:00"));
}

TEST_CASE("unclear motion is never answered as an activity", "[assistant][everyday]") {
  EverydayLog log;
  // 80 minutes unclear, more than anything named, and the last thing logged
  CHECK_THAT(log.ask(log.bo, "What did I do most today?").answer, Catch::StartsWith("sitting (30 minutes)"));
  CHECK_THAT(log.ask(log.bo, "What activity did I do the latest?").answer, Catch::StartsWith("sitting"));
  CHECK_THAT(log.ask(log.bo, "What did I do for the longest stretch today?").answer, Catch::StartsWith("sitting"));
  for (const char* q : {"What motion did I do the most today?", "Did I move a lot today?",
                        "How long was it unclear today?", "What did I do when it was unclear?"}) {
    INFO(q);
    auto r = log.ask(log.bo, q);
    CHECK_THAT(r.answer, !Catch::Contains("unclear motion"));
  }
  // the moment itself: said to be unclear, not "nothing logged" and not an activity
  auto at = log.ask(log.bo, "What was I doing at 8:45 am?");
  CHECK_THAT(at.answer, Catch::StartsWith("Your motion was unclear at 08:45"));
  REQUIRE(fact(at, "at_time"));
  CHECK((*fact(at, "at_time"))["labels"].empty());
  CHECK((*fact(at, "at_time")).value("unclear", false));
  CHECK_THAT(at.evidence.front(), Catch::Contains("unclear motion"));
  CHECK_THAT(log.ask(log.bo, "What was I doing at 9:40 am?").answer, Catch::StartsWith("playing basketball at 09:40"));
  // asked about by name, it is a fact about the log
  CHECK_THAT(log.ask(log.bo, "How long was my motion unclear today?").answer,
             Catch::StartsWith("You spent 1 hour 20 minutes unclear motion"));
}
