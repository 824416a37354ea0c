#pragma once
// The precompiled header of the torch-free libraries (see the root CMakeLists.txt): most of
// their translation units read or write JSON, and parsing nlohmann/json.hpp costs more than
// compiling many of those files' own code.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
