#pragma once
// The header names an IMU CSV may use: one spec for every reader of IMU CSVs (imu2clip tag's file
// reader and POST /v1/imu's CSV body), so a file one accepts the other accepts too. Names are
// compared after csv::normalize_header_name (lower case, units in brackets dropped).
#include <string>
#include <vector>

namespace imu2clip::csv {

// A time column's name and the factor that turns its values into milliseconds.
struct TimeColumnName {
  const char* name;
  double to_ms;
};
const std::vector<TimeColumnName>& time_column_names();
// The factor to milliseconds of a time column name, or 0 when the name is not a time column.
double time_column_to_ms(const std::string& normalized_name);

// The accepted names of channel 0..5 (ax, ay, az, gx, gy, gz), canonical name first.
std::vector<std::string> channel_names(int channel);
// The channel a normalized header name denotes, or -1.
int channel_of_name(const std::string& normalized_name);

}  // namespace imu2clip::csv
