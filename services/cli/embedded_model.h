#pragma once
// The default bundle compiled into the binary (see services/cli/CMakeLists.txt), if any.
#include <optional>

#include "tagger/model/bundle.h"

namespace imu2clip::cli {

std::optional<ModelBundle> embedded_default_model();

}  // namespace imu2clip::cli
