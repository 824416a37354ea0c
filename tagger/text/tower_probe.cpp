#include "tagger/text/tower_probe.h"

#include <map>

#include "common/error.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/text_tower.h"

namespace imu2clip {

ProbeResult probe_top1(const TextTower& tower, const std::vector<ProbeQuery>& queries,
                       const std::vector<std::string>& templates) {
  std::map<std::vector<std::string>, LabelBank> banks;
  ProbeResult result;
  for (size_t q = 0; q < queries.size(); ++q) {
    const ProbeQuery& query = queries[q];
    if (query.candidates.empty() || query.correct >= query.candidates.size()) {
      throw Error(ErrorKind::InvalidInput,
                  "probe query '" + query.query + "' needs candidates and a correct index below their count",
                  ErrorContext{"", static_cast<int64_t>(q + 1), "correct"});
    }
    auto it = banks.find(query.candidates);
    if (it == banks.end()) {
      LabelBank bank = LabelBank::build(tower, query.candidates, templates.empty() ? std::vector<std::string>{"{label}"}
                                                                                   : templates);
      it = banks.emplace(query.candidates, std::move(bank)).first;
    }
    const LabelBank& bank = it->second;
    const std::vector<float> e = tower.embed(query.query);
    size_t best = 0;
    double best_score = -2.0;
    for (size_t c = 0; c < bank.size(); ++c) {
      double score = 0.0;
      for (int k = 0; k < bank.dim; ++k) score += double(e[static_cast<size_t>(k)]) * bank.row(c)[k];
      if (score > best_score) {
        best_score = score;
        best = c;
      }
    }
    result.predicted.push_back(best);
    result.correct += best == query.correct ? 1 : 0;
    ++result.total;
  }
  return result;
}

}  // namespace imu2clip
