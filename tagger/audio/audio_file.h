#pragma once
// Audio input: any file libsndfile decodes (WAV, FLAC, Ogg Vorbis, Ogg Opus, ...) becomes mono
// float samples at the rate the caller asks for. Every failure is an imu2clip::Error whose
// context names the file (or the name given for bytes in memory):
//   missing file                          NotFound
//   unreadable (permissions, I/O error)   Io
//   a directory, an empty (0-byte) file,
//   no audio frames, longer than 6 hours,
//   a bad target rate                     InvalidInput
//   not audio / undecodable / a header
//   with a sample rate or channel count
//   <= 0                                  Corrupt
//
// Truncated input is read, not refused, where libsndfile lets it: a recorder killed mid-write
// leaves a file whose audio up to the cut is valid. What happens depends on the format
// (libsndfile 1.2):
//   WAV   the declared data length is clamped to the bytes present, so a WAV cut in half reads
//         as a shorter clip that looks complete (truncated stays false: nothing says otherwise);
//   FLAC  the frames up to the last whole FLAC block are kept, truncated is set;
//   Ogg   (Vorbis, Opus) libsndfile finds the length on the last page; without it the length
//         is unknown, the pages present are decoded and truncated is set. Some cuts (small
//         files, a cut inside the headers) make libsndfile refuse the file: Corrupt.
// A file from which no frame decodes at all is Corrupt.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace imu2clip {

struct AudioClip {
  std::vector<float> samples;  // mono (mean of the channels), at sample_rate_hz
  double sample_rate_hz = 0;   // the rate the caller asked for
  double source_rate_hz = 0;
  int source_channels = 0;
  int64_t source_frames = 0;   // frames decoded from the source, at source_rate_hz
  bool truncated = false;      // decoding stopped before the declared length, or none was declared
};

// The longest input accepted: the clip is held in memory whole, and a longer recording is
// better split by the caller than decoded into gigabytes.
constexpr double kMaxAudioSeconds = 6 * 3600.0;

// Reads `path` and returns it mono at target_rate_hz (resampled by libsamplerate's
// SRC_SINC_MEDIUM_QUALITY converter unless the rates are equal).
AudioClip read_audio_file(const std::string& path, double target_rate_hz);

// The same for a file's bytes in memory (an HTTP upload); `name` stands for the path in errors.
// max_seconds bounds the decoded length (InvalidInput beyond it, checked while decoding): a
// few MiB of Opus can hold hours, so a server passes what it would accept anyway.
AudioClip decode_audio_bytes(const void* data, size_t size, double target_rate_hz,
                             const std::string& name, double max_seconds = kMaxAudioSeconds);

// Resamples mono float audio from from_hz to to_hz (also PCM16 chunks posted live, once
// converted to float). The result has exactly round(n * to_hz / from_hz) samples so window
// arithmetic downstream is exact. NaN input spreads over the converter's filter length.
// Throws Error(InvalidInput) for a rate <= 0 or a ratio outside libsamplerate's 1/256..256.
std::vector<float> resample_audio(const float* x, size_t n, double from_hz, double to_hz);

// True for .wav .flac .ogg .oga .opus (any case): the files `imu2clip tag` treats as audio.
bool has_audio_extension(const std::string& path);

}  // namespace imu2clip
