#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "tagger/dataset/window_dataset.h"
#include "tests/support/test_paths.h"
#include "tests/unit/dataset/synthetic_dataset.h"

using namespace imu2clip;

namespace {

std::vector<std::string> labels_of(const LabelledWindows& w) {
  std::vector<std::string> out;
  for (int l : w.label) out.push_back(l < 0 ? "-" : w.labels[l]);
  return out;
}

}  // namespace

TEST_CASE("windows get the label covering most of their span") {
  const auto dir = test::make_temp_dir("dataset_majority");
  test::write_synthetic_dataset(dir);
  WindowDatasetOptions o;
  o.splits = {"train"};
  const auto w = load_labelled_windows(dir, o);
  CHECK(w.dataset == "synth");
  CHECK(w.samples == 250);
  CHECK(w.labels == std::vector<std::string>{"sitting", "standing", "walking"});  // whole labels.csv, sorted
  // Starts 0, 2.5, ..., 15 s; walking covers 0-6 s: 100 %, 70 %, 20 % of the first three.
  CHECK(labels_of(w) ==
        std::vector<std::string>{"walking", "walking", "sitting", "sitting", "sitting", "sitting", "sitting"});
  REQUIRE(w.start_s.size() == 7);
  CHECK(w.start_s[1] == Approx(2.5));
  // ax is the time: the window's first ax sample is its start time.
  CHECK(w.window(1)[0] == Approx(2.5).margin(0.01));
  CHECK(w.window(1)[249] == Approx(2.5 + 249 * 0.02).margin(0.01));
  CHECK(w.window(1)[2 * 250] == Approx(9.81f));  // az channel follows ax and ay
  CHECK(w.recording_ids == std::vector<std::string>{"r1"});
  CHECK(w.recording_subjects == std::vector<std::string>{"s1"});
  CHECK(w.recording_splits == std::vector<std::string>{"train"});
}

TEST_CASE("windows without a majority label are dropped unless kept as -1") {
  const auto dir = test::make_temp_dir("dataset_unlabelled");
  test::write_synthetic_dataset(dir);
  WindowDatasetOptions o;
  o.splits = {"val"};
  CHECK(load_labelled_windows(dir, o).size() == 0);  // standing covers 2 of 5 s: 40 %, not a majority
  o.keep_unlabelled = true;
  const auto kept = load_labelled_windows(dir, o);
  CHECK(kept.size() == 7);
  for (int l : kept.label) CHECK(l == -1);
  o.min_label_fraction = 0.3;
  const auto loose = load_labelled_windows(dir, o);
  CHECK(labels_of(loose)[0] == "standing");
}

TEST_CASE("the window cache returns identical windows and follows file changes") {
  const auto dir = test::make_temp_dir("dataset_cache");
  test::write_synthetic_dataset(dir);
  WindowDatasetOptions o;
  o.cache_dir = dir + "/cache";
  const auto first = load_labelled_windows(dir, o);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(o.cache_dir)) files.push_back(e.path());
  REQUIRE(files.size() == 1);
  const auto second = load_labelled_windows(dir, o);
  CHECK(second.data == first.data);
  CHECK(second.label == first.label);
  CHECK(second.labels == first.labels);
  CHECK(second.recording == first.recording);
  CHECK(second.recording_ids == first.recording_ids);
  CHECK(second.recording_splits == first.recording_splits);
  CHECK(second.start_s == first.start_s);
  CHECK(second.samples == first.samples);

  // A damaged cache is rebuilt, not trusted.
  std::filesystem::resize_file(files[0], std::filesystem::file_size(files[0]) / 2);
  CHECK(load_labelled_windows(dir, o).data == first.data);

  // Different options -> a different cache entry.
  o.stride_s = 5;
  CHECK(load_labelled_windows(dir, o).size() == 4);
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(o.cache_dir)) entries += e.path().extension() == ".windows";
  CHECK(entries == 2);
}

