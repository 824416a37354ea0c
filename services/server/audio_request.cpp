#include "services/server/audio_request.h"

#include <cstdint>

#include "common/strings.h"
#include "services/server/http_error.h"

namespace imu2clip::server {
namespace {

const char* const kAccepted =
    "audio/L16;rate=8000..48000[;channels=1|2], application/octet-stream with ?rate=, or a whole file as "
    "audio/wav, audio/x-wav, audio/wave, audio/flac, audio/ogg or audio/opus";

// A whole positive number in [lo, hi], or a 400 naming `field`.
int parse_bounded(const std::string& text, int lo, int hi, const std::string& field, const std::string& what) {
  const std::string t = trim(text);
  bool digits = !t.empty() && t.size() <= 9;
  for (char c : t) digits = digits && c >= '0' && c <= '9';
  const long value = digits ? std::stol(t) : -1;
  if (value < lo || value > hi) {
    throw bad_request(what + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                          ", got '" + text + "'",
                      field);
  }
  return static_cast<int>(value);
}

std::string unquote(std::string_view v) {
  v = trim_view(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return std::string(v);
}

}  // namespace

AudioBodyFormat parse_audio_content_type(const std::string& content_type, const std::optional<std::string>& rate_query,
                                         const std::optional<std::string>& channels_query) {
  const std::vector<std::string> parts = split(content_type, ';');
  AudioBodyFormat out;
  out.media_type = parts.empty() ? "" : lower(trim(parts[0]));
  std::optional<std::string> rate = rate_query, channels = channels_query;
  std::string rate_field = "rate", channels_field = "channels";
  for (size_t i = 1; i < parts.size(); ++i) {
    const auto eq = parts[i].find('=');
    if (eq == std::string::npos) continue;
    const std::string key = lower(trim(std::string_view(parts[i]).substr(0, eq)));
    const std::string value = unquote(std::string_view(parts[i]).substr(eq + 1));
    // The type's own parameters describe the body; they win over the query.
    if (key == "rate") {
      rate = value;
      rate_field = "Content-Type";
    } else if (key == "channels") {
      channels = value;
      channels_field = "Content-Type";
    }
  }
  static const char* const kFiles[] = {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave",
                                       "audio/flac", "audio/x-flac", "audio/ogg", "audio/opus"};
  for (const char* f : kFiles) {
    if (out.media_type == f) {
      out.kind = AudioBodyFormat::Kind::File;
      return out;
    }
  }
  if (out.media_type != "audio/l16" && out.media_type != "application/octet-stream") {
    throw bad_request("Content-Type must be " + std::string(kAccepted) + "; got '" + content_type + "'", "Content-Type");
  }
  out.kind = AudioBodyFormat::Kind::Pcm16;
  if (!rate) {
    throw bad_request(out.media_type == "audio/l16"
                          ? "audio/L16 needs its sample rate: Content-Type: audio/L16;rate=16000 (8000 to 48000 Hz)"
                          : "an application/octet-stream body is PCM16 and needs ?rate= (8000 to 48000 Hz)",
                      "rate");
  }
  out.rate_hz = parse_bounded(*rate, kMinAudioRateHz, kMaxAudioRateHz, rate_field, "the sample rate (rate)");
  if (channels) out.channels = parse_bounded(*channels, 1, 2, channels_field, "channels");
  return out;
}

std::vector<float> decode_pcm16_body(const std::string& body, int channels) {
  if (body.empty()) throw bad_request("the body is empty: send PCM16 samples", "body");
  if (body.size() % 2 != 0) {
    throw bad_request("a PCM16 body has an even number of bytes (2 per sample); got " + std::to_string(body.size()),
                      "body");
  }
  const size_t frame_bytes = 2 * static_cast<size_t>(channels);
  if (body.size() % frame_bytes != 0) {
    throw bad_request("a " + std::to_string(channels) + "-channel PCM16 body is whole frames of " +
                          std::to_string(frame_bytes) + " bytes; got " + std::to_string(body.size()) + " bytes",
                      "body");
  }
  const size_t frames = body.size() / frame_bytes;
  std::vector<float> out(frames);
  const auto* b = reinterpret_cast<const unsigned char*>(body.data());
  for (size_t f = 0; f < frames; ++f) {
    float sum = 0;
    for (int c = 0; c < channels; ++c) {
      const size_t i = f * frame_bytes + 2 * static_cast<size_t>(c);
      const auto u = static_cast<uint16_t>(b[i] | (b[i + 1] << 8));
      sum += static_cast<float>(static_cast<int16_t>(u)) / 32768.f;
    }
    out[f] = sum / static_cast<float>(channels);
  }
  return out;
}

}  // namespace imu2clip::server
