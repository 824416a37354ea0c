#pragma once
// What the live path takes in and how it refuses: one POST /v1/imu batch, and the error a full
// backlog raises. Header-only and torch-free, so the server's request parsing and error mapping
// (imu2clip_server_core) use these types without linking the tagger (imu2clip_live_input).
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace imu2clip {

struct ImuSamples {                 // one POST /v1/imu batch, already parsed and validated by the server
  std::string device = "default";   // device name, created on first use
  std::string device_kind = "unknown";
  std::vector<int64_t> t_utc_ms;    // absolute time of each sample, strictly increasing
  std::vector<std::array<float, 6>> values;  // ax ay az (m/s^2) gx gy gz (rad/s)
};

// The live backlog is full: nothing of the batch was stored (HTTP 429, retry later).
class BusyError : public std::runtime_error { using std::runtime_error::runtime_error; };

}  // namespace imu2clip
