#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/text/label_file.h"
#include "tagger/text/label_map.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {

std::string write(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::string& vocab, const std::string& map) {
  try {
    read_label_map(vocab, map);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a label map sends dataset labels to vocabulary activities or to nothing") {
  const auto dir = test::make_temp_dir("label_map");
  const auto vocab = write(dir, "activities.txt", "# everyday words\nwalking\nrunning\n");
  const auto map = write(dir, "map.tsv",
                         "# reviewed\ndataset\tlabel\tactivity\nwisdm\tjogging\trunning\n"
                         "dsads\trunning on a treadmill\trunning\nhapt\tsitting down\t-\n");
  const LabelMap m = read_label_map(vocab, map);
  CHECK(m.activities == std::vector<std::string>{"walking", "running"});
  CHECK(m.find("wisdm", "jogging") == std::optional<std::string>("running"));
  CHECK(m.find("dsads", "running on a treadmill") == std::optional<std::string>("running"));
  CHECK(m.find("hapt", "sitting down") == std::optional<std::string>(""));   // maps to nothing
  CHECK_FALSE(m.find("hapt", "walking").has_value());                        // not listed
  CHECK(m.has_dataset("hapt"));
  CHECK_FALSE(m.has_dataset("motionsense"));
  // The bundle form round-trips.
  const LabelMap back = LabelMap::from_json(m.to_json(), "test");
  CHECK(back.activities == m.activities);
  CHECK(back.entries == m.entries);
}

TEST_CASE("a malformed label map names the file, the line and what to do") {
  const auto dir = test::make_temp_dir("label_map_bad");
  const auto vocab = write(dir, "activities.txt", "walking\nrunning\n");
  CHECK_THAT(error_of(vocab, write(dir, "a.tsv", "dataset\tlabel\tactivity\nwisdm\tjogging\tjogging\n")),
             Catch::Contains("a.tsv:2") && Catch::Contains("'jogging' is not in the vocabulary"));
  CHECK_THAT(error_of(vocab, write(dir, "b.tsv", "dataset\tlabel\tactivity\nwisdm\tjogging\trunning\nwisdm\tjogging\t-\n")),
             Catch::Contains("b.tsv:3") && Catch::Contains("mapped twice"));
  CHECK_THAT(error_of(vocab, write(dir, "c.tsv", "dataset,label,activity\n")), Catch::Contains("header"));
  CHECK_THAT(error_of(vocab, write(dir, "d.tsv", "dataset\tlabel\tactivity\nwisdm\tjogging\n")),
             Catch::Contains("d.tsv:2") && Catch::Contains("three tab-separated columns"));
  CHECK_THAT(error_of(vocab, write(dir, "e.tsv", "dataset\tlabel\tactivity\n")), Catch::Contains("no rows"));
}

TEST_CASE("the shipped vocabulary and map are complete and consistent", "[vocabulary]") {
  const std::string root = test::source_dir();
  const LabelMap m = read_label_map(root + "/models/vocabulary/activities.txt", root + "/models/vocabulary/label_map.tsv");
  // Every activity of the vocabulary is backed by at least one dataset label: the log never
  // uses a word no training data stands behind.
  std::set<std::string> used;
  for (const auto& [key, activity] : m.entries)
    if (!activity.empty()) used.insert(activity);
  for (const auto& a : m.activities) CHECK(used.count(a) == 1);
  // The protocol labels that leaked into logs before map to nothing.
  CHECK(m.find("classyglass", "doing a timed up and go test") == std::optional<std::string>(""));
  CHECK(m.find("classyglass", "putting on and taking off the glasses while sitting") == std::optional<std::string>(""));
  // Synonyms become one phrase.
  CHECK(m.find("wisdm", "jogging") == m.find("classyglass", "running"));
  CHECK(m.find("hapt", "walking upstairs") == m.find("wisdm", "climbing stairs"));
  for (const char* ds : {"hapt", "wisdm", "classyglass", "spsw", "motionsense", "dsads_torso", "dsads_leg"})
    CHECK(m.has_dataset(ds));
}
