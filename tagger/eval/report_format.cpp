#include "tagger/eval/report_format.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace imu2clip {
namespace {

std::string printf_string(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string printf_string(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

std::string retrieval_row(const char* name, const RetrievalMetrics& m) {
  return printf_string("  %-22s %7.2f %7.2f %7.2f %7.3f\n", name, 100 * m.r1, 100 * m.r10, 100 * m.r50, m.mrr);
}

}  // namespace

nlohmann::json to_json(const RetrievalMetrics& m) {
  return {{"queries", m.queries}, {"r1", m.r1}, {"r10", m.r10}, {"r50", m.r50}, {"mrr", m.mrr}};
}

nlohmann::json to_json(const RetrievalReport& r) {
  auto direction = [](const RetrievalDirection& d) {
    return nlohmann::json{{"strict", to_json(d.strict)}, {"same_text", to_json(d.same_text)}};
  };
  return {{"n", r.n},
          {"distinct_texts", r.distinct_texts},
          {"imu_to_text", direction(r.imu_to_text)},
          {"text_to_imu", direction(r.text_to_imu)}};
}

nlohmann::json to_json(const ClassificationReport& r) {
  nlohmann::json per_class = nlohmann::json::array();
  for (const ClassMetrics& c : r.per_class) {
    per_class.push_back({{"label", c.label}, {"support", c.support}, {"predicted", c.predicted},
                         {"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}});
  }
  nlohmann::json confusion = nlohmann::json::array();
  const size_t c = r.labels.size();
  for (size_t i = 0; i < c; ++i) {
    confusion.push_back(std::vector<int64_t>(r.confusion.begin() + static_cast<std::ptrdiff_t>(i * c),
                                             r.confusion.begin() + static_cast<std::ptrdiff_t>((i + 1) * c)));
  }
  return {{"accuracy", r.accuracy}, {"macro_f1", r.macro_f1}, {"n", r.n}, {"labels", r.labels},
          {"classes_in_truth", r.classes_in_truth}, {"per_class", per_class}, {"confusion", confusion}};
}

std::string format_retrieval_table(const RetrievalReport& r) {
  std::string s = printf_string("pool: %lld windows, %lld distinct label phrases\n", static_cast<long long>(r.n),
                                static_cast<long long>(r.distinct_texts));
  s += printf_string("  %-22s %7s %7s %7s %7s\n", "", "R@1", "R@10", "R@50", "MRR");
  s += retrieval_row("IMU->text (strict)", r.imu_to_text.strict);
  s += retrieval_row("IMU->text (same text)", r.imu_to_text.same_text);
  s += retrieval_row("text->IMU (strict)", r.text_to_imu.strict);
  s += retrieval_row("text->IMU (same text)", r.text_to_imu.same_text);
  s += "strict = the paper's protocol (only window i's own text counts); same text = any window with the\n"
       "same label phrase counts. Ties are broken at random in expectation. R@k in %.\n";
  return s;
}

std::string format_classification_table(const ClassificationReport& r) {
  size_t width = 5;
  for (const auto& l : r.labels) width = std::max(width, l.size());
  width = std::min<size_t>(width, 40);
  const int w = static_cast<int>(width);
  std::string s = printf_string("%lld windows: accuracy %.2f %%, macro-F1 %.2f %% (over %lld classes present)\n\n",
                                static_cast<long long>(r.n), 100 * r.accuracy, 100 * r.macro_f1,
                                static_cast<long long>(r.classes_in_truth));
  s += printf_string("  #  %-*s %8s %8s %9s %7s %7s\n", w, "label", "support", "predict", "precision", "recall", "F1");
  for (size_t k = 0; k < r.per_class.size(); ++k) {
    const ClassMetrics& c = r.per_class[k];
    s += printf_string("%3zu  %-*.*s %8lld %8lld %9.3f %7.3f %7.3f\n", k, w, w, c.label.c_str(),
                       static_cast<long long>(c.support), static_cast<long long>(c.predicted), c.precision, c.recall,
                       c.f1);
  }
  s += "\nconfusion (row = true, column = predicted #)\n";
  s += printf_string("  #  %-*s", w, "");
  for (size_t j = 0; j < r.labels.size(); ++j) s += printf_string(" %5zu", j);
  s += "\n";
  for (size_t i = 0; i < r.labels.size(); ++i) {
    s += printf_string("%3zu  %-*.*s", i, w, w, r.labels[i].c_str());
    for (size_t j = 0; j < r.labels.size(); ++j) s += printf_string(" %5lld", static_cast<long long>(r.confusion_at(i, j)));
    s += "\n";
  }
  return s;
}

}  // namespace imu2clip
