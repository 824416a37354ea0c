#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <zlib.h>

#include "common/error.h"
#include "tagger/text/text_tower.h"
#include "tagger/text/word_vectors.h"
#include "tagger/text/wordvec_tower.h"
#include "tests/support/test_paths.h"
#include "tests/unit/text/text_test_util.h"

using namespace imu2clip;
using test::cosine;

namespace {

// Four axes of meaning: motion, rest, food, and a distractor; words are unit-ish along them.
const char* kTinyVectors =
    "run 1 0 0 0\n"
    "jog 0.9 0.1 0 0\n"
    "walk 0.8 0.2 0.1 0\n"
    "sit 0 1 0 0\n"
    "lie 0 0.9 0 0.1\n"
    "eat 0 0 1 0\n"
    "soup 0.1 0 0.9 0\n"
    "pasta 0 0.1 0.9 0.1\n"
    "the 0.3 0.3 0.3 0.3\n";

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string write_gz(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size()));
  gzclose(f);
  return path;
}

WordVecTower tower_for(const std::string& path, const std::string& lemmatizer = "wordnet") {
  WordVecTowerParams p;
  p.path = path;
  p.lemmatizer = lemmatizer;
  return WordVecTower(p);
}

ErrorKind error_kind(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::Internal;
}

}  // namespace

TEST_CASE("wordvec-v1: phrase is the mean of unit word vectors, lemmatised, stopwords dropped", "[text][wordvec]") {
  const std::string dir = test::make_temp_dir("wordvec_tiny");
  const auto tower = tower_for(write_file(dir, "tiny.txt", kTinyVectors));
  CHECK(tower.dim() == 4);
  const auto run = tower.embed("run");
  CHECK(run[0] == Approx(1.0));
  CHECK(run[1] == Approx(0.0).margin(1e-7));
  // "jogging" and "running" are not in the file: morphy finds jog / run.
  CHECK(cosine(tower.embed("jogging"), tower.embed("running")) > cosine(tower.embed("jogging"), tower.embed("sitting")));
  CHECK(cosine(tower.embed("eating pasta"), tower.embed("eating soup")) >
        cosine(tower.embed("eating pasta"), tower.embed("lying")));
  // Mean of unit vectors: "run sit" lies halfway between run and sit.
  const auto mix = tower.embed("run sit");
  CHECK(mix[0] == Approx(mix[1]));
  CHECK(mix[0] == Approx(1.0 / std::sqrt(2.0)));
  // "the" has a vector but is a stopword.
  CHECK(tower.embed("the run") == run);
  CHECK(tower.embed("the") != run);  // a phrase of stopwords only keeps them
  CHECK(test::l2_norm(tower.embed("the")) == Approx(1.0));
  // Without the lemmatiser "running" is out of vocabulary.
  const auto plain = tower_for(tower.params().at("path"), "none");
  CHECK(plain.params().at("lemmatizer") == "none");
  CHECK(cosine(plain.embed("running"), run) < 0.9);
}

TEST_CASE("wordvec-v1: unknown words get character n-gram vectors at a small weight", "[text][wordvec]") {
  const std::string dir = test::make_temp_dir("wordvec_oov");
  const auto tower = tower_for(write_file(dir, "tiny.txt", kTinyVectors));
  const auto oov = tower.embed("xqzvv");
  CHECK(test::l2_norm(oov) == Approx(1.0).epsilon(1e-6));
  CHECK(oov == tower.embed("xqzvv"));
  CHECK(oov != tower.embed("blorf"));
  // A known word dominates an unknown one (weight 0.3 against 1).
  CHECK(cosine(tower.embed("run xqzvv"), tower.embed("run")) > 0.9);
  CHECK(test::l2_norm(tower.embed("")) == Approx(1.0).epsilon(1e-6));
  CHECK(tower.embed("") == tower.embed("?!"));
}

