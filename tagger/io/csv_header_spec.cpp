#include "tagger/io/csv_header_spec.h"

namespace imu2clip::csv {

const std::vector<TimeColumnName>& time_column_names() {
  static const std::vector<TimeColumnName> names = {
      {"t_ms", 1.0},      {"time_ms", 1.0},        {"timestamp_ms", 1.0}, {"t", 1.0},
      {"ms", 1.0},        {"time", 1.0},           {"timestamp", 1.0},    {"t_s", 1000.0},
      {"time_s", 1000.0}, {"timestamp_s", 1000.0}, {"seconds", 1000.0},   {"sec", 1000.0}};
  return names;
}

double time_column_to_ms(const std::string& normalized_name) {
  for (const auto& n : time_column_names())
    if (normalized_name == n.name) return n.to_ms;
  return 0.0;
}

std::vector<std::string> channel_names(int channel) {
  const std::string axis(1, "xyz"[channel % 3]);
  if (channel < 3)
    return {"a" + axis, "acc_" + axis, "accel_" + axis, "accl_" + axis, "acceleration_" + axis, "accelerometer_" + axis};
  return {"g" + axis, "gyro_" + axis, "gyr_" + axis, "gyroscope_" + axis};
}

int channel_of_name(const std::string& normalized_name) {
  for (int c = 0; c < 6; ++c)
    for (const auto& alias : channel_names(c))
      if (normalized_name == alias) return c;
  return -1;
}

}  // namespace imu2clip::csv
