#include <catch2/catch.hpp>

#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "common/error.h"
#include "tagger/audio/audio_file.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
namespace fs = std::filesystem;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Writes interleaved float frames with libsndfile in the given container/encoding.
void write_audio(const std::string& path, int format, int rate, int channels, const std::vector<float>& interleaved) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  INFO(path << ": " << sf_strerror(nullptr));
  REQUIRE(f != nullptr);
  const auto frames = static_cast<sf_count_t>(interleaved.size() / static_cast<size_t>(channels));
  REQUIRE(sf_writef_float(f, interleaved.data(), frames) == frames);
  sf_close(f);
}

// Stereo: left a 1 kHz tone at 0.5, right the same tone at 0.25, so the mono mix is 0.375.
std::vector<float> stereo_tone(int rate, double seconds) {
  const auto n = static_cast<size_t>(seconds * rate);
  std::vector<float> x(2 * n);
  for (size_t i = 0; i < n; ++i) {
    const double s = std::sin(2 * kPi * 1000.0 * static_cast<double>(i) / rate);
    x[2 * i] = static_cast<float>(0.5 * s);
    x[2 * i + 1] = static_cast<float>(0.25 * s);
  }
  return x;
}

std::vector<float> mono_tone(int rate, double seconds, double hz = 1000.0, double amp = 0.5) {
  std::vector<float> x(static_cast<size_t>(seconds * rate));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(amp * std::sin(2 * kPi * hz * static_cast<double>(i) / rate));
  return x;
}

// Frequency from upward zero crossings over the middle of the signal (the ends carry the
// resampler's edge effects).
double tone_frequency(const std::vector<float>& x, double rate) {
  const size_t from = x.size() / 10, to = x.size() - x.size() / 10;
  size_t first = 0, last = 0, count = 0;
  for (size_t i = from + 1; i < to; ++i) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      if (count == 0) first = i;
      last = i;
      ++count;
    }
  }
  REQUIRE(count > 2);
  return static_cast<double>(count - 1) * rate / static_cast<double>(last - first);
}

double rms(const std::vector<float>& x) {
  double e = 0;
  for (float v : x) e += static_cast<double>(v) * v;
  return std::sqrt(e / static_cast<double>(x.size()));
}

std::vector<char> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const char* data, size_t n) {
  std::ofstream out(path, std::ios::binary);
  out.write(data, static_cast<std::streamsize>(n));
}

// The Error read_audio_file throws for `path`; checks that its context and message name it.
Error read_error(const std::string& path) {
  try {
    read_audio_file(path, 16000);
  } catch (const Error& e) {
    CHECK(e.context().file == path);
    CHECK(std::string(e.what()).find(path) != std::string::npos);
    return e;
  }
  FAIL("no Error for " << path);
  return Error(ErrorKind::Internal, "unreachable");
}

}  // namespace

TEST_CASE("audio reader: 16-bit stereo 44.1 kHz WAV is mixed to mono and resampled to 16 kHz") {
  const std::string dir = test::make_temp_dir("audio-wav");
  const std::string path = dir + "/tone.wav";
  const std::vector<float> stereo = stereo_tone(44100, 1.0);
  write_audio(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, stereo);

  const AudioClip same = read_audio_file(path, 44100);
  CHECK(same.source_channels == 2);
  CHECK(same.source_rate_hz == 44100);
  CHECK(same.source_frames == 44100);
  CHECK_FALSE(same.truncated);
  REQUIRE(same.samples.size() == 44100);
  for (size_t i = 0; i < same.samples.size(); i += 97) {
    // Mean of the channels, each within a 16-bit quantisation step.
    REQUIRE(same.samples[i] == Approx((stereo[2 * i] + stereo[2 * i + 1]) / 2).margin(2.0 / 32768));
  }

  const AudioClip clip = read_audio_file(path, 16000);
  CHECK(clip.sample_rate_hz == 16000);
  CHECK(clip.source_rate_hz == 44100);
  CHECK(clip.samples.size() == 16000);  // round(44100 * 16000 / 44100)
  CHECK(tone_frequency(clip.samples, 16000) == Approx(1000).epsilon(0.002));
  CHECK(rms(clip.samples) == Approx(0.375 / std::sqrt(2.0)).epsilon(0.02));
}

