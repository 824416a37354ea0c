// Live audio ingest: POST /v1/audio, a microphone's PCM16 chunks or whole audio files, stored
// durably and tagged in the background by the live audio tagger (like /v1/imu for motion).
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "services/server/audio_request.h"
#include "services/server/request_parsing.h"
#include "services/server/router.h"
#include "tagger/audio/audio_file.h"

namespace imu2clip::server {
namespace {

// The route's own limit: a chunk of a live stream, not an upload (16 MiB of PCM16 is 8.7 min
// of 16 kHz mono).
constexpr size_t kMaxAudioBodyBytes = 16u << 20;

void ingest_audio(Call& call) {
  LiveAudioTagger* live = call.state.live_audio.get();
  if (!live) {
    throw unavailable("this server has no audio model, so it cannot tag sound; train one with `imu2clip pretrain "
                      "--modality audio` and restart with `imu2clip serve --audio-model BUNDLE` (or set "
                      "$IMU2CLIP_AUDIO_MODEL)");
  }
  const auto start = call.query("start");
  if (!start || start->empty())
    throw bad_request("POST /v1/audio needs ?start=ISO-8601 (or epoch ms): the wall-clock time of the body's first sample",
                      "start");
  const int64_t start_ms = parse_instant_text(*start, "start", call.user.tz);
  const std::string device = call.query("device").value_or("default");
  if (device.empty() || device.size() > 200) throw bad_request("'device' must have 1 to 200 characters", "device");
  const std::string content_type = call.req.get_header_value("Content-Type");
  const AudioBodyFormat format = parse_audio_content_type(content_type, call.query("rate"), call.query("channels"));

  LiveAudioChunk chunk;
  chunk.device = device;
  chunk.start_utc_ms = start_ms;
  if (format.kind == AudioBodyFormat::Kind::Pcm16) {
    chunk.samples = decode_pcm16_body(call.body, format.channels);
    chunk.sample_rate_hz = format.rate_hz;
  } else {
    if (call.body.empty()) throw bad_request("the body is empty: send the whole " + format.media_type + " file", "body");
    // Decoded straight to the model's rate (mono).
    try {
      // Decoding stops at the user's whole backlog allowance: a small compressed body must not
      // expand into gigabytes of samples before the backlog check refuses it.
      AudioClip clip = decode_audio_bytes(call.body.data(), call.body.size(), live->sample_rate_hz(), "body",
                                          live->max_pending_s());
      chunk.samples = std::move(clip.samples);
      chunk.sample_rate_hz = clip.sample_rate_hz;
    } catch (const Error& e) {
      throw bad_request("the body is not a decodable " + format.media_type + " file: " + e.message(), "body");
    }
  }
  const LiveAudioIngestResult result = live->ingest(call.user.id, chunk);
  call.send_json(202, {{"accepted_samples", result.accepted_samples},
                       {"accepted_s", result.accepted_s},
                       {"recording_id", result.recording_id},
                       {"pending_windows", result.pending_windows}});
}

}  // namespace

void add_audio_routes(Router& router) {
  router.add({"POST", "/v1/audio", "/v1/audio", true, BodyMode::Buffered, kMaxAudioBodyBytes}, ingest_audio);
}

}  // namespace imu2clip::server
