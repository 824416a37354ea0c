#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/lexical_tower.h"
#include "tagger/text/text_tower.h"
#include "tagger/text/tower_probe.h"
#include "tagger/text/wordnet_tower.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {

struct ParaphraseRow {
  std::string dataset, query, label;
};

std::vector<ParaphraseRow> read_paraphrases() {
  const std::string path = test::source_dir() + "/tests/unit/text/data/paraphrase_queries.tsv";
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<ParaphraseRow> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::istringstream fields(line);
    ParaphraseRow r;
    std::getline(fields, r.dataset, '\t');
    std::getline(fields, r.query, '\t');
    std::getline(fields, r.label, '\t');
    rows.push_back(r);
  }
  return rows;
}

}  // namespace

TEST_CASE("tower_probe: top-1 accuracy counts nearest candidates", "[text][probe]") {
  const LexicalTower tower;
  const std::vector<ProbeQuery> queries = {
      {"walking up", {"sitting", "walking upstairs", "lying down"}, 1},      // spelling overlap: right
      {"walk", {"walking", "talking"}, 0},                                   // right
      {"strolling", {"walking", "strolling"}, 0},                            // wrong: lexical picks "strolling"
  };
  const ProbeResult r = probe_top1(tower, queries);
  CHECK(r.total == 3);
  CHECK(r.correct == 2);
  CHECK(r.predicted == std::vector<size_t>{1, 0, 1});
  CHECK(r.accuracy() == Approx(2.0 / 3.0));
  CHECK(probe_top1(tower, queries, default_prompt_templates()).total == 3);
  CHECK(probe_top1(tower, {}).accuracy() == 0.0);
  CHECK_THROWS_AS(probe_top1(tower, {{"walk", {"walking"}, 1}}), Error);
  CHECK_THROWS_AS(probe_top1(tower, {{"walk", {}, 0}}), Error);
}

TEST_CASE("tower_probe: paraphrase queries against the shared label sets", "[text][probe][shared]") {
  IMU2CLIP_REQUIRE_SHARED(imu, "imu");
  const auto rows = read_paraphrases();
  REQUIRE(rows.size() >= 40);
  std::map<std::string, std::vector<std::string>> label_sets;
  std::vector<ProbeQuery> queries;
  for (const auto& r : rows) {
    INFO(r.dataset << ": " << r.query << " -> " << r.label);
    if (!label_sets.count(r.dataset)) {
      std::ifstream in(imu + "/" + r.dataset + "/manifest.json");
      REQUIRE(in);
      label_sets[r.dataset] = nlohmann::json::parse(in).at("label_set").get<std::vector<std::string>>();
    }
    const auto& labels = label_sets[r.dataset];
    const auto it = std::find(labels.begin(), labels.end(), r.label);
    REQUIRE(it != labels.end());  // the query file names labels exactly as the manifests do
    queries.push_back({r.query, labels, static_cast<size_t>(it - labels.begin())});
  }

  std::vector<std::pair<std::string, std::unique_ptr<TextTower>>> towers;
  towers.emplace_back("lexical-v1", make_text_tower("lexical-v1", nullptr));
  towers.emplace_back("wordnet-v1", make_text_tower("wordnet-v1", nullptr));
  const std::string glove = *imu_root + "/text/glove.twitter.25d.12k.txt.gz";
  if (std::ifstream(glove)) towers.emplace_back("wordvec-v1 (GloVe twitter 25d)", make_text_tower("wordvec-v1", {{"path", glove}}));

  std::map<std::string, double> plain;
  std::printf("paraphrase top-1 over %zu queries   plain   prompt-ensemble\n", queries.size());
  for (const auto& [name, tower] : towers) {
    const ProbeResult p = probe_top1(*tower, queries);
    const ProbeResult t = probe_top1(*tower, queries, default_prompt_templates());
    plain[name] = p.accuracy();
    std::printf("%-32s %5.3f   %5.3f\n", name.c_str(), p.accuracy(), t.accuracy());
    if (std::getenv("IMU2CLIP_PROBE_VERBOSE")) {
      for (size_t i = 0; i < queries.size(); ++i) {
        std::printf("  %s %-45s -> %s\n", p.predicted[i] == queries[i].correct ? "ok  " : "MISS", queries[i].query.c_str(),
                    queries[i].candidates[p.predicted[i]].c_str());
      }
    }
  }
  CHECK(plain.size() >= 2);
}