TEST_CASE("audio reader: FLAC and Ogg Vorbis written with libsndfile read back") {
  const std::string dir = test::make_temp_dir("audio-codecs");
  const std::vector<float> x = mono_tone(22050, 0.8, 1000, 0.5);

  const std::string flac = dir + "/tone.FLAC";
  write_audio(flac, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 22050, 1, x);
  const AudioClip lossless = read_audio_file(flac, 22050);
  REQUIRE(lossless.samples.size() == x.size());
  for (size_t i = 0; i < x.size(); i += 31) REQUIRE(lossless.samples[i] == Approx(x[i]).margin(1.0 / 32768));
  const AudioClip flac16k = read_audio_file(flac, 16000);
  CHECK(flac16k.samples.size() == 12800);
  CHECK(tone_frequency(flac16k.samples, 16000) == Approx(1000).epsilon(0.002));

  const std::string ogg = dir + "/tone.ogg";
  write_audio(ogg, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22050, 1, x);
  const AudioClip vorbis = read_audio_file(ogg, 16000);
  CHECK(vorbis.source_frames == static_cast<int64_t>(x.size()));
  CHECK_FALSE(vorbis.truncated);
  CHECK(vorbis.samples.size() == 12800);
  CHECK(tone_frequency(vorbis.samples, 16000) == Approx(1000).epsilon(0.002));
  CHECK(rms(vorbis.samples) == Approx(0.5 / std::sqrt(2.0)).epsilon(0.05));
}

TEST_CASE("audio reader: a shared Ogg Opus clip reads at 16 kHz with its frame count") {
  IMU2CLIP_REQUIRE_SHARED(dir, "audio/clips");
  const std::string path = dir + "/hn-aircon-0-0.ogg";
  if (!fs::exists(path)) {
    WARN("SKIPPED: " << path << " not in this copy of shared/data");
    test::mark_skipped();
    return;
  }
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  REQUIRE(f != nullptr);
  sf_close(f);
  const AudioClip clip = read_audio_file(path, 16000);
  CHECK(clip.source_rate_hz == 16000);
  CHECK(clip.sample_rate_hz == 16000);
  CHECK(clip.source_channels == 1);
  CHECK(clip.source_frames == info.frames);
  CHECK(clip.source_frames == 80000);  // the household-noise clips are 5 s
  CHECK(clip.samples.size() == static_cast<size_t>(info.frames));
  CHECK_FALSE(clip.truncated);
  CHECK(rms(clip.samples) > 0.001);
}

TEST_CASE("audio reader errors name the file: missing, empty, directory, not audio, no frames") {
  const std::string dir = test::make_temp_dir("audio-errors");
  CHECK(read_error(dir + "/missing.wav").kind() == ErrorKind::NotFound);
  CHECK(read_error(dir + "/no/such/dir.wav").kind() == ErrorKind::NotFound);

  const std::string empty = dir + "/empty.wav";
  write_bytes(empty, "", 0);
  const Error e_empty = read_error(empty);
  CHECK(e_empty.kind() == ErrorKind::InvalidInput);
  CHECK(e_empty.message().find("empty") != std::string::npos);

  CHECK(read_error(dir).kind() == ErrorKind::InvalidInput);

  const std::string noise = dir + "/random.wav";
  std::mt19937 rng(42);
  std::vector<char> junk(4096);
  for (auto& c : junk) c = static_cast<char>(rng() & 0xff);
  write_bytes(noise, junk.data(), junk.size());
  CHECK(read_error(noise).kind() == ErrorKind::Corrupt);

  const std::string zero = dir + "/zero-frames.wav";
  write_audio(zero, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, {});
  const Error e_zero = read_error(zero);
  CHECK(e_zero.kind() == ErrorKind::InvalidInput);
  CHECK(e_zero.message().find("no audio frames") != std::string::npos);

  const std::string wav = dir + "/ok.wav";
  write_audio(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, mono_tone(16000, 0.1));
  try {
    read_audio_file(wav, 0);
    FAIL("no Error for a zero target rate");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().file == wav);
    CHECK(e.context().field == "target_rate_hz");
  }
}

TEST_CASE("audio reader: truncated files keep the audio before the cut") {
  const std::string dir = test::make_temp_dir("audio-truncated");
  const std::vector<float> x = mono_tone(16000, 1.0);

  // WAV: libsndfile clamps the declared length to the bytes present, so half a WAV reads as a
  // complete-looking half-length clip.
  const std::string wav = dir + "/full.wav";
  write_audio(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, x);
  const std::vector<char> wav_bytes = file_bytes(wav);
  const std::string half_wav = dir + "/half.wav";
  write_bytes(half_wav, wav_bytes.data(), wav_bytes.size() / 2);
  const AudioClip w = read_audio_file(half_wav, 16000);
  CHECK(w.source_frames > 7900);
  CHECK(w.source_frames < 8000);
  CHECK(w.samples.size() == static_cast<size_t>(w.source_frames));
  CHECK_FALSE(w.truncated);
  for (size_t i = 0; i < w.samples.size(); i += 53) REQUIRE(w.samples[i] == Approx(x[i]).margin(1.0 / 32768));

  // FLAC: the decoder stops at the last whole block and says so.
  const std::string flac = dir + "/full.flac";
  write_audio(flac, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, x);
  const std::vector<char> flac_bytes = file_bytes(flac);
  const std::string half_flac = dir + "/half.flac";
  write_bytes(half_flac, flac_bytes.data(), flac_bytes.size() / 2);
  const AudioClip fl = read_audio_file(half_flac, 16000);
  CHECK(fl.truncated);
  CHECK(fl.source_frames > 0);
  CHECK(fl.source_frames < 16000);
  for (size_t i = 0; i < fl.samples.size(); i += 53) REQUIRE(fl.samples[i] == Approx(x[i]).margin(1.0 / 32768));

  // A cut inside the headers leaves nothing to decode: Corrupt, naming the file.
  const std::string stub = dir + "/stub.flac";
  write_bytes(stub, flac_bytes.data(), 64);
  CHECK(read_error(stub).kind() == ErrorKind::Corrupt);
}

