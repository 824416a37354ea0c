// CLIP's TorchScript towers with tiny stand-ins of the same interface (tests/support/tiny_clip.h):
// config reading, tokens as the text tower sees them, batching, image preprocessing, the tower factory.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/model/clip_config.h"
#include "tagger/model/clip_preprocess.h"
#include "tagger/model/clip_towers.h"
#include "tagger/model/text_towers.h"
#include "tagger/text/label_bank.h"
#include "tests/support/test_paths.h"
#include "tests/support/tiny_clip.h"

using namespace imu2clip;

namespace {

std::vector<float> unit(std::vector<double> v) {
  double n = 0;
  for (double x : v) n += x * x;
  std::vector<float> out;
  for (double x : v) out.push_back(static_cast<float>(x / std::sqrt(n)));
  return out;
}

void check_close(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == Approx(b[i]).margin(1e-6));
}

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("no Error thrown");
  return ErrorKind::Internal;
}

RgbImage solid(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  RgbImage im{w, h, {}};
  for (int i = 0; i < w * h; ++i) im.pixels.insert(im.pixels.end(), {r, g, b});
  return im;
}

}  // namespace

TEST_CASE("clip text tower: start, ids, end, zero padding to the context length, unit output", "[model][clip]") {
  const auto dir = test::make_temp_dir("clip_text");
  test::write_tiny_clip(dir);
  ClipTextTower tower(nlohmann::json{{"dir", dir}});
  CHECK(tower.id() == "clip");
  CHECK(tower.dim() == 3);
  // "walk" -> [518, 514, 519, 0, 0, 0, 0, 0]: sum 1551, the end token at 2, first id 514.
  check_close(tower.embed("walk"), unit({1551, 2, 514}));
  // Truncated to 8: start, six ids, end (519 is the largest id, at 7).
  const auto many = tower.embed("walk walk walk walk walk walk walk walk walk");
  check_close(many, unit({518 + 6 * 514 + 519, 7, 514}));
  // A batch gives each text the row it gets alone.
  const auto rows = tower.embed_batch({"walk", "walking walk", ""});
  REQUIRE(rows.size() == 3);
  check_close(rows[0], tower.embed("walk"));
  check_close(rows[1], tower.embed("walking walk"));
  check_close(rows[2], unit({518 + 519, 1, 519}));
}

TEST_CASE("clip text tower: params rebuild the same tower, a label bank builds like any tower's", "[model][clip]") {
  const auto dir = test::make_temp_dir("clip_params");
  test::write_tiny_clip(dir);
  const auto tower = build_text_tower("clip:" + dir, nlohmann::json::object());
  const auto params = tower->params();
  CHECK(params.at("dim") == 3);
  CHECK(params.at("model") == "tiny-exact");
  CHECK(std::filesystem::path(params.at("dir").get<std::string>()).is_absolute());
  const auto rebuilt = build_text_tower(tower->id(), params);
  CHECK(rebuilt->embed("walking") == tower->embed("walking"));
  // Offline ids still work through the same factory.
  CHECK(build_text_tower("lexical-v1", {{"dim", 16}})->dim() == 16);
  const auto bank = LabelBank::build(*tower, {"walk", "walking"}, {"{label}", "a {label}"});
  CHECK(bank.dim == 3);
  CHECK(bank.labels.size() == 2);
  // A recorded dimension that differs means another model: refused.
  auto other = params;
  other["dim"] = 512;
  CHECK(kind_of([&] { build_text_tower("clip", other); }) == ErrorKind::Corrupt);
  CHECK(kind_of([&] { build_text_tower("clip", nlohmann::json::object()); }) == ErrorKind::InvalidInput);
  CHECK(kind_of([&] { build_text_tower("clip", {{"dir", dir}, {"path", "x"}}); }) == ErrorKind::InvalidInput);
  CHECK(kind_of([&] { build_text_tower("clip:" + dir + "/absent", nullptr); }) == ErrorKind::NotFound);
  std::filesystem::remove(dir + "/text.pt");
  CHECK(kind_of([&] { build_text_tower("clip:" + dir, nullptr); }) == ErrorKind::NotFound);
  std::ofstream(dir + "/text.pt") << "not a zip";
  CHECK(kind_of([&] { build_text_tower("clip:" + dir, nullptr); }) == ErrorKind::Corrupt);
}

TEST_CASE("clip image tower: centre crop, scaling, normalisation, batches", "[model][clip]") {
  const auto dir = test::make_temp_dir("clip_image");
  test::write_tiny_clip(dir);
  ClipImageTower tower(dir);
  CHECK(tower.dim() == 3);
  // 6 x 4: the shorter side is already 4, so no resize; the crop keeps columns 1..4 (offset round(1.0)).
  RgbImage im{6, 4, {}};
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 6; ++x) im.pixels.insert(im.pixels.end(), {uint8_t(10 * x), uint8_t(40 * y), 200});
  }
  const double r = (25.0 / 255 - 0.5) / 0.25;   // mean red of columns 1..4
  const double g = (60.0 / 255 - 0.5) / 0.5;    // mean green of rows 0..3
  const double b = (200.0 / 255 - 0.5) / 1.0;
  const auto expected = unit({r, g, b});
  const auto pixels = clip_preprocess(im, tower.config().image);
  REQUIRE(pixels.size() == 3 * 16);
  CHECK(pixels[0] == Approx((10.0f / 255 - 0.5f) / 0.25f));  // R at crop (0, 0) is source column 1
  // Seven images in batches of 3 give the same rows as one by one.
  std::vector<RgbImage> images(7, im);
  images[3] = solid(8, 12, 255, 0, 128);  // resized to 4 x 6 (solid stays solid), cropped to 4 x 4
  const auto rows = tower.embed(images, 3);
  REQUIRE(rows.size() == 7);
  check_close(rows[0], expected);
  check_close(rows[6], expected);
  check_close(rows[3], unit({(1.0 - 0.5) / 0.25, (0.0 - 0.5) / 0.5, (128.0 / 255 - 0.5) / 1.0}));
  CHECK(kind_of([&] { tower.embed({RgbImage{2, 2, {1, 2, 3}}}); }) == ErrorKind::InvalidInput);
}

