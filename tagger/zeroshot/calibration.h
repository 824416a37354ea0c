#pragma once
// Honest uncertainty for zero-shot tags. Cosine scores against a label bank are not
// probabilities: a window of an activity the model never learned still has a best label. A
// softmax over the (smoothed) scores with a temperature fitted on validation windows gives a
// calibrated confidence, and windows below a confidence threshold are logged as "unclear
// motion" instead of a wrong word. Torch-free.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace imu2clip {

struct Calibration {
  double temperature = 0;      // softmax temperature over cosine scores; 0 = not calibrated
  double min_confidence = 0;   // calibrated top probability below this -> "unclear motion"
  nlohmann::json fit = nlohmann::json::object();   // how it was fitted (data, split, coverage, ...)

  bool enabled() const { return temperature > 0; }
  nlohmann::json to_json() const;
  // Throws Error(Corrupt) naming `where` for a malformed object.
  static Calibration from_json(const nlohmann::json& j, const std::string& where);
};

// Softmax(scores / temperature) of one row, in place into `probabilities` (n values).
void calibrated_probabilities(const float* scores, int n, double temperature, std::vector<double>& probabilities);
// The top calibrated probability of one row.
double calibrated_confidence(const float* scores, int n, double temperature);

// Temperature minimising the weighted mean negative log-likelihood of `truth` (label index per
// row; rows with truth < 0 are ignored) under softmax(scores / T), searched over [1e-3, 1] on a
// log scale. `weights` (per row; empty = all 1) let each source dataset count equally.
// Throws Error(InvalidInput) when no row has a label.
double fit_temperature(const std::vector<float>& scores, const std::vector<int>& truth, int n_labels,
                       const std::vector<double>& weights = {});

// The confidence threshold that keeps the `coverage` fraction (0..1] of the (weighted) labelled
// rows whose calibrated confidence is highest (the weighted (1 - coverage) quantile).
double confidence_threshold(const std::vector<float>& scores, const std::vector<int>& truth, int n_labels,
                            double temperature, double coverage, const std::vector<double>& weights = {});

}  // namespace imu2clip
