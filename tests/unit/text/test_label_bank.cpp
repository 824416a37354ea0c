#include <catch2/catch.hpp>

#include <cmath>

#include "common/error.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/lexical_tower.h"

using namespace imu2clip;

namespace {

const std::vector<std::string> kActivities = {
    "walking",  "walking upstairs", "walking downstairs", "sitting",    "standing",
    "lying down", "stand to sit",   "sit to stand",       "sit to lie", "lie to sit",
    "stand to lie", "lie to stand", "running",            "cycling",    "cooking"};

double dot(const float* a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < b.size(); ++i) s += double(a[i]) * b[i];
  return s;
}

}  // namespace

TEST_CASE("label bank: one unit row per label, tower dimension wide", "[text]") {
  const LexicalTower tower;
  const LabelBank bank = LabelBank::build(tower, kActivities, default_prompt_templates());
  CHECK(bank.size() == kActivities.size());
  CHECK(bank.dim == tower.dim());
  CHECK(bank.embeddings.size() == kActivities.size() * 512);
  CHECK(bank.labels == kActivities);
  CHECK(bank.templates == default_prompt_templates());
  for (size_t i = 0; i < bank.size(); ++i) {
    std::vector<float> row(bank.row(i), bank.row(i) + bank.dim);
    CHECK(std::sqrt(dot(row.data(), row)) == Approx(1.0).epsilon(1e-5));
  }
}

TEST_CASE("label bank: each label's own phrase is nearest to its own row", "[text]") {
  const LexicalTower tower;
  const LabelBank bank = LabelBank::build(tower, kActivities, default_prompt_templates());
  for (size_t i = 0; i < bank.size(); ++i) {
    INFO(bank.labels[i]);
    for (const std::string& phrase : {bank.labels[i], "a person " + bank.labels[i]}) {
      const auto e = tower.embed(phrase);
      size_t best = 0;
      for (size_t j = 1; j < bank.size(); ++j) {
        if (dot(bank.row(j), e) > dot(bank.row(best), e)) best = j;
      }
      CHECK(bank.labels[best] == bank.labels[i]);
    }
  }
}

TEST_CASE("label bank: a single template reproduces the tower's embedding", "[text]") {
  const LexicalTower tower;
  const LabelBank bank = LabelBank::build(tower, {"walking"}, {"a person {label} and {label}"});
  const auto e = tower.embed("a person walking and walking");
  for (int k = 0; k < bank.dim; ++k) REQUIRE(bank.row(0)[k] == Approx(e[k]).margin(1e-6));
}

TEST_CASE("label bank: invalid labels and templates are InvalidInput", "[text]") {
  const LexicalTower tower;
  auto field_of = [&](std::vector<std::string> labels, std::vector<std::string> templates) {
    try {
      LabelBank::build(tower, labels, templates);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::InvalidInput);
      return e.context().field;
    }
    return std::string("no error");
  };
  CHECK(field_of({"walking"}, {}) == "templates");
  CHECK(field_of({"walking"}, {"a person walking"}) == "templates");
  CHECK(field_of({"walking", "walking"}, {"{label}"}) == "labels");
  CHECK(field_of({"walking", "  "}, {"{label}"}) == "labels");
  for (const auto& t : default_prompt_templates()) CHECK(t.find("{label}") != std::string::npos);
}
