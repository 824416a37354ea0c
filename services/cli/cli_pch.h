#pragma once
// The precompiled header of the CLI's libraries and binary: CLI11 is header-only and the
// slowest header the subcommands parse, ahead of spdlog and nlohmann/json.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
