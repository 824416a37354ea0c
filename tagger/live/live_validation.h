#pragma once
// Checks one POST /v1/imu batch before anything is stored, so a bad batch is refused whole
// with an error that names the sample and the field to fix.
#include "tagger/live/live_input.h"

namespace imu2clip {

constexpr double kLiveMinRateHz = 5.0;
constexpr double kLiveMaxRateHz = 2000.0;

// Throws Error(InvalidInput) with field "t_utc_ms[i]", "samples[i][c]", "t_utc_ms" (rate) or
// "device": empty batch, size mismatch, NaN/inf values, timestamps not strictly increasing, a
// median rate outside [kLiveMinRateHz, kLiveMaxRateHz]. Ordering against samples already stored
// for the device is checked by the store, inside the transaction that stores the batch.
void validate_live_samples(const ImuSamples& samples);

}  // namespace imu2clip