TEST_CASE("clip preprocessing resizes like PIL (antialiased, 8-bit fixed point)", "[model][clip]") {
  // Bilinear 4 -> 2 wide: each output pixel averages 3 inputs with weights 0.75, 0.75, 0.25 (PIL's
  // support scaled by 2): (0*.75 + 100*.75 + 200*.25) / 1.75 = 71.4, (100*.25 + 200*.75 + 50*.75) / 1.75 = 121.4.
  RgbImage row{4, 1, {}};
  for (uint8_t v : {0, 100, 200, 50}) row.pixels.insert(row.pixels.end(), {v, v, v});
  const auto half = resize_like_pil(row, 2, 1, "bilinear");
  CHECK(half.pixels == std::vector<uint8_t>{71, 71, 71, 121, 121, 121});
  // Pixels PIL 9.4 computed (Image.resize(..., Image.BICUBIC)) for one random 5 x 3 image, down and up.
  const RgbImage random5x3{5, 3, {130, 183, 14, 238, 127, 26, 80, 57, 190, 240, 126, 194, 52, 127, 6, 110, 208, 143, 93,
                                  199, 81, 36, 71, 227, 64, 67, 0, 2, 107, 110, 84, 85, 148, 160, 101, 104, 93, 100, 196,
                                  152, 11, 184, 212, 84, 74}};
  CHECK(resize_like_pil(random5x3, 3, 2, "bicubic").pixels ==
        std::vector<uint8_t>{150, 181, 51, 119, 88, 155, 88, 114, 77, 109, 136, 129, 93, 85, 164, 127, 62, 100});
  CHECK(resize_like_pil(random5x3, 7, 4, "bicubic").pixels ==
        std::vector<uint8_t>{125, 185, 6,   206, 153, 5,   210, 101, 63,  82,  56,  188, 218, 109, 220, 175, 133,
                             115, 43,  128, 0,   118, 209, 97,  138, 199, 65,  119, 148, 98,  48,  64,  215, 111,
                             81,  101, 77,  105, 55,  0,   117, 76,  99,  164, 158, 107, 171, 112, 95,  148, 124,
                             54,  83,  218, 76,  45,  95,  83,  63,  66,  77,  100, 106, 78,  77,  151, 132, 88,
                             118, 152, 102, 123, 96,  102, 194, 135, 25,  206, 189, 35,  140, 226, 87,  65});
  // Bicubic overshoot is clamped to 0..255; a solid image stays solid at any size.
  const auto up = resize_like_pil(solid(2, 3, 255, 0, 7), 5, 7, "bicubic");
  CHECK(up.width == 5);
  CHECK(up.height == 7);
  for (size_t i = 0; i < up.pixels.size(); i += 3) {
    CHECK(up.pixels[i] == 255);
    CHECK(up.pixels[i + 1] == 0);
    CHECK(up.pixels[i + 2] == 7);
  }
  // The shorter side becomes `resize`, the longer int(resize * long / short); the crop is centred.
  ClipImagePreprocess o;
  o.resize = 4;
  o.crop = 2;
  o.interpolation = "bilinear";
  o.mean = {0, 0, 0};
  o.std = {1, 1, 1};
  RgbImage tall{2, 5, {}};
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 2; ++x) tall.pixels.insert(tall.pixels.end(), {uint8_t(y * 50), 0, 0});
  }
  CHECK(clip_preprocess(tall, o).size() == 3 * 2 * 2);
}

TEST_CASE("clip.json: defaults, and every bad value named", "[model][clip]") {
  const auto c = ClipConfig::from_json({{"embed_dim", 512}}, "/m", "clip.json");
  CHECK(c.context_length == 77);
  CHECK(c.image.resize == 224);
  CHECK(c.image.interpolation == "bicubic");
  CHECK(c.path(c.text_tower) == "/m/text.pt");
  CHECK(ClipConfig::from_json(c.to_json(), "/m", "x").to_json() == c.to_json());
  auto field_of = [](const nlohmann::json& j) {
    try {
      ClipConfig::from_json(j, "/m", "clip.json");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::Corrupt);
      return e.context().field;
    }
    return std::string("(accepted)");
  };
  CHECK(field_of(nlohmann::json::object()) == "embed_dim");
  CHECK(field_of({{"embed_dim", 0}}) == "embed_dim");
  CHECK(field_of({{"embed_dim", 8}, {"context_length", 1}}) == "context_length");
  CHECK(field_of({{"embed_dim", 8}, {"image", {{"interpolation", "nearest"}}}}) == "image.interpolation");
  CHECK(field_of({{"embed_dim", 8}, {"image", {{"std", {1, 0, 1}}}}}) == "image.std");
  CHECK(field_of({{"embed_dim", 8}, {"image", {{"resize", 100}, {"crop", 224}}}}) == "image.crop");
  CHECK(kind_of([] { ClipConfig::read("/nonexistent-clip-dir"); }) == ErrorKind::NotFound);
}
