#pragma once
// The tz database lookup shared by the zone-aware parts of common/time (zones, instants,
// calendar). Kept out of time_zone.h so callers need not include date/tz.h.
#include <date/tz.h>

#include <string>

namespace imu2clip {

// The zone named `name`; throws InvalidInput (field "tz") naming it and a close match when it
// is not in the database.
const date::time_zone& locate_time_zone(const std::string& name);

}  // namespace imu2clip
