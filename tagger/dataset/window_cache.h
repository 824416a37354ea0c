#pragma once
// On-disk cache of preprocessed windows: one binary file per (dataset, options, file state).
// Reading a cache skips parsing gzip CSVs and resampling them again (figure: docs/BENCHMARKS.md).
#include <optional>
#include <string>

#include "tagger/dataset/window_dataset.h"

namespace imu2clip {

// Reads a cache file; nullopt when it does not exist or is not a complete cache of this
// format version (a damaged cache is treated as absent and rebuilt, never trusted).
std::optional<LabelledWindows> read_window_cache(const std::string& path);
// Writes atomically (temporary file + rename), creating the directory. Throws Error(Io).
void write_window_cache(const std::string& path, const LabelledWindows& windows);

}  // namespace imu2clip
