#pragma once
// One executor per measure of a query plan. Each computes its answer text, facts and evidence
// into the context from the log view alone (no database), so each is unit-tested on a LogView
// built in memory.
#include "assistant/measures/context.h"

namespace imu2clip::assistant::measures {

void run(Context& c, const measure::Unknown& m);
void run(Context& c, const measure::Duration& m);
void run(Context& c, const measure::DailyAverage& m);
void run(Context& c, const measure::Count& m);
void run(Context& c, const measure::DayCount& m);
void run(Context& c, const measure::Moment& m);
void run(Context& c, const measure::CumulativeMoment& m);
void run(Context& c, const measure::PeakHour& m);
void run(Context& c, const measure::AtMinute& m);
void run(Context& c, const measure::Rank& m);
void run(Context& c, const measure::Neighbour& m);
void run(Context& c, const measure::WhichDay& m);
void run(Context& c, const measure::Presence& m);
void run(Context& c, const measure::PresenceAtMinute& m);
void run(Context& c, const measure::Comparison& m);
void run(Context& c, const measure::Containment& m);
void run(Context& c, const measure::Tally& m);
void run(Context& c, const measure::EveryDay& m);
void run(Context& c, const measure::Breakdown& m);

}  // namespace imu2clip::assistant::measures
