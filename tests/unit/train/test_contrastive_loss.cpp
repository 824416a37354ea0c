#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>

#include "tagger/text/text_tower.h"
#include "tagger/train/contrastive_loss.h"
#include "tagger/train/contrastive_model.h"

using namespace imu2clip;

namespace {

// Reference: -log(probability mass on the positives), both directions, written out with doubles.
double reference_loss(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b, double scale,
                      const std::vector<int>& groups) {
  const size_t n = a.size();
  auto unit = [](std::vector<double> v) {
    double s = 0;
    for (double x : v) s += x * x;
    for (double& x : v) x /= std::sqrt(s);
    return v;
  };
  std::vector<std::vector<double>> logits(n, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      const auto ai = unit(a[i]), bj = unit(b[j]);
      double dot = 0;
      for (size_t k = 0; k < ai.size(); ++k) dot += ai[k] * bj[k];
      logits[i][j] = scale * dot;
    }
  double total = 0;
  for (int direction = 0; direction < 2; ++direction) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
      double denom = 0, positive = 0;
      for (size_t j = 0; j < n; ++j) {
        const double e = std::exp(direction ? logits[j][i] : logits[i][j]);
        denom += e;
        if (groups[i] == groups[j]) positive += e;
      }
      sum += -std::log(positive / denom);
    }
    total += sum / n;
  }
  return total;
}

torch::Tensor to_tensor(const std::vector<std::vector<double>>& m) {
  std::vector<float> flat;
  for (const auto& row : m) flat.insert(flat.end(), row.begin(), row.end());
  return torch::tensor(flat).reshape({static_cast<int64_t>(m.size()), static_cast<int64_t>(m[0].size())});
}

}  // namespace

TEST_CASE("symmetric InfoNCE equals the hand-computed value") {
  // a = e1, e2; b = e1, (0.6, 0.8); T = 0.5 -> logits [[2, 1.2], [0, 1.6]].
  const auto a = torch::tensor({1.0f, 0.0f, 0.0f, 1.0f}).reshape({2, 2});
  const auto b = torch::tensor({1.0f, 0.0f, 0.6f, 0.8f}).reshape({2, 2});
  const double i2t = (std::log1p(std::exp(-0.8)) + std::log1p(std::exp(-1.6))) / 2;
  const double t2i = (std::log1p(std::exp(-2.0)) + std::log1p(std::exp(-0.4))) / 2;
  const double loss = symmetric_info_nce(a, b, torch::tensor(2.0f)).item<double>();
  CHECK(loss == Approx(i2t + t2i).epsilon(1e-5));
  // Distinct groups are exactly plain InfoNCE; unnormalised inputs are normalised first.
  CHECK(symmetric_info_nce(a * 3, b, torch::tensor(2.0f), torch::tensor({0L, 1L})).item<double>() ==
        Approx(loss).epsilon(1e-5));
}

TEST_CASE("multi-positive InfoNCE counts windows with the same text as positives") {
  const std::vector<std::vector<double>> a = {{1, 0.2, 0}, {0.1, 1, 0.3}, {0.3, 0.1, 1}, {-1, 0.5, 0.2}};
  const std::vector<std::vector<double>> b = {{1, 0, 0}, {1, 0, 0}, {0, 0, 1}, {0, 0.6, 0.8}};
  const std::vector<int> groups = {0, 0, 1, 2};
  const double scale = 1 / 0.07;
  const double expected = reference_loss(a, b, scale, groups);
  const double got = symmetric_info_nce(to_tensor(a), to_tensor(b), torch::tensor(static_cast<float>(scale)),
                                        torch::tensor({0L, 0L, 1L, 2L}))
                         .item<double>();
  CHECK(got == Approx(expected).epsilon(1e-4));
  // Plain InfoNCE treats the duplicate text as a negative: for windows 0 and 1 half the
  // probability mass sits on a "negative", at least log 2 more loss in that direction.
  const double plain = symmetric_info_nce(to_tensor(a), to_tensor(b), torch::tensor(static_cast<float>(scale))).item<double>();
  CHECK(plain == Approx(reference_loss(a, b, scale, {0, 1, 2, 3})).epsilon(1e-4));
  CHECK(plain - got > std::log(2.0) / 2);
  const auto mask = positive_mask(torch::tensor({0L, 0L, 1L, 2L}));
  CHECK(mask[0][1].item<bool>());
  CHECK_FALSE(mask[0][2].item<bool>());
}

TEST_CASE("gradients reach the encoder, never the frozen text targets") {
  torch::manual_seed(3);
  auto tower = make_text_tower("lexical-v1", nlohmann::json::object());
  EncoderOptions o;
  o.gru_hidden = 32;
  o.embed_dim = tower->dim();
  o.project = true;
  o.window_samples = 250;
  o.sample_rate_hz = 50;
  ContrastiveModel model(o, 0.07, /*learn_temperature=*/false);
  std::vector<float> rows;
  for (const char* text : {"walking", "sitting", "walking", "lying down"}) {
    const auto e = tower->embed(text);
    rows.insert(rows.end(), e.begin(), e.end());
  }
  const auto targets = torch::tensor(rows).reshape({4, tower->dim()});
  const auto before = targets.clone();
  const auto imu = torch::randn({4, 6, 250});
  auto loss = model->loss(imu, targets, torch::tensor({0L, 1L, 0L, 2L}));
  loss.backward();
  CHECK_FALSE(targets.requires_grad());
  CHECK_FALSE(targets.grad().defined());
  size_t with_grad = 0;
  for (const auto& p : model->encoder->named_parameters()) {
    INFO(p.key());
    REQUIRE(p.value().grad().defined());
    with_grad += p.value().grad().abs().sum().item<double>() > 0;
  }
  CHECK(with_grad == model->encoder->parameters().size());
  // A fixed temperature is a buffer, not something an optimiser could move.
  CHECK(model->parameters().size() == model->encoder->parameters().size());
  torch::optim::Adam opt(model->parameters(), 1e-3);
  opt.step();
  CHECK(torch::equal(targets, before));
  CHECK(model->temperature() == Approx(0.07));

  ContrastiveModel learned(o, 0.07, /*learn_temperature=*/true);
  CHECK(learned->parameters().size() == learned->encoder->parameters().size() + 1);
}
