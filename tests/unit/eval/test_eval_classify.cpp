// Evaluation on a tiny synthetic dataset: the majority-label rule, zero-shot plumbing, and
// linear probe / fine-tune training that must learn a trivially separable task.
#include <catch2/catch.hpp>

#include <fstream>

#include "common/error.h"
#include "tagger/eval/classify_eval.h"
#include "tagger/eval/eval_windows.h"
#include "tagger/model/bundle.h"
#include "tests/support/test_paths.h"
#include "tests/unit/eval/tiny_dataset.h"

using namespace imu2clip;
using namespace imu2clip::test;
using Catch::Detail::Approx;

TEST_CASE("a window takes the label covering more than half of it, else it is left out", "[eval]") {
  const std::string dir = make_temp_dir("eval-majority");
  std::filesystem::create_directories(dir + "/recordings");
  {
    std::ofstream f(dir + "/recordings/r0.csv");
    f << "t_ms,ax,ay,az,gx,gy,gz\n";
    for (int i = 0; i < 300; ++i) f << i * 20 << ",0,0,9.8,0,0,0\n";   // 6 s at 50 Hz
  }
  // Window 0 (0-2 s): "standing" on 60 of 100 samples, "walking" on 40 -> standing.
  // Window 1 (2-4 s): "walking" throughout. Window 2 (4-6 s): "sitting" on exactly half -> no label.
  std::ofstream(dir + "/labels.csv") << "recording_id,start_ms,end_ms,label\n"
                                        "r0,0,1180,standing\nr0,1200,3980,walking\nr0,4000,4980,sitting\n";
  std::ofstream(dir + "/manifest.json")
      << R"({"name": "majority", "recordings": [{"id": "r0", "subject": "s0", "file": "recordings/r0.csv",
            "split": "test", "start_epoch_ms": null}]})";
  const ModelBundle bundle = make_tiny_bundle();
  const LabelledWindows w = load_eval_windows(dir, bundle, EvalDataOptions{});
  REQUIRE(w.size() == 2);
  CHECK(w.labels[static_cast<size_t>(w.label[0])] == "standing");
  CHECK(w.start_s[0] == Approx(0.0));
  CHECK(w.labels[static_cast<size_t>(w.label[1])] == "walking");
  CHECK(w.start_s[1] == Approx(2.0));
  CHECK(w.samples == kTinyWindowSamples);

  EvalDataOptions train;
  train.split = "train";
  CHECK_THROWS_AS(load_eval_windows(dir, bundle, train), Error);
}

TEST_CASE("zero-shot classification scores every labelled test window against the dataset's labels", "[eval]") {
  const std::string dir = make_temp_dir("eval-zeroshot");
  write_tiny_dataset(dir);
  ClassifyOptions o;
  o.mode = ClassifyMode::ZeroShot;
  o.dataset_dir = dir;
  const ClassifyResult r = run_classify(make_tiny_bundle(), o);
  CHECK(r.dataset == "tiny");
  CHECK(r.report.n == 2 * kTinyLabelledWindowsPerRecording);
  CHECK(r.report.labels == std::vector<std::string>{"shaking", "sitting still"});
  CHECK(r.report.per_class[0].support == kTinyLabelledWindowsPerRecording);
  CHECK(r.report.per_class[0].predicted + r.report.per_class[1].predicted == r.report.n);

  // Restricting the candidates drops the other label's windows.
  o.labels = {"shaking"};
  const ClassifyResult only = run_classify(make_tiny_bundle(), o);
  CHECK(only.report.n == kTinyLabelledWindowsPerRecording);
  CHECK(only.report.accuracy == Approx(1.0));   // one candidate: every window is "shaking"
  o.labels = {"swimming"};
  CHECK_THROWS_AS(run_classify(make_tiny_bundle(), o), Error);
}

TEST_CASE("a linear probe learns still vs shaking from a frozen encoder", "[eval][train]") {
  const std::string dir = make_temp_dir("eval-probe");
  write_tiny_dataset(dir);
  ClassifyOptions o;
  o.mode = ClassifyMode::Probe;
  o.dataset_dir = dir;
  o.seed = 3;
  o.epochs = 30;
  const ClassifyResult r = run_classify(make_tiny_bundle(), o);
  CHECK(r.report.n == 2 * kTinyLabelledWindowsPerRecording);
  CHECK(r.report.accuracy >= 0.95);
  CHECK(r.report.macro_f1 >= 0.95);
  const auto& t = r.details.at("training");
  CHECK(t.at("train_windows").get<int>() > 100);   // 4 recordings, half-window stride
  CHECK(t.at("val_windows").get<int>() > 0);
  CHECK(t.at("selected_by") == "val macro-F1");
  CHECK(t.at("history").size() == 30);
}

TEST_CASE("fine-tuning a vanilla encoder learns still vs shaking", "[eval][train]") {
  const std::string dir = make_temp_dir("eval-finetune");
  write_tiny_dataset(dir);
  ClassifyOptions o;
  o.mode = ClassifyMode::Finetune;
  o.vanilla = true;
  o.dataset_dir = dir;
  o.epochs = 4;
  const ClassifyResult r = run_classify(make_tiny_bundle(), o);
  CHECK(r.report.accuracy >= 0.95);
  CHECK(r.details.at("training").at("encoder_lr").get<double>() == Approx(1e-3));
  CHECK(r.details.at("vanilla") == true);
}
