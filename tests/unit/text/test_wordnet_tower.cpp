#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.h"
#include "tagger/text/lexical_tower.h"
#include "tagger/text/text_tower.h"
#include "tagger/text/wordnet_tower.h"
#include "tests/support/test_paths.h"
#include "tests/unit/text/text_test_util.h"

using namespace imu2clip;
using test::cosine;

TEST_CASE("wordnet-v1: semantic neighbours beat unrelated activities", "[text][wordnet]") {
  const WordNetTower tower;
  auto cos = [&](const char* a, const char* b) { return cosine(tower.embed(a), tower.embed(b)); };
  CHECK(cos("jogging", "running") > cos("jogging", "sitting"));
  CHECK(cos("eating pasta", "eating soup") > cos("eating pasta", "climbing stairs"));
  CHECK(cos("walking upstairs", "climbing stairs") > cos("walking upstairs", "lying down"));
  for (const char* bike : {"cycling", "biking"}) {
    INFO(bike);
    for (const char* other : {"sitting", "lying down", "eating soup", "brushing teeth", "typing", "standing"}) {
      INFO(other);
      CHECK(cos("riding a bike", bike) > cos("riding a bike", other));
    }
  }
}

TEST_CASE("wordnet-v1 vs lexical-v1: lexical fails where meaning differs from spelling", "[text][wordnet]") {
  // The comparison that motivates the semantic tower. lexical-v1 compares spellings, so it ranks
  // "jogging" closer to "sitting" (shared "-ing") than to "running", and "biking" closer to "sitting"
  // than to "cycling"; it passes "eating pasta" (shared word) and "walking upstairs" ("stairs").
  const LexicalTower lexical;
  const WordNetTower semantic;
  struct Triple {
    const char *anchor, *near, *far;
    bool lexical_passes;
  };
  const std::vector<Triple> triples = {
      {"jogging", "running", "sitting", false},
      {"biking", "cycling", "sitting", false},
      {"eating pasta", "eating soup", "climbing stairs", true},
      {"walking upstairs", "climbing stairs", "lying down", true},
  };
  for (const auto& t : triples) {
    INFO(t.anchor << " ~ " << t.near << " vs " << t.far);
    const auto margin = [&](const TextTower& tower) {
      const auto a = tower.embed(t.anchor);
      return cosine(a, tower.embed(t.near)) - cosine(a, tower.embed(t.far));
    };
    CHECK((margin(lexical) > 0) == t.lexical_passes);
    CHECK(margin(semantic) > 0);
  }
}

TEST_CASE("wordnet-v1: unit norm, deterministic, golden coordinates", "[text][wordnet]") {
  const WordNetTower tower;
  CHECK(tower.dim() == 512);
  for (const char* phrase : {"walking", "a person lying down on the sofa", "xqzvv blorf", "the", "", "?!"}) {
    INFO(phrase);
    const auto e = tower.embed(phrase);
    REQUIRE(e.size() == 512);
    CHECK(test::l2_norm(e) == Approx(1.0).epsilon(1e-6));
    CHECK(e == WordNetTower().embed(phrase));
  }
  CHECK(tower.embed("Walking, UPSTAIRS!") == tower.embed("walking upstairs"));
  CHECK(tower.embed("") == tower.embed("?!"));
  // Pinned from a first run: these change only if the definition of "wordnet-v1" changes (then
  // change the id instead) or the WordNet database differs (the params fingerprint catches that).
  const auto w = tower.embed("walking upstairs");
  CHECK(w[0] == Approx(0.048335176).margin(1e-6));
  CHECK(w[1] == Approx(-0.0427194126).margin(1e-6));
  CHECK(w[511] == Approx(0.0522527546).margin(1e-6));
}

TEST_CASE("wordnet-v1: unknown words still match themselves", "[text][wordnet]") {
  const WordNetTower tower;
  const auto a = tower.embed("blorfing");
  CHECK(cosine(a, tower.embed("blorfing")) == Approx(1.0));
  CHECK(cosine(a, tower.embed("blorfing quickly")) > cosine(a, tower.embed("sitting quietly")));
  // Stopwords are dropped, so fillers do not change the meaning ...
  CHECK(cosine(tower.embed("a person walking"), tower.embed("walking")) > 0.99);
  // ... but particles are kept: sitting down and sitting up differ.
  CHECK(cosine(tower.embed("sitting down"), tower.embed("sitting up")) < 0.95);
}

TEST_CASE("wordnet-v1: params round-trip through make_text_tower", "[text][wordnet]") {
  const WordNetTower tower(WordNetTowerParams::from_json({{"dim", 64}, {"seed", 7}, {"hypernym_depth", 1}}));
  const nlohmann::json params = tower.params();
  CHECK(params.at("dim") == 64);
  CHECK(params.at("seed") == 7);
  CHECK(params.at("hypernym_depth") == 1);
  CHECK(params.at("max_senses") == 3);
  CHECK(params.at("wordnet_dir").get<std::string>().size() > 0);
  CHECK(params.at("wordnet_fingerprint").get<std::string>().size() == 16);
  const auto rebuilt = make_text_tower("wordnet-v1", params);
  CHECK(rebuilt->id() == "wordnet-v1");
  CHECK(rebuilt->params() == params);
  CHECK(rebuilt->embed("climbing stairs") == tower.embed("climbing stairs"));
  const auto ids = text_tower_ids();
  CHECK(std::find(ids.begin(), ids.end(), "wordnet-v1") != ids.end());
}

TEST_CASE("wordnet-v1: bad params and a different database are rejected", "[text][wordnet]") {
  auto kind_of = [](const nlohmann::json& params) {
    try {
      make_text_tower("wordnet-v1", params);
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::Internal;
  };
  CHECK(kind_of({{"dim", 0}}) == ErrorKind::InvalidInput);
  CHECK(kind_of({{"hypernym_depth", -1}}) == ErrorKind::InvalidInput);
  CHECK(kind_of({{"colour", "blue"}}) == ErrorKind::InvalidInput);
  CHECK(kind_of(nlohmann::json::array()) == ErrorKind::InvalidInput);
  CHECK(kind_of({{"wordnet_fingerprint", "0123456789abcdef"}}) == ErrorKind::Corrupt);
}

TEST_CASE("wordnet-v1: missing WordNet files say to install wordnet-base", "[text][wordnet]") {
  const test::ScopedEnv env("IMU2CLIP_WORDNET_DIR", test::make_temp_dir("no_wordnet"));
  try {
    WordNetTower tower;
    FAIL("expected Error(NotFound)");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
    CHECK_THAT(e.message(), Catch::Contains("install the Debian package wordnet-base"));
  }
  // The environment variable also overrides the directory a bundle recorded.
  CHECK_THROWS_AS(make_text_tower("wordnet-v1", {{"wordnet_dir", "/usr/share/wordnet"}}), Error);
}
