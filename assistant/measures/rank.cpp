#include <algorithm>
#include <climits>
#include <cmath>

#include "assistant/measures/evidence.h"
#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {
namespace {

struct Score {
  Expression e;
  int64_t value = 0;
  int64_t duration = 0;
};

}  // namespace

void run(Context& c, const measure::Rank& m) {
  std::string scope = scope_phrase(c.scope());
  std::vector<Expression> candidates = m.candidates;
  if (candidates.empty()) {
    for (auto& cand : labels_of_kind(c.view, m.target_kind)) {
      bool is_setting = false;
      for (const auto& lit : m.setting) is_setting = is_setting || lit.labels == cand.front().labels;
      if (!is_setting) candidates.push_back(std::move(cand));
    }
  }
  if (c.subject().empty() && !c.subject().unmatched.empty() && m.target_kind.empty() && m.by == measure::Rank::By::Time &&
      m.order == Order::Most) {
    // "what did I do for exercise": a word we could not place; still rank, but say it
    c.out.facts.push_back({{"type", "unmatched"}, {"words", c.subject().unmatched}});
  }
  if (candidates.empty()) {
    c.out.text = "Nothing of that kind is logged " + scope + ".";
    c.out.facts.push_back({{"type", "ranking"}, {"candidates", nlohmann::json::array()}});
    return;
  }
  using By = measure::Rank::By;
  std::vector<Score> scores;
  for (const auto& cand : candidates) {
    Expression e = cand;
    e.insert(e.end(), m.setting.begin(), m.setting.end());
    Intervals eps = c.view.episodes(e);
    int64_t duration = c.view.duration_ms(e);
    int64_t value = duration;
    switch (m.by) {
      case By::Time: break;
      case By::Episodes: value = static_cast<int64_t>(eps.size()); break;
      case By::LongestStretch:
        value = 0;
        for (const auto& ep : eps) value = std::max(value, ep.length());
        break;
      case By::Latest:
        value = eps.empty() ? INT64_MIN : (m.boundary == Boundary::Start ? eps.back().from : eps.back().to);
        break;
      case By::Earliest: value = eps.empty() ? INT64_MIN : -eps.front().from; break;
    }
    scores.push_back({e, value, duration});
  }
  bool least = m.order == Order::Least && m.by != By::Latest;
  std::vector<Score> pool;
  for (const auto& s : scores) {
    if (s.duration >= kMinute || m.named) pool.push_back(s);
  }
  if (pool.empty()) {
    std::vector<std::string> names;
    for (const auto& s : scores) names.push_back(phrase(s.e));
    c.out.text = "None of " + join_names(names) + " is logged " + scope + ".";
    return;
  }
  std::stable_sort(pool.begin(), pool.end(), [&](const Score& a, const Score& b) {
    if (a.value != b.value) return least ? a.value < b.value : a.value > b.value;
    return kind_rank(classify_label(a.e.front().labels.front()), m.target_kind) <
           kind_rank(classify_label(b.e.front().labels.front()), m.target_kind);
  });
  const Score& best = pool.front();
  nlohmann::json ranking = nlohmann::json::array();
  for (const auto& s : pool) {
    ranking.push_back({{"activity", describe(s.e)}, {"minutes", std::llround(s.duration / 60000.0)}});
  }
  const char* by_names[] = {"time", "episodes", "longest episode", "latest", "earliest"};
  c.out.facts.push_back({{"type", "ranking"},
                         {"by", by_names[static_cast<int>(m.by)]},
                         {"order", least ? "ascending" : "descending"},
                         {"ranking", ranking}});
  cite_episodes(c, best.e, c.view.episodes(best.e));
  const bool by_episodes = m.by == By::Episodes;
  auto measured = [&](const Score& s) {
    return by_episodes ? std::to_string(s.value) + " times" : format_duration_words(s.duration);
  };
  std::string text = phrase(best.e) + " (" + measured(best) + ")";
  if (pool.size() > 1) text += ", then " + phrase(pool[1].e) + " (" + measured(pool[1]) + ")";
  c.out.text = text + " " + scope + ".";
}

}  // namespace imu2clip::assistant::measures
