#include "assistant/plan_json.h"

#include <nlohmann/json.hpp>

namespace imu2clip::assistant {
namespace {

using nlohmann::json;

const char* name(Order o) { return o == Order::Most ? "most" : "least"; }
const char* name(Boundary b) { return b == Boundary::Start ? "start" : "end"; }
const char* name(Occurrence o) { return o == Occurrence::First ? "first" : "last"; }

json threshold_json(const Threshold& t) {
  static const char* names[] = {"at_least", "more_than", "less_than", "about"};
  return {{"comparator", names[static_cast<int>(t.comparator)]}, {"amount", t.amount}};
}

std::string clock(int minute) {
  std::string h = std::to_string(minute / 60), m = std::to_string(minute % 60);
  return (h.size() < 2 ? "0" : "") + h + ":" + (m.size() < 2 ? "0" : "") + m;
}

// The parameters of each measure, in the plan's own words.
struct Parameters {
  json operator()(const measure::Unknown&) const { return json::object(); }
  json operator()(const measure::Duration& m) const {
    static const char* across[] = {"each", "difference", "sum"};
    json j = {{"across", across[static_cast<int>(m.across)]}};
    if (m.stretch) j["stretch"] = *m.stretch == Order::Most ? "longest" : "shortest";
    if (m.round_to_minutes) j["round_to_minutes"] = *m.round_to_minutes;
    return j;
  }
  json operator()(const measure::DailyAverage&) const { return {{"per", "day with log data"}}; }
  json operator()(const measure::Count& m) const {
    json j = {{"of", "episodes"}};
    if (m.episode_length) j["episode_length_ms"] = threshold_json(*m.episode_length);
    return j;
  }
  json operator()(const measure::DayCount& m) const {
    json j = json::object();
    if (m.per_day) j["per_day_ms"] = threshold_json(*m.per_day);
    return j;
  }
  json operator()(const measure::Moment& m) const {
    json j = {{"boundary", name(m.boundary)},
              {"occurrence", name(m.occurrence)},
              {"arrival", m.arrival},
              {"whole_log", m.whole_log}};
    if (m.spans) j["spans"] = true;
    return j;
  }
  json operator()(const measure::CumulativeMoment& m) const {
    return {{"passes_minutes", m.amount_ms / 60000}};
  }
  json operator()(const measure::PeakHour& m) const { return {{"order", name(m.order)}}; }
  json operator()(const measure::AtMinute& m) const {
    json j = {{"at", clock(m.minute)}};
    if (!m.allowed.empty()) j["among"] = m.allowed;
    if (!m.target_kind.empty()) j["kind"] = m.target_kind;
    if (m.sounds) j["of"] = "sounds";
    return j;
  }
  json operator()(const measure::Rank& m) const {
    static const char* by[] = {"time", "episodes", "longest stretch", "latest", "earliest"};
    json j = {{"order", name(m.order)}, {"by", by[static_cast<int>(m.by)]}};
    json candidates = json::array();
    for (const auto& c : m.candidates) candidates.push_back(describe(c));
    j["candidates"] = m.candidates.empty() ? json("every logged " + (m.target_kind.empty() ? std::string("activity")
                                                                                            : m.target_kind))
                                           : candidates;
    if (!m.setting.empty()) j["while"] = describe(m.setting);
    return j;
  }
  json operator()(const measure::Neighbour& m) const {
    json j = {{"direction", m.direction == measure::Neighbour::Direction::Before ? "before" : "after"},
              {"episode", name(m.occurrence)}};
    if (m.near_minute) j["near"] = clock(*m.near_minute);
    if (!m.target_kind.empty()) j["kind"] = m.target_kind;
    if (m.sounds) j["of"] = "sounds";
    return j;
  }
  json operator()(const measure::WhichDay& m) const {
    static const char* pick[] = {"holds", "most", "least", "latest", "earliest", "logged"};
    static const char* value[] = {"time", "episodes", "longest stretch"};
    return {{"pick", pick[static_cast<int>(m.pick)]}, {"value", value[static_cast<int>(m.value)]},
            {"absence", m.absence}};
  }
  json operator()(const measure::Presence& m) const {
    json j = {{"answer", "yes/no"}, {"stretch", m.stretch}};
    if (m.amount) j["amount_ms"] = threshold_json(*m.amount);
    return j;
  }
  json operator()(const measure::PresenceAtMinute& m) const {
    return {{"answer", "yes/no"}, {"at", clock(m.minute)}};
  }
  json operator()(const measure::Comparison& m) const {
    return {{"answer", "yes/no"}, {"first_item", name(m.order)}, {"by", m.by_episodes ? "episodes" : "time"}};
  }
  json operator()(const measure::Containment&) const { return {{"answer", "yes/no"}}; }
  json operator()(const measure::Tally& m) const {
    return {{"answer", "yes/no"}, {"of", m.days ? "days" : "episodes"}, {"threshold", threshold_json(m.threshold)}};
  }
  json operator()(const measure::EveryDay&) const { return {{"answer", "yes/no"}}; }
  json operator()(const measure::Breakdown& m) const { return {{"of", m.modality}}; }
};

}  // namespace

json plan_to_json(const QueryPlan& plan) {
  json items = json::array();
  for (const auto& item : plan.subject.items) items.push_back(describe(item));
  json j = {{"type", "plan"},
            {"measure", measure_name(plan.measure)},
            {"subject", items},
            {"scope", plan.scope.description}};
  if (!plan.subject.condition.empty()) j["while"] = describe(plan.subject.condition);
  if (!plan.subject.unmatched.empty()) j["unmatched_words"] = plan.subject.unmatched;
  json params = std::visit(Parameters{}, plan.measure);
  if (!params.empty()) j["parameters"] = params;
  return j;
}

}  // namespace imu2clip::assistant
