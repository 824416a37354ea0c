#pragma once
// Readers for the two IMU CSV layouts the tagger accepts. Both throw imu2clip::Error with the
// file, the 1-based line and the column name of the first problem they cannot work around.
//
// Canonical (`t_ms,ax,ay,az,gx,gy,gz`, accel m/s^2, gyro rad/s, gzip or plain): a strict format.
//   Header names are matched case-insensitively with aliases (time_ms/timestamp_ms/t for t_ms,
//   t_s/time_s for seconds, acc_x/accel_x/accl_x for ax, gyro_x/gyr_x for gx, ...); columns may
//   come in any order and extra columns are ignored. Time must be strictly increasing (an error
//   otherwise: the canonical writer deduplicates). A NaN/inf literal, an empty field or NULL in
//   a sensor column is KEPT as NaN (counted in ReadReport::nonfinite_values): the sample exists
//   but its value is unknown, and windowing rejects windows containing it. Dropping the row
//   instead would hide the problem as a short time gap that the resampler bridges.
//
// Ego4D (`component_idx,component_timestamp_ms,canonical_timestamp_ms,gyro_x..z,accl_x..z`):
//   real Ego4D dumps are messy, so this reader repairs rather than refuses, and counts every
//   repair in ReadReport::dropped:
//   - NULL/empty canonical_timestamp_ms: the row is dropped ("null canonical timestamp").
//     Falling back to component_timestamp_ms per row would mix the device clock into the
//     video-aligned clock (they differ by an unknown offset). Only when NO row has a canonical
//     timestamp is the component clock used for the whole file (with a warning).
//   - a missing/NULL/NaN/inf sensor value: the row is dropped ("missing value").
//   - rows out of time order: stably sorted by time (ReadReport::resorted, a warning).
//   - equal timestamps: the first row in file order is kept ("duplicate timestamp").
//   Non-numeric garbage (not NULL) and a wrong field count are still errors: they mean the
//   file is not what it claims to be.
// In both formats time zero is the first kept sample; ReadReport::time_offset_ms keeps the
// file's timestamp of that sample.
#include <string>

#include "tagger/io/imu_series.h"

namespace imu2clip {

enum class ImuFileFormat { Canonical, Ego4d };

ImuSeries read_canonical_imu_csv(const std::string& path, ReadReport* report = nullptr);
ImuSeries read_ego4d_imu_csv(const std::string& path, ReadReport* report = nullptr);

// Picks the format from the header: a canonical_timestamp_ms or component_timestamp_ms column
// means Ego4D, anything else is read as canonical.
ImuSeries read_imu_file(const std::string& path, ReadReport* report = nullptr);
ImuFileFormat detect_imu_file_format(const std::string& path);

}  // namespace imu2clip
