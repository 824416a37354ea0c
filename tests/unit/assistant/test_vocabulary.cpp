#include <catch2/catch.hpp>

#include "assistant/lexicon.h"
#include "assistant/vocabulary.h"

using namespace imu2clip::assistant;

namespace {

const std::vector<std::string> kLabels = {
    "sitting", "walking", "lying down", "sleeping", "eating", "grooming", "watching TV", "at home",
    "at main workplace", "doing computer work", "doing lab work", "on a vehicle", "driving (as driver)",
    "bathing or showering", "with co-workers", "phone in pocket", "phone on table", "phone in hand", "indoors",
    "outside", "in a meeting", "surfing the internet"};

// The everyday vocabulary the tagger logs, and its phrase for windows it could not name.
const std::vector<std::string> kEveryday = {
    "walking", "running", "climbing stairs", "sitting", "standing", "lying down", "cycling", "using a computer",
    "writing", "reading", "eating", "drinking", "brushing teeth", "folding laundry", "clapping",
    "playing basketball", "playing soccer", "playing catch", "working out", "rowing", "jumping",
    "picking something up", "unclear motion"};

std::vector<std::vector<std::string>> labels_in(const std::string& question,
                                                const std::vector<std::string>& labels = kLabels) {
  Vocabulary v(labels);
  std::vector<std::vector<std::string>> out;
  for (const auto& m : v.find(tokenize(normalise_question_text(question)))) out.push_back(m.labels);
  return out;
}

using L = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("stems conflate inflections and irregular forms", "[assistant][vocabulary]") {
  CHECK(stem_word("sitting") == stem_word("sat"));
  CHECK(stem_word("sits") == stem_word("sit"));
  CHECK(stem_word("exercising") == stem_word("exercise"));
  CHECK(stem_word("lying") == stem_word("lay"));
  CHECK(stem_word("meetings") == stem_word("meeting"));
  CHECK(stem_word("showering") == stem_word("showers"));
  CHECK(stem_word("ate") == stem_word("eating"));
}

TEST_CASE("past tenses of the everyday vocabulary's verbs", "[assistant][vocabulary]") {
  CHECK(stem_word("drank") == stem_word("drinking"));
  CHECK(stem_word("drunk") == stem_word("drinking"));
  CHECK(stem_word("written") == stem_word("writing"));
  CHECK(stem_word("wrote") == stem_word("writing"));
  CHECK(stem_word("ran") == stem_word("running"));
  CHECK(stem_word("rowed") == stem_word("rowing"));
  CHECK(stem_word("clapped") == stem_word("clapping"));
  CHECK(stem_word("jumped") == stem_word("jumping"));
  CHECK(stem_word("folded") == stem_word("folding"));
  CHECK(stem_word("brushed") == stem_word("brushing"));
  CHECK(stem_word("picked") == stem_word("picking"));
  CHECK(stem_word("cycled") == stem_word("cycling"));
  CHECK(stem_word("climbed") == stem_word("climbing"));
  CHECK(labels_in("When was the last time I drank?", kEveryday) == L{{"drinking"}});
  CHECK(labels_in("When did I last work out?", kEveryday) == L{{"working out"}});
  CHECK(labels_in("When did I last pick something up?", kEveryday) == L{{"picking something up"}});
  CHECK(labels_in("Did I pick anything up?", kEveryday) == L{{"picking something up"}});
}

TEST_CASE("the phrase in a row is about consecutive time, not rowing", "[assistant][vocabulary]") {
  CHECK(labels_in("Did I row today?", kEveryday) == L{{"rowing"}});
  CHECK(labels_in("Did I walk three days in a row?", kEveryday) == L{{"walking"}});
  CHECK(normalise_question_text("Two days in a row") == "two days consecutive");
}

TEST_CASE("unclear motion is named only by both of its words", "[assistant][vocabulary]") {
  CHECK(labels_in("What motion did I do the most?", kEveryday).empty());
  CHECK(labels_in("Was it unclear what I did?", kEveryday).empty());
  CHECK(labels_in("Was my motion unclear?", kEveryday) == L{{"unclear motion"}});
  CHECK(is_unclear_label("unclear motion"));
  CHECK(!is_unclear_label("walking"));
  // "play" alone names the playing labels, never the unclear one
  auto play = labels_in("Did I play today?", kEveryday);
  REQUIRE(play.size() == 1);
  CHECK(play[0] == std::vector<std::string>{"playing basketball", "playing soccer", "playing catch"});
}

TEST_CASE("question words map to the labels in the log", "[assistant][vocabulary]") {
  CHECK(labels_in("How often did I groom?") == L{{"grooming"}});
  CHECK(labels_in("How long did I watch TV?") == L{{"watching TV"}});
  CHECK(labels_in("Did I watch television?") == L{{"watching TV"}});
  CHECK(labels_in("When did I drive?") == L{{"driving (as driver)"}});
  CHECK(labels_in("How long was I in the car?") == L{{"on a vehicle"}});
  CHECK(labels_in("Did I sit down while doing computer work?") == L{{"sitting"}, {"doing computer work"}});
  CHECK(labels_in("How long was I at work?") == L{{"at main workplace"}});
  CHECK(labels_in("How long was I at the office?") == L{{"at main workplace"}});
  CHECK(labels_in("Did I shower?") == L{{"bathing or showering"}});
  CHECK(labels_in("Was I with my colleagues?") == L{{"with co-workers"}});
  CHECK(labels_in("Was I with co-workers?") == L{{"with co-workers"}});
  CHECK(labels_in("When did I lay down?") == L{{"lying down"}});
  CHECK(labels_in("Was I inside?") == L{{"indoors"}});
  CHECK(labels_in("How many meetings did I have?") == L{{"in a meeting"}});
  CHECK(labels_in("When did I get online?") == L{{"surfing the internet"}});
}

TEST_CASE("a shared word names the group and unknown words name nothing", "[assistant][vocabulary]") {
  auto phone = labels_in("How long was my phone with me?");
  REQUIRE(phone.size() == 1);
  CHECK(phone[0] == std::vector<std::string>{"phone in pocket", "phone on table", "phone in hand"});
  CHECK(labels_in("Was my phone on the table?") == L{{"phone on table"}});
  CHECK(labels_in("Did I go for a swim?").empty());
  CHECK(labels_in("What is the meaning of life?").empty());
}

TEST_CASE("computer work and workplace are told apart", "[assistant][vocabulary]") {
  CHECK(labels_in("Difference between doing computer work and being at work?") ==
        L{{"doing computer work"}, {"at main workplace"}});
}

TEST_CASE("negations attach to the activity they precede", "[assistant][vocabulary]") {
  Vocabulary v(kLabels);
  auto m = v.find(tokenize(normalise_question_text("How long was I at home and not sleeping?")));
  REQUIRE(m.size() == 2);
  CHECK(!m[0].negated);
  CHECK(m[1].negated);
  auto away = v.find(tokenize(normalise_question_text("How much time did I spend away from home?")));
  REQUIRE(away.size() == 1);
  CHECK(away[0].negated);
}

TEST_CASE("labels are classified by their grammar", "[assistant][vocabulary]") {
  CHECK(classify_label("at home") == LabelKind::Place);
  CHECK(classify_label("indoors") == LabelKind::Place);
  CHECK(classify_label("in toilet") == LabelKind::Place);
  CHECK(classify_label("in a meeting") == LabelKind::Activity);
  CHECK(classify_label("with friends") == LabelKind::Company);
  CHECK(classify_label("phone in bag") == LabelKind::Device);
  CHECK(classify_label("sitting") == LabelKind::Posture);
  CHECK(classify_label("cooking") == LabelKind::Activity);
}

namespace {

// What the phone's audio tagger logs: sounds, its tag for silence and for what it could not name.
const std::vector<std::string> kSounds = {"vacuum cleaner running",
                                          "blender running",
                                          "microwave running",
                                          "dishwasher running",
                                          "water running from a tap",
                                          "person speaking",
                                          "television",
                                          "washing dishes",
                                          "quiet",
                                          "unclear sound"};

// The labels a question names in a log of `done` activities and the sounds above.
std::vector<std::vector<std::string>> labels_heard_in(const std::string& question, std::vector<std::string> done) {
  std::vector<std::string> all = done;
  all.insert(all.end(), kSounds.begin(), kSounds.end());
  Vocabulary v(all, kSounds);
  std::vector<std::vector<std::string>> out;
  for (const auto& m : v.find(tokenize(normalise_question_text(question)))) out.push_back(m.labels);
  return out;
}

std::vector<std::string> everyday_without(const std::string& label) {
  std::vector<std::string> out;
  for (const auto& l : kEveryday) {
    if (l != label) out.push_back(l);
  }
  return out;
}

}  // namespace

TEST_CASE("sounds are named by their own words", "[assistant][vocabulary]") {
  CHECK(labels_heard_in("How long was the blender on?", kEveryday) == L{{"blender running"}});
  CHECK(labels_heard_in("When was the vacuum cleaner on?", kEveryday) == L{{"vacuum cleaner running"}});
  CHECK(labels_heard_in("Did I hear the faucet?", kEveryday) == L{{"water running from a tap"}});
  // "running" of "the tap was running" is the tap's, though the activity has the word
  CHECK(labels_heard_in("Was the tap running?", kEveryday) == L{{"water running from a tap"}});
  CHECK(labels_heard_in("Was the water still running?", kEveryday) == L{{"water running from a tap"}});
  CHECK(labels_heard_in("Did I run while the tap was on?", kEveryday) == L{{"running"}, {"water running from a tap"}});
  CHECK(labels_heard_in("How long was the TV on?", kEveryday) == L{{"television"}});
  CHECK(labels_heard_in("Did I hear someone speaking?", kEveryday) == L{{"person speaking"}});
  CHECK(labels_heard_in("Was it quiet at 3 pm?", kEveryday) == L{{"quiet"}});
  CHECK(labels_heard_in("Was the sound unclear?", kEveryday) == L{{"unclear sound"}});
  CHECK(labels_heard_in("What sounds did I hear?", kEveryday).empty());
  CHECK(is_silence_label("quiet"));
  CHECK(!is_silence_label("person speaking"));
}

TEST_CASE("a question about what was done is not answered with a sound by accident", "[assistant][vocabulary]") {
  CHECK(labels_heard_in("Did I run?", kEveryday) == L{{"running"}});
  // without the activity, a word five sounds share names none of them
  CHECK(labels_heard_in("Did I run?", everyday_without("running")).empty());
  CHECK(labels_heard_in("How long did I run today?", everyday_without("running")).empty());
  // the same labels not known as sounds: the shared word names them all
  std::vector<std::string> plain = everyday_without("running");
  plain.insert(plain.end(), kSounds.begin(), kSounds.end());
  REQUIRE(labels_in("Did I run?", plain).size() == 1);
  CHECK(labels_in("Did I run?", plain)[0].size() == 5);
  // a word distinctive among the activities and among the sounds: the activity is taken
  CHECK(labels_heard_in("Did I wash?", {"washing hands", "sitting"}) == L{{"washing hands"}});
  // and a sound does not make an activity's word shared ("wash" stays the hands')
  CHECK(labels_heard_in("How long did I wash today?", {"washing hands", "sitting"}) == L{{"washing hands"}});
  CHECK(labels_heard_in("Did I wash the dishes?", {"washing hands", "sitting"}) == L{{"washing dishes"}});
}
