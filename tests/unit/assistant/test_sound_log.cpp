// Questions about sounds over a log that mixes motion ("imu") and audio entries: sounds are asked
// about like activities ("when was the vacuum cleaner on", "how long was the TV on"), "what did I
// hear" lists them (also within an activity: "while cooking"), and questions about what the user
// did are never answered with a sound.
#include <catch2/catch.hpp>

#include "assistant/assistant.h"
#include "storage/log_store.h"
#include "tests/support/test_paths.h"
#include "tests/unit/assistant/answer_facts.h"
#include "tests/unit/assistant/hand_made_log.h"

using namespace imu2clip;
using imu2clip::test::fact;

namespace {

const std::string kTz = "America/Los_Angeles";

// Tuesday 2024-05-14 of user "ann": what the watch saw and what the phone heard.
struct SoundLog {
  std::string db = test::make_temp_dir("sound_log") + "/log.db";
  int64_t user = 0;
  Assistant assistant{prepare(), std::nullopt, ""};

  std::string prepare() {
    LogStore store(db);
    user = store.users().ensure("ann", kTz);
    motion(store, "07:00", 30, "cooking");
    motion(store, "07:30", 20, "eating");
    motion(store, "09:00", 20, "walking");
    motion(store, "10:00", 60, "sitting");
    motion(store, "14:00", 90, "sitting");
    motion(store, "17:00", 10, "walking");
    motion(store, "18:00", 60, "watching TV");
    motion(store, "19:00", 30, "standing");
    sound(store, "00:00", 6 * 60, "quiet");  // the night: heard, nothing done
    sound(store, "07:00", 5, "chopping food");
    sound(store, "07:05", 5, "blender running");
    sound(store, "07:10", 15, "frying food in a pan");
    sound(store, "07:25", 5, "water running from a tap");
    sound(store, "07:30", 5, "plates clattering");
    sound(store, "07:35", 10, "eating");  // heard while the watch saw eating too
    sound(store, "07:45", 5, "person speaking");
    sound(store, "09:00", 20, "vacuum cleaner running");
    sound(store, "10:00", 60, "quiet");
    sound(store, "11:00", 5, "unclear sound");
    sound(store, "14:00", 60, "quiet");
    sound(store, "15:00", 30, "person speaking");
    sound(store, "17:00", 10, "vacuum cleaner running");
    sound(store, "18:00", 90, "television");  // on for half an hour after the show
    return db;
  }

  void motion(LogStore& store, const std::string& hhmm, int minutes, const std::string& label) {
    test::add_minute_entries(store, user, kTz, "2024-05-14", hhmm, minutes, {label}, "imu");
  }
  void sound(LogStore& store, const std::string& hhmm, int minutes, const std::string& label) {
    test::add_minute_entries(store, user, kTz, "2024-05-14", hhmm, minutes, {label}, "audio");
  }

  AskResult ask(const std::string& question) {
    AskRequest r;
    r.question = question;
    r.as_of_utc_ms = parse_iso8601_utc_ms("2024-05-14T23:00:00", kTz);
    r.tz = kTz;
    return assistant.ask(user, r);
  }
};

}  // namespace

TEST_CASE("when a sound was on: every stretch of it", "[assistant][sound]") {
  SoundLog log;
  auto vacuum = log.ask("When was the vacuum cleaner on?");
  CHECK(vacuum.understood);
  CHECK(vacuum.answer == "09:00-09:20 and 17:00-17:10: vacuum cleaner running on Tuesday 2024-05-14 (2 episodes).");
  REQUIRE(fact(vacuum, "time"));
  CHECK((*fact(vacuum, "time"))["spans"].size() == 2);
  CHECK_THAT(vacuum.evidence.front(), Catch::Contains("[09:00] Audio: vacuum cleaner running"));
  CHECK_THAT(log.ask("When did I hear someone talking?").answer,
             Catch::StartsWith("07:45-07:50 and 15:00-15:30: person speaking"));
  // a start or a first still asks for one moment
  CHECK_THAT(log.ask("When did the vacuum cleaner last start?").answer,
             Catch::StartsWith("17:00: vacuum cleaner running last started"));
}

TEST_CASE("how long a sound was on, apart from the activity of the same name", "[assistant][sound]") {
  SoundLog log;
  auto vacuum = log.ask("How long was the vacuum cleaner running?");
  CHECK_THAT(vacuum.answer, Catch::StartsWith("You heard vacuum cleaner running for 30 minutes"));
  REQUIRE(fact(vacuum, "duration"));
  CHECK((*fact(vacuum, "duration"))["minutes"] == 30);
  // "TV" names the television that was heard; watching it is what the watch saw
  auto tv = log.ask("How long was the TV on this evening?");
  CHECK_THAT(tv.answer, Catch::StartsWith("You heard television for 1 hour 30 minutes"));
  CHECK_THAT(log.ask("How long did I watch TV this evening?").answer,
             Catch::StartsWith("You spent 1 hour watching TV"));
  CHECK_THAT(log.ask("How long was the television on?").answer,
             Catch::StartsWith("You heard television for 1 hour 30 minutes"));
  CHECK_THAT(log.ask("How long was the blender on?").answer,
             Catch::StartsWith("You heard blender running for 5 minutes"));
  CHECK_THAT(log.ask("How long was it quiet today?").answer, Catch::StartsWith("It was quiet for 8 hours"));
  // seen and heard at once counts once: 07:30-07:50, not 20 + 10 minutes
  CHECK_THAT(log.ask("How long did I eat?").answer, Catch::StartsWith("You spent 20 minutes eating"));
}

