#pragma once
// The episodes a "when" question picks from: those of the subject (or of the whole log) whose
// start or end falls inside the scope. Shared by the moment and cumulative-moment executors.
#include <optional>
#include <string>

#include "assistant/measures/context.h"

namespace imu2clip::assistant::measures {

struct MomentEpisodes {
  Expression subject;  // empty for the whole log
  std::string name;    // "walking", "your log"
  Intervals episodes;
};

// nullopt when the answer is already given: the question names nothing the log has, or there is
// no such episode in scope.
std::optional<MomentEpisodes> find_moment_episodes(Context& c, const measure::Moment& m);

}  // namespace imu2clip::assistant::measures
