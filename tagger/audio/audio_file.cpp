#include "tagger/audio/audio_file.h"

#include <fcntl.h>
#include <samplerate.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>

#include "common/error.h"

namespace imu2clip {
namespace {

// Frames per sf_readf_float call: large enough to amortise the call, small enough that the
// interleaved block of a many-channel file stays in cache.
constexpr sf_count_t kBlockFrames = 1 << 15;

[[noreturn]] void fail(ErrorKind kind, const std::string& name, const std::string& message,
                       const std::string& field = "") {
  throw Error(kind, message, ErrorContext{name, 0, field});
}

void check_rate(double hz, const std::string& name, const char* field) {
  if (!std::isfinite(hz) || hz <= 0) {
    fail(ErrorKind::InvalidInput, name, "must be a positive sample rate, got " + std::to_string(hz),
         field);
  }
}

// libsamplerate accepts ratios in [1/256, 256] (SRC_MAX_RATIO).
double checked_ratio(double from_hz, double to_hz, const std::string& name, const char* field) {
  const double ratio = to_hz / from_hz;
  if (ratio < 1.0 / 256 || ratio > 256) {
    fail(ErrorKind::InvalidInput, name,
         "cannot resample " + std::to_string(from_hz) + " Hz to " + std::to_string(to_hz) +
             " Hz: the ratio is outside 1/256..256",
         field);
  }
  return ratio;
}

// Streams blocks of mono audio through one libsamplerate converter, so a long file never sits
// in memory at its source rate, and fixes the output length at round(n_in * ratio).
class StreamResampler {
 public:
  StreamResampler(double ratio, const std::string& name) : ratio_(ratio), name_(name) {
    if (ratio_ == 1.0) return;
    int err = 0;
    state_ = src_new(SRC_SINC_MEDIUM_QUALITY, 1, &err);
    if (!state_) fail(ErrorKind::Internal, name_, std::string("libsamplerate: ") + src_strerror(err));
  }
  ~StreamResampler() {
    if (state_) src_delete(state_);
  }
  StreamResampler(const StreamResampler&) = delete;
  StreamResampler& operator=(const StreamResampler&) = delete;

  void push(const float* in, size_t n, std::vector<float>& out) {
    consumed_ += static_cast<int64_t>(n);
    if (!state_) {
      out.insert(out.end(), in, in + n);
      return;
    }
    run(in, n, false, out);
  }

  // `out` must be the vector every push appended to, from empty.
  void finish(std::vector<float>& out) {
    if (state_) run(nullptr, 0, true, out);
    const auto want = static_cast<size_t>(std::llround(static_cast<double>(consumed_) * ratio_));
    // The converter's flush ends within a sample or two of the exact length; pad with the
    // silence the filter tail decays to, or trim, so every caller sees the same length.
    out.resize(want, 0.0f);
  }

 private:
  void run(const float* in, size_t n, bool end, std::vector<float>& out) {
    SRC_DATA d{};
    d.src_ratio = ratio_;
    d.end_of_input = end ? 1 : 0;
    const long chunk_out = static_cast<long>(std::ceil(static_cast<double>(std::max<size_t>(n, 1024)) * ratio_)) + 64;
    size_t used = 0;
    for (;;) {
      const size_t base = out.size();
      out.resize(base + static_cast<size_t>(chunk_out));
      d.data_in = in ? in + used : nullptr;
      d.input_frames = static_cast<long>(n - used);
      d.data_out = out.data() + base;
      d.output_frames = chunk_out;
      const int err = src_process(state_, &d);
      if (err) fail(ErrorKind::Internal, name_, std::string("libsamplerate: ") + src_strerror(err));
      out.resize(base + static_cast<size_t>(d.output_frames_gen));
      used += static_cast<size_t>(d.input_frames_used);
      if (end ? d.output_frames_gen == 0 : used >= n) break;
    }
  }