TEST_CASE("yes/no about sounds: quiet at a minute, speaking, a tap", "[assistant][sound]") {
  SoundLog log;
  auto speaking = log.ask("Was it quiet at 3 pm?");
  CHECK_THAT(speaking.answer, Catch::StartsWith("No: the log does not show quiet at 15:00"));
  CHECK_THAT(speaking.answer, Catch::Contains("heard then: person speaking"));
  REQUIRE(fact(speaking, "at_time"));
  CHECK((*fact(speaking, "at_time"))["answer"] == false);
  CHECK_THAT(log.ask("Was it quiet at 2:30 pm?").answer, Catch::StartsWith("Yes: the log shows quiet at 14:30"));
  CHECK_THAT(log.ask("Did I hear someone speaking?").answer, Catch::StartsWith("Yes: 35 minutes person speaking"));
  CHECK_THAT(log.ask("Did I hear the faucet this morning?").answer,
             Catch::StartsWith("Yes: 5 minutes water running from a tap"));
  CHECK_THAT(log.ask("Was the tap running?").answer, Catch::StartsWith("Yes: 5 minutes water running from a tap"));
}

TEST_CASE("what did I hear: the sounds of a time, or of an activity's time", "[assistant][sound]") {
  SoundLog log;
  auto cooking = log.ask("What did I hear while cooking?");
  CHECK(cooking.understood);
  CHECK(cooking.answer ==
        "You heard frying food in a pan (15 minutes), blender running (5 minutes), chopping food (5 minutes), and "
        "water running from a tap (5 minutes) while cooking on Tuesday 2024-05-14.");
  REQUIRE(fact(cooking, "breakdown"));
  CHECK((*fact(cooking, "breakdown"))["within"] == "cooking");
  CHECK((*fact(cooking, "breakdown"))["labels"].size() == 4);

  auto morning = log.ask("What did I hear this morning?");
  // only what the phone heard of "eating" (10 minutes, not the watch's 20); quiet apart; the
  // stretch the tagger could not name is no sound
  CHECK_THAT(morning.answer, Catch::StartsWith("You heard vacuum cleaner running (20 minutes), frying food in a pan "
                                               "(15 minutes), eating (10 minutes)"));
  CHECK_THAT(morning.answer, Catch::EndsWith("; it was quiet for 2 hours."));
  CHECK_THAT(morning.answer, !Catch::Contains("unclear"));
  CHECK_THAT(morning.answer, !Catch::Contains("cooking"));
  CHECK_THAT(morning.answer, !Catch::Contains("sitting"));
  CHECK_THAT(log.ask("What sounds were there in the afternoon?").answer,
             Catch::StartsWith(
                 "You heard person speaking (30 minutes) on Tuesday 2024-05-14 (afternoon); it was quiet for 1 hour"));
  // next to an activity: what was heard once it was over, not a sound that stopped during it
  auto after = log.ask("What did I hear after cooking?");
  CHECK_THAT(after.answer, Catch::Contains("plates clattering from 07:30, right after cooking (07:00-07:30)"));
  CHECK_THAT(after.answer, !Catch::Contains("water running"));
  // an activity the log does not have is said, not replaced by the whole morning
  CHECK_THAT(log.ask("What did I hear while jogging?").answer, Catch::StartsWith("I could not match"));
}

TEST_CASE("at a minute: what the user did, then what was heard", "[assistant][sound]") {
  SoundLog log;
  auto did = log.ask("What did I do at 3 pm?");
  CHECK(did.answer == "sitting at 15:00 on Tuesday 2024-05-14 (at 15:00) (Audio: person speaking).");
  REQUIRE(fact(did, "at_time"));
  CHECK((*fact(did, "at_time"))["labels"] == nlohmann::json::array({"sitting"}));
  CHECK(log.ask("What did I hear at 3 pm?").answer == "person speaking at 15:00 on Tuesday 2024-05-14 (at 15:00).");
  CHECK_THAT(log.ask("What did I hear at 11:02 am?").answer, Catch::StartsWith("The sound was unclear at 11:02"));
}

TEST_CASE("questions about what the user did are not answered with sounds", "[assistant][sound]") {
  SoundLog log;
  // six hours of quiet and 90 minutes of television are the longest labels, but nothing done
  CHECK_THAT(log.ask("What did I do most today?").answer, Catch::StartsWith("sitting (2 hours 30 minutes)"));
  // cooking is the activity; the sounds of cooking are not substituted for it
  auto cook = log.ask("Did I cook?");
  CHECK_THAT(cook.answer, Catch::StartsWith("Yes: 30 minutes cooking"));
  CHECK_THAT(cook.answer, !Catch::Contains("frying"));
  CHECK_THAT(cook.answer, !Catch::Contains("blender"));
  // "running" is shared by five sounds, which a question about running never means
  auto run = log.ask("Did I run today?");
  CHECK_THAT(run.answer, Catch::StartsWith("No: I found no \"run\""));
  CHECK(!fact(run, "duration"));
  CHECK_THAT(log.ask("What did I do while the vacuum cleaner was running?").answer,
             Catch::StartsWith("walking while vacuum cleaner running (30 minutes)"));
  CHECK_THAT(log.ask("What did I do after cooking?").answer, Catch::StartsWith("eating from 07:30"));
}
