#include "tagger/text/gzip_file.h"

#include <zlib.h>

#include "common/error.h"

namespace imu2clip {

std::string read_gzip_or_plain(const std::string& path, const std::string& what, const std::string& field) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorKind::Io, "cannot open " + what, ErrorContext{path, 0, field});
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  const bool failed = n < 0;
  gzclose(f);
  if (failed) throw Error(ErrorKind::Corrupt, what + " is a damaged gzip stream", ErrorContext{path, 0, field});
  return out;
}

}  // namespace imu2clip
