#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.h"
#include "tagger/text/wordnet.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {

std::shared_ptr<const WordNet> wordnet() { return WordNet::shared(WordNet::default_dir()); }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("wordnet: morphy uses exception lists and suffix rules", "[text][wordnet]") {
  const auto wn = wordnet();
  CHECK(wn->morphy("running", WordNetPos::Verb) == std::vector<std::string>{"run"});     // verb.exc
  CHECK(wn->morphy("went", WordNetPos::Verb) == std::vector<std::string>{"go"});         // verb.exc
  CHECK(wn->morphy("lying", WordNetPos::Verb) == std::vector<std::string>{"lie"});       // verb.exc
  CHECK(wn->morphy("walking", WordNetPos::Verb) == std::vector<std::string>{"walk"});    // -ing rule
  CHECK(wn->morphy("eats", WordNetPos::Verb) == std::vector<std::string>{"eat"});        // -s rule
  CHECK(wn->morphy("taking", WordNetPos::Verb) == std::vector<std::string>{"take"});     // -ing -> -e
  CHECK(wn->morphy("children", WordNetPos::Noun) == std::vector<std::string>{"child"});  // noun.exc
  CHECK(wn->morphy("dishes", WordNetPos::Noun) == std::vector<std::string>{"dish"});     // -shes -> -sh
  CHECK(wn->morphy("biggest", WordNetPos::Adj) == std::vector<std::string>{"big"});      // adj.exc
  // "stairs" is a lemma itself (a staircase) and also the plural of "stair"; morphy returns both.
  const auto stairs = wn->morphy("stairs", WordNetPos::Noun);
  CHECK(contains(stairs, "stair"));
  CHECK(contains(stairs, "stairs"));
  CHECK(wn->morphy("Running", WordNetPos::Verb) == std::vector<std::string>{"run"});
  CHECK(wn->morphy("xqzvv", WordNetPos::Noun).empty());
  CHECK(wn->morphy("running", WordNetPos::Adv).empty());
}

TEST_CASE("wordnet: senses in rank order and decoded synsets", "[text][wordnet]") {
  const auto wn = wordnet();
  const auto& bike = wn->senses(WordNetPos::Verb, "bike");
  REQUIRE(bike.size() == 1);
  const Synset s = wn->synset(SynsetId{WordNetPos::Verb, bike[0]});
  CHECK(contains(s.words, "bicycle"));
  CHECK(contains(s.words, "cycle"));
  CHECK(contains(s.words, "bike"));
  bool has_hypernym = false, has_derivation_to_noun = false;
  for (const auto& p : s.pointers) {
    has_hypernym = has_hypernym || p.symbol == "@";
    has_derivation_to_noun = has_derivation_to_noun || (p.symbol == "+" && p.target.pos == WordNetPos::Noun);
  }
  CHECK(has_hypernym);
  CHECK(has_derivation_to_noun);
  // Collocations use '_' and are found like single words.
  CHECK(wn->has_lemma(WordNetPos::Verb, "lie_down"));
  CHECK(wn->has_lemma_any_pos("stair"));
  CHECK_FALSE(wn->has_lemma_any_pos("xqzvv"));
  CHECK(wn->senses(WordNetPos::Noun, "xqzvv").empty());
  CHECK_THROWS_AS(wn->synset(SynsetId{WordNetPos::Noun, 5}), Error);  // not a line start
  CHECK(wn->fingerprint() == WordNet(WordNet::default_dir()).fingerprint());
}

TEST_CASE("wordnet: a missing database says to install wordnet-base", "[text][wordnet]") {
  const std::string empty_dir = test::make_temp_dir("wordnet_missing");
  try {
    WordNet wn(empty_dir);
    FAIL("expected Error(NotFound)");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
    CHECK_THAT(e.message(), Catch::Contains("wordnet-base"));
    CHECK_THAT(e.context().file, Catch::Contains("index.noun"));
  }
  CHECK(WordNet::shared_if_available(empty_dir) == nullptr);
  CHECK(WordNet::shared_if_available(WordNet::default_dir()) != nullptr);
}
