#include "tagger/zeroshot/calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"

namespace imu2clip {

nlohmann::json Calibration::to_json() const {
  return {{"temperature", temperature}, {"min_confidence", min_confidence}, {"fit", fit}};
}

Calibration Calibration::from_json(const nlohmann::json& j, const std::string& where) {
  auto bad = [&](const std::string& msg) { return Error(ErrorKind::Corrupt, msg, ErrorContext{where, 0, "calibration"}); };
  if (!j.is_object() || !j.contains("temperature") || !j["temperature"].is_number() ||
      !j.contains("min_confidence") || !j["min_confidence"].is_number())
    throw bad("expected {\"temperature\": number, \"min_confidence\": number, \"fit\": object}");
  Calibration c;
  c.temperature = j["temperature"].get<double>();
  c.min_confidence = j["min_confidence"].get<double>();
  if (j.contains("fit")) c.fit = j["fit"];
  if (!(c.temperature >= 0) || !std::isfinite(c.temperature)) throw bad("temperature must be >= 0");
  if (!(c.min_confidence >= 0 && c.min_confidence <= 1)) throw bad("min_confidence must be in [0, 1]");
  return c;
}

void calibrated_probabilities(const float* scores, int n, double temperature, std::vector<double>& p) {
  p.resize(static_cast<size_t>(n));
  if (n <= 0) return;
  double top = -std::numeric_limits<double>::infinity();
  for (int l = 0; l < n; ++l) top = std::max(top, static_cast<double>(scores[l]));
  double sum = 0;
  for (int l = 0; l < n; ++l) {
    p[static_cast<size_t>(l)] = std::exp((scores[l] - top) / temperature);
    sum += p[static_cast<size_t>(l)];
  }
  for (auto& v : p) v /= sum;
}

double calibrated_confidence(const float* scores, int n, double temperature) {
  if (n <= 0) return 0;
  double top = -std::numeric_limits<double>::infinity();
  for (int l = 0; l < n; ++l) top = std::max(top, static_cast<double>(scores[l]));
  double sum = 0;
  for (int l = 0; l < n; ++l) sum += std::exp((scores[l] - top) / temperature);
  return 1.0 / sum;
}

namespace {

double weight_of(const std::vector<double>& weights, size_t i) { return weights.empty() ? 1.0 : weights[i]; }

double mean_nll(const std::vector<float>& scores, const std::vector<int>& truth, int n_labels, double temperature,
                const std::vector<double>& weights) {
  double sum = 0, n = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0) continue;
    const float* row = &scores[i * static_cast<size_t>(n_labels)];
    double top = -std::numeric_limits<double>::infinity();
    for (int l = 0; l < n_labels; ++l) top = std::max(top, static_cast<double>(row[l]));
    double z = 0;
    for (int l = 0; l < n_labels; ++l) z += std::exp((row[l] - top) / temperature);
    sum += weight_of(weights, i) * (std::log(z) - (row[truth[i]] - top) / temperature);
    n += weight_of(weights, i);
  }
  return sum / n;
}

void check_rows(const std::vector<float>& scores, const std::vector<int>& truth, int n_labels,
                const std::vector<double>& weights) {
  if (n_labels <= 0 || scores.size() != truth.size() * static_cast<size_t>(n_labels))
    throw Error(ErrorKind::Internal, "score matrix does not match the label count");
  if (!weights.empty() && weights.size() != truth.size())
    throw Error(ErrorKind::Internal, "one weight per row is needed");
  for (int t : truth)
    if (t >= n_labels) throw Error(ErrorKind::Internal, "true label index out of range");
  if (std::none_of(truth.begin(), truth.end(), [](int t) { return t >= 0; }))
    throw Error(ErrorKind::InvalidInput, "calibration needs labelled windows; none were given",
                ErrorContext{"", 0, "data"});
}

}  // namespace

double fit_temperature(const std::vector<float>& scores, const std::vector<int>& truth, int n_labels,
                       const std::vector<double>& weights) {
  check_rows(scores, truth, n_labels, weights);
  // The NLL is unimodal in log T for softmax scaling: golden-section search on log T.
  double lo = std::log(1e-3), hi = std::log(1.0);
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
  double fa = mean_nll(scores, truth, n_labels, std::exp(a), weights), fb = mean_nll(scores, truth, n_labels, std::exp(b), weights);
  for (int it = 0; it < 60; ++it) {
    if (fa < fb) {
      hi = b, b = a, fb = fa;
      a = hi - phi * (hi - lo);
      fa = mean_nll(scores, truth, n_labels, std::exp(a), weights);
    } else {
      lo = a, a = b, fa = fb;
      b = lo + phi * (hi - lo);
      fb = mean_nll(scores, truth, n_labels, std::exp(b), weights);
    }
  }
  return std::exp((lo + hi) / 2);
}

double confidence_threshold(const std::vector<float>& scores, const std::vector<int>& truth, int n_labels,
                            double temperature, double coverage, const std::vector<double>& weights) {
  check_rows(scores, truth, n_labels, weights);
  if (!(coverage > 0 && coverage <= 1))
    throw Error(ErrorKind::InvalidInput, "coverage must be in (0, 1]", ErrorContext{"", 0, "coverage"});
  if (coverage >= 1) return 0;
  std::vector<std::pair<double, double>> conf;   // (confidence, weight)
  double total = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0) continue;
    conf.push_back({calibrated_confidence(&scores[i * static_cast<size_t>(n_labels)], n_labels, temperature),
                    weight_of(weights, i)});
    total += conf.back().second;
  }
  std::sort(conf.begin(), conf.end());
  // The lowest-confidence rows holding (1 - coverage) of the weight fall below the threshold.
  const double drop = (1 - coverage) * total * (1 + 1e-9);   // (1 - 0.8) * 100 is 19.999...
  double below = 0;
  for (const auto& [c, w] : conf) {
    if (below + w > drop) return below == 0 ? 0 : c;
    below += w;
  }
  return conf.back().first;
}

}  // namespace imu2clip
