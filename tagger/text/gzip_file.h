#pragma once
// Whole text files that may be gzip-compressed (vocabularies, word vectors): zlib's gzread
// passes plain files through, so one reader serves both.
#include <string>

namespace imu2clip {

// The file's whole (decompressed) content. Errors name the file as `what` (e.g. "the CLIP
// vocabulary") with `field` in their context: Io when it cannot be opened, Corrupt for a
// damaged gzip stream.
std::string read_gzip_or_plain(const std::string& path, const std::string& what, const std::string& field = "");

}  // namespace imu2clip
