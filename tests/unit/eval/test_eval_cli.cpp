// `imu2clip eval` through the real binary on a tiny dataset and a small untrained bundle.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "tagger/model/bundle.h"
#include "tests/integration/process.h"
#include "tests/support/test_paths.h"
#include "tests/unit/eval/tiny_dataset.h"

using namespace imu2clip;
using namespace imu2clip::test;
using Catch::Detail::Approx;

namespace {

struct Fixture {
  std::string dir, data, model;
  Fixture() : dir(make_temp_dir("eval-cli")), data(dir + "/tiny"), model(dir + "/model.safetensors") {
    write_tiny_dataset(data);
    ModelBundle b = make_tiny_bundle();
    save_bundle(model, b);
  }
};

nlohmann::json run_json(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {imu2clip_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = run_process(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);   // exactly one JSON object on stdout
}

}  // namespace

TEST_CASE("eval classify --mode zeroshot --json prints one report object", "[eval][cli]") {
  Fixture f;
  const nlohmann::json j = run_json({"eval", "classify", "--model", f.model, "--data", f.data, "--split", "test",
                                     "--mode", "zeroshot", "--json"});
  CHECK(j.at("n") == 2 * kTinyLabelledWindowsPerRecording);
  CHECK(j.at("mode") == "zeroshot");
  CHECK(j.at("split") == "test");
  CHECK(j.at("dataset") == "tiny");
  CHECK(j.at("model_id") == load_bundle(f.model).model_id);
  CHECK(j.at("labels") == nlohmann::json({"shaking", "sitting still"}));
  CHECK(j.at("accuracy").get<double>() >= 0.0);
  CHECK(j.at("accuracy").get<double>() <= 1.0);
  CHECK(j.at("macro_f1").is_number());
  REQUIRE(j.at("per_class").size() == 2);
  CHECK(j.at("per_class")[0].at("support") == kTinyLabelledWindowsPerRecording);
  REQUIRE(j.at("confusion").size() == 2);
  CHECK(j.at("confusion")[0].at(0).get<int>() + j.at("confusion")[0].at(1).get<int>() ==
        kTinyLabelledWindowsPerRecording);

  // --labels FILE restricts the windows; --split all takes every recording (7 of them).
  std::ofstream(f.dir + "/labels.txt") << "# one phrase per line\nshaking\n";
  const nlohmann::json all = run_json({"eval", "classify", "--model", f.model, "--data", f.data, "--split", "all",
                                       "--labels", f.dir + "/labels.txt", "--json"});
  CHECK(all.at("n") == 7 * kTinyLabelledWindowsPerRecording / 2);
  CHECK(all.at("labels") == nlohmann::json({"shaking"}));
}

TEST_CASE("eval retrieval --json scores the whole test pool both ways", "[eval][cli]") {
  Fixture f;
  const nlohmann::json j = run_json({"eval", "retrieval", "--model", f.model, "--data", f.data, "--json"});
  CHECK(j.at("n") == 2 * kTinyLabelledWindowsPerRecording);
  CHECK(j.at("distinct_texts") == 2);
  CHECK(j.at("split") == "test");
  CHECK(j.at("model_id") == load_bundle(f.model).model_id);
  for (const char* direction : {"imu_to_text", "text_to_imu"}) {
    INFO(direction);
    const auto& strict = j.at(direction).at("strict");
    CHECK(strict.at("queries") == 2 * kTinyLabelledWindowsPerRecording);
    // 18 windows share each phrase, so their texts tie: the strict positive is at best one of
    // 18 tied items (R@1 <= 1/18), and all 36 items fit in the top 50.
    CHECK(strict.at("r1").get<double>() <= 1.0 / 18 + 1e-9);
    CHECK(strict.at("r50").get<double>() == Approx(1.0));
    CHECK(j.at(direction).at("same_text").at("r50").get<double>() == Approx(1.0));
  }
  // IMU->text with same-text positives: the 18 copies of the window's own phrase tie, so a
  // window ranks 1 (its phrase scores higher) or 19 (after the other phrase's 18 copies).
  const auto& same = j.at("imu_to_text").at("same_text");
  const double r1 = same.at("r1").get<double>();
  CHECK(same.at("r10").get<double>() == Approx(r1));
  CHECK(same.at("mrr").get<double>() == Approx(r1 + (1 - r1) / 19));
  // ... and ranking its own phrase first is exactly a correct zero-shot prediction.
  const nlohmann::json zs = run_json({"eval", "classify", "--model", f.model, "--data", f.data, "--json"});
  CHECK(zs.at("accuracy").get<double>() == Approx(r1));
  CHECK(j.at("video").contains("skipped"));
}

TEST_CASE("eval prints tables on a terminal and rejects an unknown split", "[eval][cli]") {
  Fixture f;
  ProcessResult r = run_process({imu2clip_binary(), "eval", "classify", "--model", f.model, "--data", f.data});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("macro-F1") != std::string::npos);
  CHECK(r.out.find("confusion") != std::string::npos);
  r = run_process({imu2clip_binary(), "eval", "retrieval", "--model", f.model, "--data", f.data, "--split", "nope"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--split") != std::string::npos);
}