TEST_CASE("audio reader: a cut-short shared Ogg Opus clip keeps its decoded pages") {
  IMU2CLIP_REQUIRE_SHARED(dir, "audio/clips");
  const std::string path = dir + "/hn-aircon-0-0.ogg";
  if (!fs::exists(path)) {
    WARN("SKIPPED: " << path << " not in this copy of shared/data");
    test::mark_skipped();
    return;
  }
  const std::vector<char> bytes = file_bytes(path);
  const AudioClip cut = decode_audio_bytes(bytes.data(), bytes.size() / 2, 16000, "half.ogg");
  CHECK(cut.truncated);
  CHECK(cut.source_frames > 20000);
  CHECK(cut.source_frames < 60000);
}

TEST_CASE("audio bytes in memory decode like the file, errors carry the given name") {
  const std::string dir = test::make_temp_dir("audio-bytes");
  const std::string wav = dir + "/upload.wav";
  write_audio(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, stereo_tone(44100, 0.5));
  const std::vector<char> bytes = file_bytes(wav);
  const AudioClip from_file = read_audio_file(wav, 16000);
  const AudioClip from_bytes = decode_audio_bytes(bytes.data(), bytes.size(), 16000, "upload.wav");
  CHECK(from_bytes.source_channels == 2);
  CHECK(from_bytes.source_frames == from_file.source_frames);
  CHECK(from_bytes.samples == from_file.samples);

  const char junk[] = "this is not audio at all, just some text bytes";
  try {
    decode_audio_bytes(junk, sizeof junk, 16000, "upload-17");
    FAIL("no Error for junk bytes");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Corrupt);
    CHECK(e.context().file == "upload-17");
  }
  try {
    decode_audio_bytes(bytes.data(), 0, 16000, "upload-18");
    FAIL("no Error for zero bytes");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().file == "upload-18");
  }
  // A caller's bound on the decoded length (a server's backlog allowance) stops decoding.
  CHECK(decode_audio_bytes(bytes.data(), bytes.size(), 16000, "upload.wav", 0.6).samples.size() == 8000);
  try {
    decode_audio_bytes(bytes.data(), bytes.size(), 16000, "upload-19", 0.25);
    FAIL("no Error for audio longer than max_seconds");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.message().find("longer than") != std::string::npos);
  }
}

TEST_CASE("resample_audio: exact length, tone kept, bad rates rejected") {
  const std::vector<float> x = mono_tone(48000, 0.5, 440, 0.8);
  const std::vector<float> y = resample_audio(x.data(), x.size(), 48000, 16000);
  CHECK(y.size() == 8000);
  CHECK(tone_frequency(y, 16000) == Approx(440).epsilon(0.002));
  const std::vector<float> up = resample_audio(x.data(), 1001, 48000, 44100);
  CHECK(up.size() == static_cast<size_t>(std::llround(1001 * 44100.0 / 48000)));
  const std::vector<float> same = resample_audio(x.data(), x.size(), 16000, 16000);
  CHECK(same == x);
  CHECK(resample_audio(x.data(), 0, 48000, 16000).empty());
  CHECK_THROWS_AS(resample_audio(x.data(), x.size(), 0, 16000), Error);
  CHECK_THROWS_AS(resample_audio(x.data(), x.size(), 16000, -1), Error);
  CHECK_THROWS_AS(resample_audio(x.data(), x.size(), 16000, 16000 * 300.0), Error);
}

TEST_CASE("has_audio_extension: wav flac ogg oga opus in any case, nothing else") {
  for (const char* p : {"a.wav", "dir/b.FLAC", "c.Ogg", "d.oga", "/x/y/e.opus", "f.WAV"}) {
    INFO(p);
    CHECK(has_audio_extension(p));
  }
  for (const char* p : {"a.csv", "b.wav.gz", "wav", "dir.wav/file", "c.mp3", "", ".", "d.opusx"}) {
    INFO(p);
    CHECK_FALSE(has_audio_extension(p));
  }
}
