// POST /v1/audio bodies: which Content-Types are PCM16 or whole files, and PCM16 to mono floats.
#include <catch2/catch.hpp>

#include "services/server/audio_request.h"
#include "services/server/http_error.h"

using namespace imu2clip::server;

namespace {

// The field a 400 names, or "<no error>".
template <class F>
std::string rejected_field(F&& f) {
  try {
    f();
  } catch (const HttpError& e) {
    REQUIRE(e.status() == 400);
    return e.field();
  }
  return "<no error>";
}

std::string le16(std::initializer_list<int16_t> samples) {
  std::string out;
  for (int16_t s : samples) {
    const auto u = static_cast<uint16_t>(s);
    out.push_back(static_cast<char>(u & 0xff));
    out.push_back(static_cast<char>(u >> 8));
  }
  return out;
}

}  // namespace

TEST_CASE("audio body: audio/L16 and octet-stream are PCM16 with a rate, audio files are files", "[server][audio]") {
  auto f = parse_audio_content_type("audio/L16;rate=16000", std::nullopt, std::nullopt);
  CHECK(f.kind == AudioBodyFormat::Kind::Pcm16);
  CHECK(f.rate_hz == 16000);
  CHECK(f.channels == 1);
  f = parse_audio_content_type("Audio/L16; rate=\"44100\"; channels=2", std::nullopt, std::nullopt);
  CHECK(f.rate_hz == 44100);
  CHECK(f.channels == 2);
  f = parse_audio_content_type("application/octet-stream", std::string("8000"), std::nullopt);
  CHECK(f.kind == AudioBodyFormat::Kind::Pcm16);
  CHECK(f.rate_hz == 8000);
  // The type's own rate describes the body; the query only fills in a missing one.
  CHECK(parse_audio_content_type("audio/L16;rate=48000", std::string("8000"), std::nullopt).rate_hz == 48000);
  CHECK(parse_audio_content_type("audio/L16", std::string("22050"), std::nullopt).rate_hz == 22050);
  for (const char* type : {"audio/wav", "audio/x-wav", "audio/wave", "audio/flac", "audio/ogg", "audio/opus",
                           "audio/ogg; codecs=opus"}) {
    INFO(type);
    CHECK(parse_audio_content_type(type, std::nullopt, std::nullopt).kind == AudioBodyFormat::Kind::File);
  }
}

TEST_CASE("audio body: bad types, rates and channel counts are refused naming the field", "[server][audio]") {
  auto type = [](const std::string& t, std::optional<std::string> rate = std::nullopt,
                 std::optional<std::string> channels = std::nullopt) {
    return rejected_field([&] { parse_audio_content_type(t, rate, channels); });
  };
  CHECK(type("application/json") == "Content-Type");
  CHECK(type("") == "Content-Type");
  CHECK(type("audio/webm") == "Content-Type");
  CHECK(type("audio/L16") == "rate");
  CHECK(type("application/octet-stream") == "rate");
  CHECK(type("application/octet-stream", std::string("7999")) == "rate");
  CHECK(type("application/octet-stream", std::string("48001")) == "rate");
  CHECK(type("application/octet-stream", std::string("16k")) == "rate");
  CHECK(type("audio/L16;rate=96000") == "Content-Type");
  CHECK(type("audio/L16;rate=16000;channels=3") == "Content-Type");
  CHECK(type("application/octet-stream", std::string("16000"), std::string("0")) == "channels");
}

TEST_CASE("audio body: PCM16 is little-endian, stereo is mixed to mono, partial samples are refused", "[server][audio]") {
  const auto mono = decode_pcm16_body(le16({0, 16384, -32768, 32767}), 1);
  REQUIRE(mono.size() == 4);
  CHECK(mono[0] == 0.f);
  CHECK(mono[1] == 0.5f);
  CHECK(mono[2] == -1.f);
  CHECK(mono[3] == Approx(32767.0 / 32768.0));
  const auto mixed = decode_pcm16_body(le16({16384, -16384, 16384, 0}), 2);
  REQUIRE(mixed.size() == 2);
  CHECK(mixed[0] == 0.f);
  CHECK(mixed[1] == 0.25f);

  CHECK(rejected_field([] { decode_pcm16_body("", 1); }) == "body");
  CHECK(rejected_field([] { decode_pcm16_body("abc", 1); }) == "body");
  CHECK(rejected_field([] { decode_pcm16_body(le16({1, 2, 3}), 2); }) == "body");
}
