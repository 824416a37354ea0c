#pragma once
// Files compiled into the binary by cmake/EmbedFiles.cmake (imu2clip_embed_files): each
// embedding generates a function returning its EmbeddedFiles.
#include <cstddef>
#include <string_view>

namespace imu2clip {

struct EmbeddedFile {
  const char* name;  // path relative to the embedding's BASE_DIR, e.g. "app.js"
  const unsigned char* data;
  size_t size;

  std::string_view text() const { return {reinterpret_cast<const char*>(data), size}; }
};

// The files of one embedding, in the order they were listed.
struct EmbeddedFiles {
  const EmbeddedFile* files;
  size_t count;

  const EmbeddedFile* begin() const { return files; }
  const EmbeddedFile* end() const { return files + count; }
};

}  // namespace imu2clip
