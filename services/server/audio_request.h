#pragma once
// What a POST /v1/audio body is, from its Content-Type (and ?rate= / ?channels=), and raw PCM16
// bodies as mono float samples. Pure and torch-free (imu2clip_server_core); whole audio files
// are decoded by the route with tagger/audio (libsndfile). Every refusal is a 400 HttpError
// naming the field: "Content-Type", "rate", "channels", "body".
#include <optional>
#include <string>
#include <vector>

namespace imu2clip::server {

// The sample rates a PCM16 body may have.
inline constexpr int kMinAudioRateHz = 8000;
inline constexpr int kMaxAudioRateHz = 48000;

struct AudioBodyFormat {
  enum class Kind { Pcm16, File };
  Kind kind = Kind::Pcm16;
  std::string media_type;   // lower case, without parameters: "audio/l16", "audio/wav", ...
  int rate_hz = 0;          // Pcm16 only
  int channels = 1;         // Pcm16 only: 1, or 2 interleaved
};

// audio/L16;rate=R[;channels=1|2] (rate 8000..48000; ?rate= when the type has none),
// application/octet-stream with ?rate= (and ?channels=), or a whole file: audio/wav,
// audio/x-wav, audio/wave, audio/flac, audio/ogg, audio/opus.
AudioBodyFormat parse_audio_content_type(const std::string& content_type, const std::optional<std::string>& rate_query,
                                         const std::optional<std::string>& channels_query);

// Little-endian signed 16-bit samples (interleaved when 2 channels, mixed to mono) scaled to
// full scale 1. Refuses an empty body, an odd byte count, or a partial frame.
std::vector<float> decode_pcm16_body(const std::string& body, int channels);

}  // namespace imu2clip::server
