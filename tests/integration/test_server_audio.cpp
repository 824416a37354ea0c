// Integration tests of POST /v1/audio: the real `imu2clip serve` with a tiny untrained audio model
// (written by the test), driven over HTTP on loopback. Polls with deadlines, never fixed sleeps:
// CI machines are loaded.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "storage/log_store.h"
#include "tests/integration/test_server_harness.h"
#include "tests/support/audio_fixtures.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using namespace imu2clip::test;
using nlohmann::json;

namespace {

constexpr int64_t kStartMs = 1764604800000;  // 2025-12-01T16:00:00Z
const std::string kLogRange = "/v1/logs?from=2025-12-01T15:00:00Z&to=2025-12-01T18:00:00Z";

// A tiny untrained audio bundle (1 s windows at 8 kHz), written once per test process.
std::string audio_model_path() {
  static const std::string path = [] {
    const std::string p = make_temp_dir("server-audio-model") + "/audio.safetensors";
    ModelBundle bundle = small_audio_bundle();
    save_bundle(p, bundle);
    return p;
  }();
  return path;
}

std::vector<std::string> with_audio_model() { return {"--audio-model", audio_model_path()}; }

std::string pcm16_le(const std::vector<float>& x) {
  std::string out;
  out.reserve(2 * x.size());
  for (float v : x) {
    const auto s = static_cast<int16_t>(std::lrint(std::clamp(v * 32768.f, -32768.f, 32767.f)));
    const auto u = static_cast<uint16_t>(s);
    out.push_back(static_cast<char>(u & 0xff));
    out.push_back(static_cast<char>(u >> 8));
  }
  return out;
}

httplib::Result post_audio(httplib::Client& c, const std::string& token, const std::string& query,
                           const std::string& body, const std::string& content_type) {
  return c.Post(("/v1/audio" + query).c_str(), bearer(token), body, content_type.c_str());
}

json error_of(const httplib::Result& r, int status) {
  const json body = json_of(r);
  CHECK(r->status == status);
  REQUIRE(body.contains("error"));
  return body["error"];
}

// The user's log entries with modality "audio", polled until at least `want` exist or 120 s pass.
json audio_entries_eventually(httplib::Client& c, const std::string& token, size_t want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  json audio = json::array();
  while (true) {
    const json logs = json_of(c.Get(kLogRange.c_str(), bearer(token)));
    audio = json::array();
    for (const auto& e : logs["entries"])
      if (e["modality"] == "audio") audio.push_back(e);
    if (audio.size() >= want || std::chrono::steady_clock::now() > deadline) return audio;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Seconds of audio the log entries cover.
double covered_s(const json& entries) {
  double s = 0;
  for (const auto& e : entries) s += e["duration_s"].get<double>();
  return s;
}

}  // namespace

TEST_CASE("POST /v1/audio takes PCM16 chunks and whole files and the log gets Audio lines", "[integration][server][audio]") {
  ServerProcess server(with_audio_model());
  auto c = server.client();
  const std::string token = server.first_token();

  // 3 s + 4 s of a tone at 16 kHz, resampled to the model's 8 kHz.
  auto r = post_audio(*c, token, "?start=" + std::to_string(kStartMs) + "&device=kitchen",
                      pcm16_le(tone(16000, 3, 440)), "audio/L16;rate=16000;channels=1");
  json body = json_of(r);
  REQUIRE(r->status == 202);
  CHECK(body["accepted_samples"] == 24000);
  CHECK(body["accepted_s"].get<double>() == Approx(3.0));
  const int64_t recording = body["recording_id"].get<int64_t>();
  CHECK(body["pending_windows"].get<int64_t>() >= 0);
  r = post_audio(*c, token, "?start=2025-12-01T16:00:03Z&device=kitchen", pcm16_le(tone(16000, 4, 660)),
                 "audio/L16;rate=16000");
  body = json_of(r);
  REQUIRE(r->status == 202);
  CHECK(body["accepted_samples"] == 32000);
  CHECK(body["recording_id"] == recording);

  // A stereo chunk as application/octet-stream with ?rate=, on another device.
  std::vector<float> stereo;
  for (float v : tone(8000, 2, 300)) {
    stereo.push_back(v);
    stereo.push_back(v);
  }
  r = post_audio(*c, token, "?start=" + std::to_string(kStartMs) + "&device=phone&rate=8000&channels=2",
                 pcm16_le(stereo), "application/octet-stream");
  body = json_of(r);
  REQUIRE(r->status == 202);
  CHECK(body["accepted_samples"] == 16000);
  CHECK(body["recording_id"] != recording);

  // A whole WAV file.
  const std::string wav = server.dir() + "/clip.wav";
  write_wav(wav, 22050, tone(22050, 1.25, 500));
  std::ifstream in(wav, std::ios::binary);
  const std::string wav_bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  r = post_audio(*c, token, "?start=" + std::to_string(kStartMs + 3600000) + "&device=recorder", wav_bytes, "audio/wav");
  body = json_of(r);
  REQUIRE(r->status == 202);
  CHECK(body["accepted_samples"] == 10000);

  // The kitchen's 7 s are 7 whole windows, the phone's 2 s two, the file's 1.25 s one (its
  // 0.25 s tail, under half a window, is never tagged); the log shows them as Audio lines.
  json audio = audio_entries_eventually(*c, token, 1);
  REQUIRE_FALSE(audio.empty());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (covered_s(audio) < 7 + 2 + 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    audio = audio_entries_eventually(*c, token, 1);
  }
  CHECK(covered_s(audio) == Approx(10.0));  // kitchen 7 + phone 2 + the file's whole second
  for (const auto& e : audio) {
    CHECK(e["line"].get<std::string>().find("Audio: ") != std::string::npos);
    CHECK(e["text"].is_string());
  }

  const std::string metrics = c->Get("/metrics")->body;
  CHECK(metrics.find("imu2clip_audio_seconds_ingested_total 10.25\n") != std::string::npos);
}

TEST_CASE("POST /v1/audio refuses bad requests with the field, and bodies over 16 MiB with 413", "[integration][server][audio]") {
  ServerProcess server(with_audio_model());
  auto c = server.client();
  const std::string token = server.first_token();
  const std::string chunk = pcm16_le(tone(16000, 0.5, 440));
  const std::string start = "?start=" + std::to_string(kStartMs);

  CHECK(c->Post("/v1/audio?start=0", chunk, "audio/L16;rate=16000")->status == 401);
  CHECK(error_of(post_audio(*c, token, "", chunk, "audio/L16;rate=16000"), 400)["field"] == "start");
  CHECK(error_of(post_audio(*c, token, "?start=yesterday", chunk, "audio/L16;rate=16000"), 400)["field"] == "start");
  CHECK(error_of(post_audio(*c, token, start, chunk, "application/json"), 400)["field"] == "Content-Type");
  CHECK(error_of(post_audio(*c, token, start, chunk, "audio/L16"), 400)["field"] == "rate");
  CHECK(error_of(post_audio(*c, token, start, chunk, "audio/L16;rate=4000"), 400)["field"] == "Content-Type");
  CHECK(error_of(post_audio(*c, token, start, chunk + "x", "audio/L16;rate=16000"), 400)["field"] == "body");
  CHECK(error_of(post_audio(*c, token, start, "RIFF....not a wav", "audio/wav"), 400)["field"] == "body");
  CHECK(error_of(post_audio(*c, token, start + "&device=", chunk, "audio/L16;rate=16000"), 400)["field"] == "device");

  std::string huge((16u << 20) + 2, '\0');
  CHECK(error_of(post_audio(*c, token, start, huge, "audio/L16;rate=16000"), 413)["code"] == "payload_too_large");

  // After the refusals the device's time line is untouched: the first good chunk is accepted,
  // and one that starts before its end is refused naming `start`.
  auto r = post_audio(*c, token, start, chunk, "audio/L16;rate=16000");
  REQUIRE(r);
  CHECK(r->status == 202);
  CHECK(error_of(post_audio(*c, token, "?start=" + std::to_string(kStartMs + 100), chunk, "audio/L16;rate=16000"),
                 400)["field"] == "start");
}

TEST_CASE("POST /v1/audio answers 503 saying how to get an audio model when the server has none", "[integration][server][audio]") {
  ServerProcess server;
  if (server.stderr_text().find("serving without sound tagging") == std::string::npos) {
    WARN("this server found an audio model ($IMU2CLIP_AUDIO_MODEL or a built-in one): the 503 is not exercised");
    return;
  }
  auto c = server.client();
  const json e = error_of(post_audio(*c, server.first_token(), "?start=" + std::to_string(kStartMs),
                                     pcm16_le(tone(16000, 0.5, 440)), "audio/L16;rate=16000"),
                          503);
  const std::string message = e["message"];
  CHECK(message.find("imu2clip pretrain --modality audio") != std::string::npos);
  CHECK(message.find("--audio-model") != std::string::npos);
}

TEST_CASE("audio acknowledged with 202 survives SIGKILL and is tagged after a restart", "[integration][server][audio]") {
  auto server = std::make_unique<ServerProcess>(with_audio_model());
  const std::string db = server->db();
  const std::string token = server->first_token();
  {
    auto c = server->client();
    for (int k = 0; k < 4; ++k) {
      auto r = post_audio(*c, token, "?start=" + std::to_string(kStartMs + 30000 * k) + "&device=kitchen",
                          pcm16_le(noise(16000, 30, 0.2, static_cast<uint64_t>(k))), "audio/L16;rate=16000");
      REQUIRE(r);
      REQUIRE(r->status == 202);
    }
  }
  server.reset();  // SIGKILL: no flush, no clean shutdown
  int64_t tagged_before = 0;
  {
    LogStore store(db);
    tagged_before = store.count("windows");
    // Everything acknowledged is on disk: tagged windows plus the stored, untagged audio.
    const auto pending = store.live_audio().pending();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].end_samples == 120 * 8000);
  }
  INFO("windows tagged before the kill: " << tagged_before);

  ServerProcess restarted(with_audio_model(), db);
  auto c = restarted.client();
  const json audio = [&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    json entries = audio_entries_eventually(*c, token, 1);
    while (covered_s(entries) < 120 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      entries = audio_entries_eventually(*c, token, 1);
    }
    return entries;
  }();
  CHECK(covered_s(audio) == Approx(120.0));
  CHECK(audio.front()["t_utc_ms"] == kStartMs);
  LogStore store(db);
  CHECK(store.count("windows") == 120);  // each window once
}
