#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "common/error.h"
#include "tagger/model/bundle.h"
#include "tagger/text/stable_hash.h"
#include "tagger/text/text_tower.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {

constexpr int kDim = 32;

TensorData random_weight(std::vector<int64_t> shape, uint64_t seed) {
  std::vector<float> v(1);
  int64_t n = 1;
  for (auto d : shape) n *= d;
  v.resize(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<float>(static_cast<int64_t>(splitmix64(seed) % 2001) - 1000) / 1000.0f;
  return tensor_from_f32(shape, v.data(), DType::F32);
}

ModelBundle test_bundle() {
  ModelBundle b;
  b.encoder.gru_hidden = 24;
  b.encoder.embed_dim = kDim;
  b.encoder.window_samples = 400;
  b.encoder.sample_rate_hz = 50.0;
  b.text_tower_id = "lexical-v1";
  b.text_tower_params = {{"dim", kDim}, {"seed", 7}};
  auto tower = make_text_tower(b.text_tower_id, b.text_tower_params);
  b.label_bank = LabelBank::build(*tower, {"walking", "sitting", "lying down"}, default_prompt_templates());
  b.provenance = {{"trained_by", "test"}, {"epochs", 3}};
  b.encoder_weights["gru.weight_ih_l0"] = random_weight({72, 32}, 1);
  b.encoder_weights["gru.bias_ih_l0"] = random_weight({72}, 2);
  b.encoder_weights["proj.weight"] = random_weight({kDim, 24}, 3);
  return b;
}

void require_error(const std::string& path, ErrorKind kind, const std::string& field) {
  try {
    load_bundle(path);
    FAIL("expected an error about " << field);
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(e.kind() == kind);
    CHECK(e.context().file == path);
    CHECK(e.context().field == field);
  }
}

// Rewrites a saved bundle with `edit` applied to its raw safetensors content.
template <typename Edit>
void edit_file(const std::string& path, Edit edit) {
  SafetensorsFile f = read_safetensors(path);
  edit(f);
  write_safetensors(path, f);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("bundle: save/load round-trips metadata, weights and label bank", "[bundle]") {
  const std::string dir = test::make_temp_dir("bundle-rt");
  ModelBundle saved = test_bundle();
  save_bundle(dir + "/m.safetensors", saved);
  REQUIRE(saved.model_id.size() == 16);
  CHECK(saved.model_id.find_first_not_of("0123456789abcdef") == std::string::npos);

  const ModelBundle loaded = load_bundle(dir + "/m.safetensors");
  CHECK(loaded.model_id == saved.model_id);
  nlohmann::json a, b;
  to_json(a, saved.encoder);
  to_json(b, loaded.encoder);
  CHECK(a == b);
  CHECK(loaded.window_s() == Approx(8.0));
  CHECK(loaded.text_tower_id == "lexical-v1");
  CHECK(loaded.text_tower_params == saved.text_tower_params);
  CHECK(loaded.provenance == saved.provenance);
  CHECK(loaded.label_bank.labels == saved.label_bank.labels);
  CHECK(loaded.label_bank.templates == saved.label_bank.templates);
  CHECK(loaded.label_bank.dim == kDim);
  CHECK(loaded.label_bank.embeddings == saved.label_bank.embeddings);
  REQUIRE(loaded.encoder_weights.size() == saved.encoder_weights.size());
  for (const auto& [name, t] : saved.encoder_weights) {
    INFO(name);
    CHECK(loaded.encoder_weights.at(name).shape == t.shape);
    CHECK(loaded.encoder_weights.at(name).bytes == t.bytes);
  }

  // Saving what was loaded reproduces the id: it depends on content only.
  ModelBundle again = loaded;
  save_bundle(dir + "/copy.safetensors", again);
  CHECK(again.model_id == saved.model_id);
  CHECK(slurp(dir + "/copy.safetensors") == slurp(dir + "/m.safetensors"));
}

TEST_CASE("bundle: model_id changes with any weight, label or provenance change", "[bundle]") {
  const std::string dir = test::make_temp_dir("bundle-id");
  ModelBundle base = test_bundle();
  save_bundle(dir + "/a.safetensors", base);

  ModelBundle weight = test_bundle();
  float* w = reinterpret_cast<float*>(weight.encoder_weights["proj.weight"].bytes.data());
  w[5] = std::nextafter(w[5], 2.0f);
  save_bundle(dir + "/b.safetensors", weight);
  CHECK(weight.model_id != base.model_id);

  ModelBundle labels = test_bundle();
  labels.label_bank.labels[2] = "lying";
  save_bundle(dir + "/c.safetensors", labels);
  CHECK(labels.model_id != base.model_id);

  ModelBundle prov = test_bundle();
  prov.provenance["epochs"] = 4;
  save_bundle(dir + "/d.safetensors", prov);
  CHECK(prov.model_id != base.model_id);
}

TEST_CASE("bundle: half-precision weights are stored and read back", "[bundle]") {
  const std::string dir = test::make_temp_dir("bundle-f16");
  for (DType dtype : {DType::F16, DType::BF16}) {
    ModelBundle b = test_bundle();
    save_bundle(dir + "/h.safetensors", b, dtype);
    const ModelBundle loaded = load_bundle(dir + "/h.safetensors");
    const TensorData& t = loaded.encoder_weights.at("proj.weight");
    CHECK(t.dtype == dtype);
    const auto original = tensor_to_f32(b.encoder_weights.at("proj.weight"));
    const auto restored = tensor_to_f32(t);
    REQUIRE(restored.size() == original.size());
    for (size_t i = 0; i < original.size(); ++i) REQUIRE(restored[i] == Approx(original[i]).margin(4e-3));
    CHECK(loaded.label_bank.embeddings == b.label_bank.embeddings);  // the bank stays F32
  }
}

TEST_CASE("bundle: load rejects missing keys, bad versions and wrong shapes, naming file and key", "[bundle]") {
  const std::string dir = test::make_temp_dir("bundle-bad");
  const std::string p = dir + "/m.safetensors";
  auto fresh = [&] {
    ModelBundle b = test_bundle();
    save_bundle(p, b);
  };

  for (const char* key : {"format", "format_version", "encoder", "sample_rate_hz", "window_samples", "text_tower",
                          "labels", "templates", "provenance", "model_id"}) {
    INFO(key);
    fresh();
    edit_file(p, [&](SafetensorsFile& f) { f.metadata.erase(key); });
    require_error(p, ErrorKind::Corrupt, key);
  }

  fresh();
  edit_file(p, [](SafetensorsFile& f) { f.metadata["format_version"] = "2"; });
  require_error(p, ErrorKind::Corrupt, "format_version");

  fresh();
  edit_file(p, [](SafetensorsFile& f) { f.metadata["format"] = "something-else"; });
  require_error(p, ErrorKind::Corrupt, "format");

  fresh();
  edit_file(p, [](SafetensorsFile& f) { f.metadata["labels"] = R"(["walking", "sitting"])"; });
  require_error(p, ErrorKind::Corrupt, "label_bank.embeddings");

  fresh();
  edit_file(p, [](SafetensorsFile& f) {
    TensorData& t = f.tensors.at("label_bank.embeddings");
    t.shape = {3, kDim - 1};
    t.bytes.resize(3 * (kDim - 1) * 4);
  });
  require_error(p, ErrorKind::Corrupt, "label_bank.embeddings");

  fresh();
  edit_file(p, [](SafetensorsFile& f) { f.tensors.erase("label_bank.embeddings"); });
  require_error(p, ErrorKind::Corrupt, "label_bank.embeddings");

  fresh();
  edit_file(p, [](SafetensorsFile& f) { f.metadata["templates"] = R"(["a person walking"])"; });
  require_error(p, ErrorKind::Corrupt, "templates");

  fresh();
  edit_file(p, [](SafetensorsFile& f) { f.metadata["encoder"] = "{not json"; });
  require_error(p, ErrorKind::Corrupt, "encoder");

  fresh();
  edit_file(p, [](SafetensorsFile& f) { f.metadata["window_samples"] = "500"; });
  require_error(p, ErrorKind::Corrupt, "window_samples");

  fresh();
  edit_file(p, [](SafetensorsFile& f) { f.metadata["text_tower"] = R"({"id":"lexical-v1","params":{"dim":64}})"; });
  require_error(p, ErrorKind::Corrupt, "text_tower");

  fresh();
  edit_file(p, [](SafetensorsFile& f) {
    float* x = reinterpret_cast<float*>(f.tensors.at("encoder.proj.weight").bytes.data());
    x[0] = std::numeric_limits<float>::quiet_NaN();
  });
  require_error(p, ErrorKind::Corrupt, "encoder.proj.weight");

  fresh();
  edit_file(p, [](SafetensorsFile& f) { f.tensors["optimizer.state"] = f.tensors.at("encoder.gru.bias_ih_l0"); });
  require_error(p, ErrorKind::Corrupt, "optimizer.state");

  // Edited content that is otherwise well-formed no longer matches its model_id.
  fresh();
  edit_file(p, [](SafetensorsFile& f) { f.metadata["provenance"] = R"({"trained_by":"someone else"})"; });
  require_error(p, ErrorKind::Corrupt, "model_id");
}

TEST_CASE("bundle: truncated or byte-flipped files are rejected", "[bundle]") {
  const std::string dir = test::make_temp_dir("bundle-damage");
  const std::string p = dir + "/m.safetensors";
  ModelBundle b = test_bundle();
  save_bundle(p, b);
  const std::string whole = slurp(p);
  uint64_t header_len = 0;
  std::memcpy(&header_len, whole.data(), 8);

  spit(p, whole.substr(0, whole.size() - 10));
  CHECK_THROWS_AS(load_bundle(p), Error);

  spit(p, whole.substr(0, 8 + header_len / 2));
  CHECK_THROWS_AS(load_bundle(p), Error);

  std::string flipped = whole;
  flipped[8] = 'X';  // the header's opening brace
  spit(p, flipped);
  CHECK_THROWS_AS(load_bundle(p), Error);

  flipped = whole;
  flipped[3] ^= 0x40;  // the header length field
  spit(p, flipped);
  CHECK_THROWS_AS(load_bundle(p), Error);

  // One bit in the weights: the structure is intact, only the content hash can tell.
  flipped = whole;
  flipped[8 + header_len + 100] ^= 0x01;
  spit(p, flipped);
  require_error(p, ErrorKind::Corrupt, "model_id");

  for (size_t pos = 8; pos < 8 + header_len; pos += 37) {
    std::string damaged = whole;
    damaged[pos] = static_cast<char>(damaged[pos] ^ 0x15);
    spit(p, damaged);
    INFO("flipped header byte " << pos);
    CHECK_THROWS_AS(load_bundle(p), Error);
  }
  spit(p, whole);
  CHECK(load_bundle(p).model_id == b.model_id);
}

TEST_CASE("bundle: save refuses inconsistent bundles", "[bundle]") {
  const std::string p = test::make_temp_dir("bundle-save") + "/m.safetensors";
  auto refused = [&](ModelBundle b, const std::string& field) {
    try {
      save_bundle(p, b);
      FAIL("expected InvalidInput about " << field);
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(e.kind() == ErrorKind::InvalidInput);
      CHECK(e.context().field == field);
    }
    CHECK_FALSE(std::filesystem::exists(p));
  };
  ModelBundle b = test_bundle();
  b.encoder.embed_dim = kDim * 2;  // label bank no longer matches the encoder output
  refused(b, "label_bank.embeddings");

  b = test_bundle();
  b.encoder_weights["proj.weight"] = tensor_from_f32({1}, std::vector<float>{std::nanf("")}.data(), DType::F32);
  refused(b, "encoder.proj.weight");

  b = test_bundle();
  b.encoder_weights["proj.weight"] = tensor_from_f32({1}, std::vector<float>{1e6f}.data(), DType::F32);
  try {
    save_bundle(p, b, DType::F16);
    FAIL("expected overflow to be refused");
  } catch (const Error& e) {
    CHECK(e.context().field == "encoder.proj.weight");
  }

  b = test_bundle();
  b.label_bank.templates.push_back("no placeholder");
  refused(b, "templates");

  b = test_bundle();
  b.text_tower_params["dim"] = kDim + 1;  // the tower would embed into another space
  refused(b, "text_tower");

  b = test_bundle();
  b.encoder_weights.clear();
  refused(b, "encoder");
}

TEST_CASE("bundle: a bundle naming a tower this build lacks still loads", "[bundle]") {
  const std::string p = test::make_temp_dir("bundle-tower") + "/m.safetensors";
  ModelBundle b = test_bundle();
  b.text_tower_id = "clip-vit-b32";
  b.text_tower_params = {{"dim", kDim}};
  save_bundle(p, b);
  const ModelBundle loaded = load_bundle(p);
  CHECK(loaded.text_tower_id == "clip-vit-b32");
  CHECK(loaded.label_bank.size() == 3);
}
