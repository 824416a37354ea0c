#pragma once
// Audio the tests write and tag: tones, noise and silence as mono float, saved as 16-bit WAV
// with libsndfile (tests using this link PkgConfig::SNDFILE), and a tiny audio model.
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tagger/model/bundle.h"

namespace imu2clip::test {

inline std::vector<float> tone(double rate, double seconds, double hz, double amplitude = 0.3) {
  std::vector<float> x(static_cast<size_t>(std::lround(rate * seconds)));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(amplitude * std::sin(2 * M_PI * hz * i / rate));
  return x;
}

inline std::vector<float> noise(double rate, double seconds, double amplitude, uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> x(static_cast<size_t>(std::lround(rate * seconds)));
  for (auto& v : x) v = static_cast<float>(amplitude) * u(rng);
  return x;
}

inline std::vector<float> concat(std::vector<float> a, const std::vector<float>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline void write_wav(const std::string& path, int rate, const std::vector<float>& mono) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) throw std::runtime_error("cannot write " + path + ": " + sf_strerror(nullptr));
  sf_writef_float(f, mono.data(), static_cast<sf_count_t>(mono.size()));
  sf_close(f);
}

// A tiny untrained audio model: 1 s windows at 8 kHz, 16 mels, two conv blocks, 32-d lexical
// text space; tags minutes of audio in milliseconds. Needs a test that links imu2clip_model.
inline AudioEncoderOptions small_audio_options() {
  AudioEncoderOptions o;
  o.front_end = {8000, 256, 256, 128, 16, 50, 4000, 1e-6};
  o.window_samples = 8000;
  o.conv_channels = {4, 8};
  o.embed_dim = 32;
  o.dropout = 0;
  return o;
}

inline ModelBundle small_audio_bundle(std::vector<std::string> labels = {"vacuum cleaner running", "person speaking",
                                                                         "water running from a tap"}) {
  return make_untrained_audio_bundle(small_audio_options(), "lexical-v1", {{"dim", 32}}, std::move(labels), 5);
}

// A clip folder in the layout of ../shared/data/audio (clips/ + labels.csv + manifest.json) with
// two clearly different sounds: "water boiling" = broadband noise bursts, "person speaking" =
// a low tone of varying pitch and level. Clips are 0.6-1.2 s at 8 kHz. Fold 1 and 2 are train,
// fold 3 is train too (for --val-fold tests), and `val` / `test` clips follow.
inline void write_two_sound_clip_folder(const std::string& dir, int train_per_label = 12, int val_per_label = 4,
                                        int test_per_label = 4) {
  std::filesystem::create_directories(dir + "/clips");
  std::ofstream labels(dir + "/labels.csv");
  labels << "clip_id,label,source,fold,split\n";
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  int id = 0;
  auto add = [&](const std::string& split, int count) {
    for (int k = 0; k < count; ++k) {
      for (int label = 0; label < 2; ++label) {
        const double seconds = 0.6 + 0.6 * u(rng);
        const double level = 0.1 + 0.3 * u(rng);
        std::vector<float> x;
        if (label == 0) {
          x = noise(8000, seconds, level, static_cast<uint64_t>(id) + 11);
          for (size_t i = 0; i < x.size(); ++i)
            if ((i / 800) % 2) x[i] *= 0.05f;  // 0.1 s bursts
        } else {
          x = tone(8000, seconds, 150 + 100 * u(rng), level);
        }
        const std::string clip = "c" + std::to_string(id++);
        write_wav(dir + "/clips/" + clip + ".wav", 8000, x);
        const int fold = split == "train" ? 1 + k % 3 : 0;
        labels << clip << "," << (label == 0 ? "water boiling" : "person speaking") << ",test:" << label << ","
               << fold << "," << split << "\n";
      }
    }
  };
  add("train", train_per_label);
  add("val", val_per_label);
  add("test", test_per_label);
  std::ofstream(dir + "/manifest.json") << R"({"name": "two-sounds", "version": 1})";
}

}  // namespace imu2clip::test
