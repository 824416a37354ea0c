#include "assistant/measures/measures.h"

namespace imu2clip::assistant::measures {

void run(Context& c, const measure::Unknown&) {
  c.out.understood = false;
  c.out.text = "I could not tell what you are asking. I can answer how long, how many times, when, whether, "
               "which activity and which day, e.g. \"How long did I walk today?\" or \"What did I do most "
               "this week?\"";
}

}  // namespace imu2clip::assistant::measures
