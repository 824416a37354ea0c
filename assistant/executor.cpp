#include "assistant/executor.h"

#include <nlohmann/json.hpp>

#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"
#include "assistant/plan_json.h"
#include "common/time/local_calendar.h"
#include "common/time/time_zone.h"

namespace imu2clip::assistant {
namespace {

nlohmann::json scope_fact(const TimeScope& scope, const std::string& tz) {
  nlohmann::json days = nlohmann::json::array();
  for (const auto& d : scope.days) days.push_back(to_iso(d.date));
  nlohmann::json f = {{"type", "scope"},
                      {"description", scope.description},
                      {"from", format_iso8601(scope.from_utc_ms(), tz)},
                      {"to", format_iso8601(scope.to_utc_ms(), tz)},
                      {"days", days},
                      {"tz", tz}};
  if (!scope.day_part.empty()) f["day_part"] = scope.day_part;
  if (scope.at_minute) f["at"] = measures::clock_of_minute(*scope.at_minute);
  return f;
}

}  // namespace

BuiltinAnswer execute_plan(const QueryPlan& plan, const LogView& view, const std::string& tz,
                           const AnswerOptions& options) {
  measures::Context c{plan, view, tz, options, {}};
  c.out.facts.push_back(scope_fact(plan.scope, tz));
  c.out.facts.push_back(plan_to_json(plan));
  std::visit([&c](const auto& m) { measures::run(c, m); }, plan.measure);
  return std::move(c.out);
}

}  // namespace imu2clip::assistant