  double ratio_;
  std::string name_;
  SRC_STATE* state_ = nullptr;
  int64_t consumed_ = 0;
};

struct SndCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndHandle = std::unique_ptr<SNDFILE, SndCloser>;

AudioClip decode(SNDFILE* sf, const SF_INFO& info, double target_rate_hz, const std::string& name,
                 double max_seconds = kMaxAudioSeconds) {
  if (info.samplerate <= 0) {
    fail(ErrorKind::Corrupt, name, "the header declares a sample rate of " +
                                       std::to_string(info.samplerate) + " Hz");
  }
  if (info.channels <= 0) {
    fail(ErrorKind::Corrupt, name, "the header declares " + std::to_string(info.channels) + " channels");
  }
  const double source_rate = info.samplerate;
  const double ratio = checked_ratio(source_rate, target_rate_hz, name, "target_rate_hz");
  const auto max_frames = static_cast<int64_t>(max_seconds * source_rate);
  auto too_long = [&] {
    fail(ErrorKind::InvalidInput, name,
         max_seconds >= 3600 ? "is longer than " + std::to_string(static_cast<int>(max_seconds / 3600)) +
                                   " hours; split the recording"
                             : "is longer than " + std::to_string(static_cast<int>(max_seconds)) +
                                   " s; send it in shorter pieces");
  };
  // libsndfile reports SF_COUNT_MAX when it cannot tell the length: an Ogg file whose last
  // page (the one holding the final position) is missing, i.e. a file cut short.
  const bool length_known = info.frames >= 0 && info.frames < SF_COUNT_MAX;
  if (length_known && info.frames > max_frames) too_long();

  AudioClip clip;
  clip.sample_rate_hz = target_rate_hz;
  clip.source_rate_hz = source_rate;
  clip.source_channels = info.channels;
  if (length_known) {
    clip.samples.reserve(static_cast<size_t>(std::ceil(static_cast<double>(info.frames) * ratio)) + 64);
  }

  const int ch = info.channels;
  std::vector<float> block(static_cast<size_t>(kBlockFrames) * static_cast<size_t>(ch));
  std::vector<float> mono(ch > 1 ? static_cast<size_t>(kBlockFrames) : 0);
  StreamResampler resampler(ratio, name);
  int64_t decoded = 0;
  for (;;) {
    const sf_count_t got = sf_readf_float(sf, block.data(), kBlockFrames);
    if (got <= 0) break;
    decoded += got;
    if (decoded > max_frames) too_long();
    const float* src = block.data();
    if (ch == 1) {
      resampler.push(src, static_cast<size_t>(got), clip.samples);
      continue;
    }
    const float inv = 1.0f / static_cast<float>(ch);
    for (sf_count_t i = 0; i < got; ++i) {
      float s = 0;
      for (int c = 0; c < ch; ++c) s += src[i * ch + c];
      mono[static_cast<size_t>(i)] = s * inv;
    }
    resampler.push(mono.data(), static_cast<size_t>(got), clip.samples);
  }
  const int read_error = sf_error(sf);
  if (decoded == 0) {
    if (read_error != SF_ERR_NO_ERROR) {
      fail(ErrorKind::Corrupt, name, std::string("no audio decodes: ") + sf_error_number(read_error));
    }
    if (!length_known) {
      fail(ErrorKind::Corrupt, name, "no audio decodes and the file declares no length (cut short?)");
    }
    if (info.frames > 0) {
      fail(ErrorKind::Corrupt, name, "the header declares " + std::to_string(info.frames) +
                                         " frames but none decode");
    }
    fail(ErrorKind::InvalidInput, name, "contains no audio frames");
  }
  resampler.finish(clip.samples);
  clip.source_frames = decoded;
  clip.truncated = !length_known || decoded < info.frames;
  return clip;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Memory as a libsndfile virtual file.
struct MemoryFile {
  const unsigned char* data;
  sf_count_t size;
  sf_count_t pos;
};

sf_count_t mem_length(void* user) { return static_cast<MemoryFile*>(user)->size; }

sf_count_t mem_seek(sf_count_t offset, int whence, void* user) {
  auto* m = static_cast<MemoryFile*>(user);
  sf_count_t base = 0;
  switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = m->pos; break;
    case SEEK_END: base = m->size; break;
    default: return -1;
  }
  const sf_count_t p = base + offset;
  if (p < 0 || p > m->size) return -1;
  m->pos = p;
  return p;
}

sf_count_t mem_read(void* ptr, sf_count_t count, void* user) {
  auto* m = static_cast<MemoryFile*>(user);
  const sf_count_t n = std::max<sf_count_t>(0, std::min(count, m->size - m->pos));
  if (n > 0) std::memcpy(ptr, m->data + m->pos, static_cast<size_t>(n));
  m->pos += n;
  return n;
}

sf_count_t mem_write(const void*, sf_count_t, void*) { return 0; }

sf_count_t mem_tell(void* user) { return static_cast<MemoryFile*>(user)->pos; }

[[noreturn]] void not_audio(const std::string& name) {
  // sf_strerror(nullptr) is the reason the last failed open gave ("Format not recognised.").
  fail(ErrorKind::Corrupt, name,
       std::string("is not a readable audio file (libsndfile: ") + sf_strerror(nullptr) + ")");
}

}  // namespace

AudioClip read_audio_file(const std::string& path, double target_rate_hz) {
  check_rate(target_rate_hz, path, "target_rate_hz");
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) {
    const int e = errno;
    if (e == ENOENT || e == ENOTDIR) fail(ErrorKind::NotFound, path, "audio file not found");
    fail(ErrorKind::Io, path, std::string("cannot open the audio file: ") + std::strerror(e));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    fail(ErrorKind::Io, path, std::string("cannot stat the audio file: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) fail(ErrorKind::InvalidInput, path, "is a directory, not an audio file");
  if (S_ISREG(st.st_mode) && st.st_size == 0) {
    fail(ErrorKind::InvalidInput, path, "the audio file is empty (0 bytes)");
  }
  SF_INFO info{};
  // The descriptor stays ours (close_desc false): libsndfile's cleanup of a failed open is
  // then irrelevant to who closes it.
  SndHandle sf(sf_open_fd(f.fd, SFM_READ, &info, SF_FALSE));
  if (!sf) not_audio(path);
  return decode(sf.get(), info, target_rate_hz, path);
}

AudioClip decode_audio_bytes(const void* data, size_t size, double target_rate_hz,
                             const std::string& name, double max_seconds) {
  check_rate(target_rate_hz, name, "target_rate_hz");
  if (!(max_seconds > 0)) fail(ErrorKind::InvalidInput, name, "max_seconds must be positive");
  if (size == 0 || data == nullptr) fail(ErrorKind::InvalidInput, name, "the audio data is empty (0 bytes)");
  MemoryFile mem{static_cast<const unsigned char*>(data), static_cast<sf_count_t>(size), 0};
  SF_VIRTUAL_IO io{mem_length, mem_seek, mem_read, mem_write, mem_tell};
  SF_INFO info{};
  SndHandle sf(sf_open_virtual(&io, SFM_READ, &info, &mem));
  if (!sf) not_audio(name);
  return decode(sf.get(), info, target_rate_hz, name, std::min(max_seconds, kMaxAudioSeconds));
}

std::vector<float> resample_audio(const float* x, size_t n, double from_hz, double to_hz) {
  static const std::string kName;
  check_rate(from_hz, kName, "from_hz");
  check_rate(to_hz, kName, "to_hz");
  const double ratio = checked_ratio(from_hz, to_hz, kName, "to_hz");
  std::vector<float> out;
  if (n == 0) return out;
  out.reserve(static_cast<size_t>(std::ceil(static_cast<double>(n) * ratio)) + 64);
  StreamResampler r(ratio, kName);
  r.push(x, n, out);
  r.finish(out);
  return out;
}

bool has_audio_extension(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return false;
  std::string ext = path.substr(dot + 1);
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == "wav" || ext == "flac" || ext == "ogg" || ext == "oga" || ext == "opus";
}

}  // namespace imu2clip