TEST_CASE("wordvec-v1: word2vec header, gzip and duplicate words", "[text][wordvec]") {
  const std::string dir = test::make_temp_dir("wordvec_formats");
  const std::string plain = write_file(dir, "plain.txt", kTinyVectors);
  const std::string w2v = write_file(dir, "w2v.txt", std::string("9 4\n") + kTinyVectors + "run 0 0 0 1\n");
  const std::string gz = write_gz(dir, "vectors.txt.gz", kTinyVectors);
  const WordVectors a(plain), b(w2v), c(gz);
  CHECK(a.size() == 9);
  CHECK(b.size() == 9);  // header skipped, duplicate "run" ignored (first wins)
  CHECK(c.size() == 9);
  for (const WordVectors* v : {&a, &b, &c}) {
    REQUIRE(v->dim() == 4);
    REQUIRE(v->find("run") != nullptr);
    CHECK(v->find("run")[0] == 1.0f);
    CHECK(v->find("pasta")[3] == Approx(0.1f));
    CHECK(v->find("running") == nullptr);
  }
  CHECK(a.content_hash() != c.content_hash());
  CHECK(a.content_hash().rfind("fnv1a64:", 0) == 0);
  CHECK(tower_for(gz).embed("eating soup") == tower_for(plain).embed("eating soup"));
}

TEST_CASE("wordvec-v1: params round-trip, and a changed file is rejected as corrupt", "[text][wordvec]") {
  const std::string dir = test::make_temp_dir("wordvec_params");
  const std::string path = write_file(dir, "tiny.txt", kTinyVectors);
  const auto tower = tower_for(path);
  const nlohmann::json params = tower.params();
  CHECK(params.at("path") == path);
  CHECK(params.at("dim") == 4);
  CHECK(params.at("content_hash") == WordVectors::hash_file(path));
  const auto rebuilt = make_text_tower("wordvec-v1", params);
  CHECK(rebuilt->params() == params);
  CHECK(rebuilt->embed("jogging and eating") == tower.embed("jogging and eating"));

  write_file(dir, "tiny.txt", std::string(kTinyVectors) + "swim 0.7 0 0 0.7\n");
  try {
    make_text_tower("wordvec-v1", params);
    FAIL("expected Error(Corrupt)");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Corrupt);
    CHECK_THAT(e.message(), Catch::Contains("changed"));
    CHECK(e.context().field == "content_hash");
  }
  // Without a recorded hash the new file is accepted (a new tower) and its hash recorded.
  nlohmann::json fresh = params;
  fresh.erase("content_hash");
  CHECK(make_text_tower("wordvec-v1", fresh)->params().at("content_hash") != params.at("content_hash"));
}

TEST_CASE("wordvec-v1: missing and malformed files", "[text][wordvec]") {
  const std::string dir = test::make_temp_dir("wordvec_errors");
  CHECK(error_kind([&] { make_text_tower("wordvec-v1", {{"path", dir + "/absent.txt"}}); }) == ErrorKind::NotFound);
  CHECK(error_kind([&] { make_text_tower("wordvec-v1", nlohmann::json::object()); }) == ErrorKind::InvalidInput);
  CHECK(error_kind([&] { make_text_tower("wordvec-v1", {{"path", 3}}); }) == ErrorKind::InvalidInput);
  const std::string ragged = write_file(dir, "ragged.txt", "run 1 0 0\nsit 0 1\n");
  try {
    WordVectors v(ragged);
    FAIL("expected Error(Corrupt)");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Corrupt);
    CHECK(e.context().line == 2);
  }
  CHECK(error_kind([&] { WordVectors(write_file(dir, "nan.txt", "run 1 x 0\n")); }) == ErrorKind::Corrupt);
  CHECK(error_kind([&] { WordVectors(write_file(dir, "empty.txt", "")); }) == ErrorKind::Corrupt);
  const std::string ok = write_file(dir, "ok.txt", kTinyVectors);
  CHECK(error_kind([&] { make_text_tower("wordvec-v1", {{"path", ok}, {"dim", 5}}); }) == ErrorKind::Corrupt);
  CHECK(error_kind([&] { make_text_tower("wordvec-v1", {{"path", ok}, {"lemmatizer", "porter"}}); }) ==
        ErrorKind::InvalidInput);
}

TEST_CASE("wordvec-v1: shared GloVe vectors give semantic neighbours", "[text][wordvec][shared]") {
  IMU2CLIP_REQUIRE_SHARED(glove, "text/glove.twitter.25d.12k.txt.gz");
  const auto tower = make_text_tower("wordvec-v1", {{"path", glove}});
  CHECK(tower->dim() == 25);
  auto cos = [&](const char* a, const char* b) { return cosine(tower->embed(a), tower->embed(b)); };
  CHECK(cos("eating pasta", "eating soup") > cos("eating pasta", "climbing stairs"));
  const auto e = tower->embed("walking upstairs");
  CHECK(test::l2_norm(e) == Approx(1.0).epsilon(1e-6));
  CHECK(e == make_text_tower("wordvec-v1", tower->params())->embed("walking upstairs"));
}
