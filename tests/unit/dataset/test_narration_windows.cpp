#include <catch2/catch.hpp>

#include "common/error.h"
#include "tagger/dataset/narration_windows.h"
#include "tagger/model/safetensors.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

TEST_CASE("narrations are cleaned like the paper's code") {
  CHECK(clean_narration("#C C picks a cup from the table.") == "picks a cup from the table");
  CHECK(clean_narration("#C C sits reading a book") == "sits reading a book");
  CHECK(clean_narration("#O A man X talks to C") == "a man x talks to c");
  CHECK(clean_narration("#C C holds #unsure in his hand") == "holds something in his hand");
  CHECK(clean_narration("#C C opens the fridge's door!!") == "opens the fridges door");
  CHECK(clean_narration("  #C C   Walks,   around. ") == "walks around");
  CHECK(clean_narration("#C").empty());
}

TEST_CASE("video embeddings are found by the nearest time of the same video") {
  const auto dir = test::make_temp_dir("video_emb");
  SafetensorsFile f;
  const float a[2] = {1, 0}, b[2] = {0, 1}, c[2] = {0.5f, 0.5f};
  f.tensors["vid1@1000"] = tensor_from_f32({2}, a, DType::F32);
  f.tensors["vid1@3000"] = tensor_from_f32({2}, b, DType::F16);
  f.tensors["vid2@1000"] = tensor_from_f32({2}, c, DType::F32);
  write_safetensors(dir + "/v.safetensors", f);
  const auto e = VideoEmbeddings::load(dir + "/v.safetensors");
  CHECK(e.dim() == 2);
  CHECK(e.size() == 3);
  REQUIRE(e.nearest("vid1", 1.9, 1.0) != nullptr);
  CHECK(e.nearest("vid1", 1.9, 1.0)[0] == 1.0f);
  CHECK(e.nearest("vid1", 2.1, 1.0)[1] == 1.0f);
  CHECK(e.nearest("vid1", 5.0, 1.0) == nullptr);  // too far from any frame
  CHECK(e.nearest("vid3", 1.0, 1.0) == nullptr);

  SafetensorsFile bad;
  bad.tensors["no-time"] = tensor_from_f32({2}, a, DType::F32);
  write_safetensors(dir + "/bad.safetensors", bad);
  CHECK_THROWS_AS(VideoEmbeddings::load(dir + "/bad.safetensors"), Error);
}

TEST_CASE("ego4d narrations give windows centred on their times", "[shared]") {
  IMU2CLIP_REQUIRE_SHARED(ego4d, "ego4d_mini");
  NarrationWindowOptions o;
  o.max_windows = 40;
  const auto w = load_narration_windows(ego4d, o);
  REQUIRE(w.size() == 40);
  CHECK(w.samples == 250);
  for (size_t i = 0; i < w.size(); ++i) {
    CHECK(w.text[i].find('#') == std::string::npos);
    CHECK(!w.text[i].empty());
    CHECK(w.time_s[i] >= 2.5);  // a centred 5 s window needs 2.5 s of signal before it
  }
  CHECK(w.text[0] == "sits reading a book");
}
