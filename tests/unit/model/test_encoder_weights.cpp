#include <catch2/catch.hpp>

#include "common/error.h"
#include "tagger/model/imu_encoder.h"
#include "tagger/model/weights_io.h"
#include "test_encoder_support.h"

using namespace imu2clip;
using imu2clip::test::as_tensor;
using imu2clip::test::random_windows;
using imu2clip::test::small_options;

TEST_CASE("exported weights name every parameter with its shape") {
  torch::manual_seed(5);
  ImuEncoder encoder(small_options());
  auto weights = export_weights(*encoder);
  CHECK(weights.size() == encoder->named_parameters().size());
  REQUIRE(weights.count("gru.weight_hh_l0"));
  CHECK(weights.at("gru.weight_hh_l0").shape == std::vector<int64_t>{120, 40});
  CHECK(weights.at("conv0.weight").shape == std::vector<int64_t>{12, 6, 5});
  CHECK(weights.at("projection.weight").shape == std::vector<int64_t>{24, 40});
  CHECK(weights.at("input_norm.weight").dtype == DType::F32);
}

TEST_CASE("weights round trip through export and import gives identical outputs") {
  torch::manual_seed(6);
  ImuEncoder source(small_options());
  torch::manual_seed(7);
  ImuEncoder target(small_options());
  auto x = random_windows(4, 6, 250, 8);
  torch::NoGradGuard no_grad;
  auto input = as_tensor(x, 4, 6, 250);
  auto expected = source->forward(input);
  REQUIRE_FALSE(torch::equal(expected, target->forward(input)));
  import_weights(*target, export_weights(*source));
  CHECK(torch::equal(expected, target->forward(input)));
}

TEST_CASE("F16 export keeps outputs close and other dtypes are refused") {
  torch::manual_seed(9);
  ImuEncoder source(small_options());
  ImuEncoder target(small_options());
  auto half = export_weights(*source, DType::F16);
  CHECK(half.at("gru.weight_ih_l0").dtype == DType::F16);
  import_weights(*target, half);
  auto x = random_windows(2, 6, 250, 10);
  torch::NoGradGuard no_grad;
  auto input = as_tensor(x, 2, 6, 250);
  CHECK((source->forward(input) - target->forward(input)).abs().max().item<float>() < 5e-3f);
  CHECK_THROWS_AS(export_weights(*source, DType::I32), Error);
}

TEST_CASE("import rejects wrong shapes, missing and unexpected names, naming them") {
  torch::manual_seed(11);
  ImuEncoder encoder(small_options());
  auto good = export_weights(*encoder);

  auto wrong_shape = good;
  wrong_shape["gru.weight_hh_l0"].shape = {40, 120};
  try {
    import_weights(*encoder, wrong_shape);
    FAIL("wrong shape accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK_THAT(e.message(), Catch::Contains("gru.weight_hh_l0") && Catch::Contains("[40, 120]"));
  }

  auto renamed = good;
  renamed["gru.weight_hh"] = renamed.at("gru.weight_hh_l0");
  renamed.erase("gru.weight_hh_l0");
  try {
    import_weights(*encoder, renamed);
    FAIL("renamed tensor accepted");
  } catch (const Error& e) {
    CHECK_THAT(e.message(), Catch::Contains("missing tensor 'gru.weight_hh_l0'") &&
                                Catch::Contains("unexpected tensor 'gru.weight_hh'"));
  }

  // Weights of a different architecture are refused as a whole, not half-imported.
  auto before = good.at("conv0.weight").bytes;
  torch::manual_seed(12);
  ImuEncoder official(EncoderOptions::official());
  CHECK_THROWS_AS(import_weights(*encoder, export_weights(*official)), Error);
  CHECK(export_weights(*encoder).at("conv0.weight").bytes == before);
}
