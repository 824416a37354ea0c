#include <catch2/catch.hpp>

#include "assistant/lexicon.h"
#include "assistant/time_scope.h"
#include "common/time/instant.h"
#include "common/time/time_zone.h"

using namespace imu2clip;
using namespace imu2clip::assistant;

namespace {

const std::string kTz = "America/Los_Angeles";

int64_t local(const std::string& text) { return parse_iso8601_utc_ms(text, kTz); }

// as_of: Thursday 2024-05-16 20:00 local (PDT).
TimeScope scope_of(const std::string& question, const std::string& as_of = "2024-05-16T20:00:00") {
  ScopeContext ctx{local(as_of), kTz, 0, 0, {}};
  return parse_time_scope(normalise_question_text(question), ctx);
}

std::vector<std::string> dates(const TimeScope& s) {
  std::vector<std::string> out;
  for (const auto& d : s.days) out.push_back(to_iso(d.date));
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("relative days: today, yesterday, this morning, last night", "[assistant][scope]") {
  auto today = scope_of("How long did I walk today?");
  CHECK(dates(today) == V{"2024-05-16"});
  CHECK(today.from_utc_ms() == local("2024-05-16T00:00:00"));
  CHECK(today.to_utc_ms() == local("2024-05-16T20:00:00"));  // never past as_of

  auto y = scope_of("What did I do yesterday?");
  CHECK(dates(y) == V{"2024-05-15"});
  CHECK(y.to_utc_ms() == local("2024-05-16T00:00:00"));

  auto morning = scope_of("Did I eat this morning?");
  CHECK(dates(morning) == V{"2024-05-16"});
  CHECK(morning.from_utc_ms() == local("2024-05-16T05:00:00"));
  CHECK(morning.to_utc_ms() == local("2024-05-16T12:00:00"));

  auto night = scope_of("How long did I sleep last night?");
  CHECK(night.from_utc_ms() == local("2024-05-15T18:00:00"));
  CHECK(night.to_utc_ms() == local("2024-05-16T06:00:00"));

  auto evening = scope_of("Was I at home this evening?");
  CHECK(evening.from_utc_ms() == local("2024-05-16T17:00:00"));
}

TEST_CASE("weekdays: on Tuesday, last Thursday, on Tuesdays, typos", "[assistant][scope]") {
  CHECK(dates(scope_of("How long did I walk on Tuesday?")) == V{"2024-05-14"});
  CHECK(dates(scope_of("What did I do last Tuesday?")) == V{"2024-05-14"});
  CHECK(dates(scope_of("Did I walk on Thursday?")) == V{"2024-05-16"});
  CHECK(dates(scope_of("Did I walk last Thursday?")) == V{"2024-05-09"});
  CHECK(dates(scope_of("How long was I standing on thirsday?")) == V{"2024-05-16"});
  CHECK(dates(scope_of("Do I stand on Fridays?")) == V{"2024-05-10"});
}

TEST_CASE("periods: this week, these days, past N days, last week, weekend", "[assistant][scope]") {
  V week = {"2024-05-10", "2024-05-11", "2024-05-12", "2024-05-13", "2024-05-14", "2024-05-15", "2024-05-16"};
  CHECK(dates(scope_of("What did I do most this week?")) == week);
  CHECK(dates(scope_of("What did I spend the most time doing those days?")) == week);
  CHECK(dates(scope_of("How often did I walk over the past 3 days?")) == V{"2024-05-14", "2024-05-15", "2024-05-16"});
  CHECK(dates(scope_of("How long did I sleep last week?")) ==
        V{"2024-05-06", "2024-05-07", "2024-05-08", "2024-05-09", "2024-05-10", "2024-05-11", "2024-05-12"});
  CHECK(dates(scope_of("Did I bicycle over the weekend?")) == V{"2024-05-11", "2024-05-12"});
  CHECK(scope_of("Did I exercise every day this week?").every_day);
}

TEST_CASE("explicit dates: ISO, month names, M/D, ordinals", "[assistant][scope]") {
  CHECK(dates(scope_of("How long did I walk on 2015-08-20?")) == V{"2015-08-20"});
  CHECK(dates(scope_of("What did I do on March 3?")) == V{"2024-03-03"});
  CHECK(dates(scope_of("What did I do on May 2nd?")) == V{"2024-05-02"});
  CHECK(dates(scope_of("What did I do on 3 May?")) == V{"2024-05-03"});
  CHECK(dates(scope_of("What did I do on 8/20?")) == V{"2023-08-20"});  // the latest 20 Aug before as_of
  CHECK(dates(scope_of("Did I have a meeting on 09-23-2015?")) == V{"2015-09-23"});
  CHECK(dates(scope_of("When did I first get on the internet on Saturday the 11th?")) == V{"2024-05-11"});
}

TEST_CASE("times of day: at 3pm, between 2 and 4 pm, before noon, in the morning", "[assistant][scope]") {
  auto at = scope_of("What was I doing at 3pm on Tuesday?");
  REQUIRE(at.at_minute);
  CHECK(*at.at_minute == 15 * 60);
  CHECK(dates(at) == V{"2024-05-14"});
  for (const char* question : {"Was I at home at 12:00 pm?", "Was I at home at noon?"}) {
    const auto noon = scope_of(question);
    REQUIRE(noon.at_minute);
    CHECK(*noon.at_minute == 12 * 60);
  }

  auto between = scope_of("How long did I walk between 2 and 4 pm yesterday?");
  CHECK(between.from_utc_ms() == local("2024-05-15T14:00:00"));
  CHECK(between.to_utc_ms() == local("2024-05-15T16:00:00"));
  auto between24 = scope_of("Did I do any exercise between 13 and 16 PM yesterday?");
  CHECK(between24.from_utc_ms() == local("2024-05-15T13:00:00"));
  CHECK(between24.to_utc_ms() == local("2024-05-15T16:00:00"));
  auto range = scope_of("How long did you spend on your phone from 11:32 to 20:03 yesterday?");
  CHECK(range.from_utc_ms() == local("2024-05-15T11:32:00"));
  CHECK(range.to_utc_ms() == local("2024-05-15T20:03:00"));

  auto before = scope_of("How long did I sleep before noon yesterday?");
  CHECK(before.from_utc_ms() == local("2024-05-15T00:00:00"));
  CHECK(before.to_utc_ms() == local("2024-05-15T12:00:00"));
  auto after = scope_of("Did I do computer work after 19:00 yesterday?");
  CHECK(after.from_utc_ms() == local("2024-05-15T19:00:00"));

  auto morning = scope_of("Do I ever do computer work in the morning?");
  CHECK(morning.day_part == "morning");
  // durations are not clock times
  auto hours = scope_of("Did I sleep more than 3 hours yesterday?");
  CHECK(!hours.at_minute);
  CHECK(hours.day_part.empty());
}

TEST_CASE("default scope: the as_of day, or the past week for questions about days", "[assistant][scope]") {
  CHECK(dates(scope_of("How long did I walk?")) == V{"2024-05-16"});
  CHECK(!scope_of("How long did I walk?").named_days);
  CHECK(scope_of("On which day did I walk the most?").days.size() == 7);
  CHECK(scope_of("How many days did I cook?").days.size() == 7);
}

TEST_CASE("a focus period replaces the default and deictic days outside it", "[assistant][scope]") {
  ScopeContext day{local("2015-08-20T23:59:59"), kTz, local("2015-08-20T00:00:00"), local("2015-08-21T00:00:00"), {}};
  CHECK(dates(parse_time_scope(normalise_question_text("How long did I walk?"), day)) == V{"2015-08-20"});
  CHECK(dates(parse_time_scope(normalise_question_text("How long did I walk yesterday?"), day)) == V{"2015-08-20"});
  ScopeContext week{local("2015-08-23T23:59:59"), kTz, local("2015-08-19T00:00:00"), local("2015-08-24T00:00:00"), {}};
  auto s = parse_time_scope(normalise_question_text("What did I do most last week?"), week);
  CHECK(dates(s) == V{"2015-08-19", "2015-08-20", "2015-08-21", "2015-08-22", "2015-08-23"});
  CHECK(dates(parse_time_scope(normalise_question_text("How many times did I eat on Wednesday?"), week)) == V{"2015-08-19"});
}

TEST_CASE("DST days in America/Los_Angeles are 23 and 25 hours long", "[assistant][scope]") {
  auto spring = scope_of("How long did I sleep today?", "2024-03-10T23:30:00");
  CHECK(spring.days.front().day_to_utc_ms - spring.days.front().day_from_utc_ms == 23LL * 3600 * 1000);
  auto fall = scope_of("How long did I sleep yesterday?", "2024-11-04T10:00:00");
  CHECK(dates(fall) == V{"2024-11-03"});
  CHECK(fall.days.front().day_to_utc_ms - fall.days.front().day_from_utc_ms == 25LL * 3600 * 1000);
  // 01:00 PST to 04:00 PDT is two real hours on the spring-forward day
  auto early = scope_of("How long did I sleep between 1 am and 4 am today?", "2024-03-10T23:30:00");
  CHECK(early.to_utc_ms() - early.from_utc_ms() == 2LL * 3600 * 1000);
  CHECK(early.from_utc_ms() == parse_iso8601_utc_ms("2024-03-10T09:00:00Z"));
  auto pm = scope_of("What was I doing at 3pm today?", "2024-03-10T23:30:00");
  REQUIRE(pm.at_minute);
  CHECK(*pm.at_minute == 15 * 60);
}