TEST_CASE("filter_labels, append_windows and take_windows re-index labels") {
  const auto dir = test::make_temp_dir("dataset_ops");
  test::write_synthetic_dataset(dir);
  WindowDatasetOptions o;
  o.splits = {"train"};
  const auto w = load_labelled_windows(dir, o);
  const auto only = filter_labels(w, {"walking"});
  CHECK(only.size() == 2);
  CHECK(only.labels == std::vector<std::string>{"walking"});
  CHECK(only.label == std::vector<int>{0, 0});
  CHECK(std::equal(only.window(1), only.window(1) + 1500, w.window(1)));

  LabelledWindows merged = filter_labels(w, {"walking"});
  auto other = filter_labels(w, {"sitting"});
  other.dataset = "other";
  append_windows(merged, other);
  CHECK(merged.size() == 7);
  CHECK(merged.labels == std::vector<std::string>{"sitting", "walking"});
  CHECK(labels_of(merged) == labels_of(w));
  CHECK(merged.recording_ids == std::vector<std::string>{"r1", "other/r1"});

  const auto slice = take_windows(w, 3);
  CHECK(slice.size() == 3);
  CHECK(slice.start_s == std::vector<double>{0, 2.5, 5});
}

TEST_CASE("bad dataset options and folders give clear errors") {
  const auto dir = test::make_temp_dir("dataset_errors");
  WindowDatasetOptions o;
  o.stride_s = 0;
  CHECK_THROWS_AS(load_labelled_windows(dir, o), Error);
  o = {};
  std::filesystem::create_directories(dir + "/recordings");
  try {
    load_labelled_windows(dir, o);
    FAIL("expected an error for a folder without manifest.json");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("manifest.json") != std::string::npos);
  }
}

TEST_CASE("hapt train windows carry HAPT's activity labels", "[shared]") {
  IMU2CLIP_REQUIRE_SHARED(hapt, "imu/hapt");
  WindowDatasetOptions o;
  o.splits = {"val"};
  const auto w = load_labelled_windows(hapt, o);
  REQUIRE(w.size() > 100);
  CHECK(w.labels.size() == 12);
  CHECK(std::find(w.labels.begin(), w.labels.end(), "walking") != w.labels.end());
  for (const auto& s : w.recording_splits) CHECK(s == "val");
  for (float v : w.data) REQUIRE(std::isfinite(v));
}

TEST_CASE("a label map relabels windows with everyday activities and refuses unreviewed labels") {
  const auto dir = test::make_temp_dir("dataset_label_map");
  test::write_synthetic_dataset(dir);
  WindowDatasetOptions o;
  o.splits = {"train"};
  const auto w = load_labelled_windows(dir, o);   // r1: walking then sitting
  LabelMap map;
  map.activities = {"running", "sitting", "walking"};
  map.entries[{"synth", "walking"}] = "walking";
  map.entries[{"synth", "sitting"}] = "";          // maps to nothing
  map.entries[{"synth", "standing"}] = "sitting";
  const auto mapped = apply_label_map(w, map);
  CHECK(mapped.labels == map.activities);         // vocabulary order, absent activities included
  size_t walking = 0;
  for (size_t i = 0; i < w.size(); ++i) walking += labels_of(w)[i] == "walking";
  CHECK(mapped.size() == walking);                // the sitting windows are gone
  for (int l : mapped.label) CHECK(l == 2);
  const auto kept = apply_label_map(w, map, /*keep_unmapped=*/true);
  CHECK(kept.size() == w.size());
  CHECK(std::count(kept.label.begin(), kept.label.end(), -1) == static_cast<long>(w.size() - walking));

  LabelMap missing_label = map;
  missing_label.entries.erase({"synth", "walking"});
  CHECK_THROWS_WITH(apply_label_map(w, missing_label), Catch::Contains("does not list 'synth' label 'walking'"));
  LabelMap other_dataset;
  other_dataset.activities = {"walking"};
  other_dataset.entries[{"hapt", "walking"}] = "walking";
  CHECK_THROWS_WITH(apply_label_map(w, other_dataset), Catch::Contains("no rows for dataset 'synth'"));
}
