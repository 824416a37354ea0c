// How often the quiet gate calls a real sound quiet.
//
//   imu2clip_audio_gate_report [audio dir] [gate options JSON]
//
// The audio dir (default ../shared/data/audio) holds labels.csv (clip_id,label,...) and
// clips/<clip_id>.ogg; every clip there is a real, audible sound, so each "quiet" verdict is a
// false one. Each clip is gated whole, as it is (the clips are at most about 7 s, the length
// of one tagging window). Synthetic windows check the other side: what must be quiet is.
// Prints one JSON object: per label the clip count, false-quiet count and rate, and the lowest
// levels seen (how much margin the thresholds have); then the synthetic verdicts.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/audio/audio_file.h"
#include "tagger/audio/audio_gate.h"

using namespace imu2clip;

namespace {

constexpr double kRate = 16000;

struct LabelStats {
  int clips = 0;
  int false_quiet = 0;
  double min_rms_dbfs = 1e9;
  double min_peak_block_dbfs = 1e9;
  double max_flatness = 0;
  double min_level_spread_db = 1e9;
  std::vector<std::string> quiet_clips;
};

std::vector<float> noise_at(double dbfs, double seconds, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, static_cast<float>(std::pow(10.0, dbfs / 20)));
  std::vector<float> x(static_cast<size_t>(seconds * kRate));
  for (auto& v : x) v = normal(rng);
  return x;
}

// Pink (1/f) noise by Paul Kellet's filter of white noise, scaled to `dbfs` RMS: room tone
// with its low-frequency rumble.
std::vector<float> pink_noise_at(double dbfs, double seconds, uint32_t seed) {
  std::vector<float> x = noise_at(0, seconds, seed);
  double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, energy = 0;
  for (auto& v : x) {
    const double w = v;
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.96900 * b2 + w * 0.1538520;
    b3 = 0.86650 * b3 + w * 0.3104856;
    b4 = 0.55000 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.0168980;
    v = static_cast<float>(b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362);
    b6 = w * 0.115926;
    energy += static_cast<double>(v) * v;
  }
  const double gain = std::pow(10.0, dbfs / 20) / std::sqrt(energy / static_cast<double>(x.size()));
  for (auto& v : x) v = static_cast<float>(v * gain);
  return x;
}

std::vector<float> tone_at(double dbfs, double hz, double seconds) {
  // A sine's RMS is its amplitude / sqrt(2).
  const double amp = std::pow(10.0, dbfs / 20) * std::sqrt(2.0);
  std::vector<float> x(static_cast<size_t>(seconds * kRate));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(amp * std::sin(2 * M_PI * hz * i / kRate));
  return x;
}

nlohmann::json verdict(const std::vector<float>& x, const AudioGateOptions& o) {
  const GateResult g = gate_window(x.data(), static_cast<int64_t>(x.size()), o);
  return {{"quiet", g.quiet},
          {"rms_dbfs", std::round(g.rms_dbfs * 10) / 10},
          {"spectral_flatness", std::round(g.spectral_flatness * 1000) / 1000},
          {"level_spread_db", std::round(g.level_spread_db * 10) / 10}};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "../shared/data/audio";
  AudioGateOptions options;
  try {
    if (argc > 2) options = nlohmann::json::parse(argv[2]).get<AudioGateOptions>();
    options.validate();

    std::ifstream labels(dir + "/labels.csv");
    if (!labels) throw Error(ErrorKind::NotFound, "cannot open", ErrorContext{dir + "/labels.csv", 0, ""});
    std::string line;
    std::getline(labels, line);  // header
    std::map<std::string, LabelStats> by_label;
    int total = 0, total_quiet = 0;
    while (std::getline(labels, line)) {
      if (line.empty()) continue;
      std::stringstream fields(line);
      std::string id, label;
      std::getline(fields, id, ',');
      std::getline(fields, label, ',');
      const AudioClip clip = read_audio_file(dir + "/clips/" + id + ".ogg", kRate);
      const GateResult g = gate_window(clip.samples.data(), static_cast<int64_t>(clip.samples.size()), options);
      LabelStats& s = by_label[label];
      ++s.clips;
      ++total;
      s.min_rms_dbfs = std::min(s.min_rms_dbfs, g.rms_dbfs);
      s.min_peak_block_dbfs = std::min(s.min_peak_block_dbfs, g.peak_block_dbfs);
      s.max_flatness = std::max(s.max_flatness, g.spectral_flatness);
      s.min_level_spread_db = std::min(s.min_level_spread_db, g.level_spread_db);
      if (g.quiet || g.non_finite) {
        ++s.false_quiet;
        ++total_quiet;
        s.quiet_clips.push_back(id);
      }
    }

    nlohmann::json report;
    report["options"] = options;
    report["clips"] = total;
    report["false_quiet"] = total_quiet;
    report["false_quiet_rate"] = total ? static_cast<double>(total_quiet) / total : 0.0;
    for (const auto& [label, s] : by_label) {
      report["labels"][label] = {{"clips", s.clips},
                                 {"false_quiet", s.false_quiet},
                                 {"false_quiet_rate", static_cast<double>(s.false_quiet) / s.clips},
                                 {"min_rms_dbfs", std::round(s.min_rms_dbfs * 10) / 10},
                                 {"min_peak_block_dbfs", std::round(s.min_peak_block_dbfs * 10) / 10},
                                 {"max_flatness", std::round(s.max_flatness * 1000) / 1000},
                                 {"min_level_spread_db", std::round(s.min_level_spread_db * 10) / 10},
                                 {"quiet_clips", s.quiet_clips}};
    }
    // What must be quiet (silence, faint hiss), what must not (a hum, a tone), and what the
    // gate cannot tell from a faint real sound (pink room tone between the two levels).
    report["synthetic"] = {
        {"digital_silence_5s", verdict(std::vector<float>(5 * 16000, 0.0f), options)},
        {"white_noise_-70dBFS_5s", verdict(noise_at(-70, 5, 1), options)},
        {"white_noise_-55dBFS_5s", verdict(noise_at(-55, 5, 2), options)},
        {"white_noise_-45dBFS_5s", verdict(noise_at(-45, 5, 3), options)},
        {"pink_noise_-80dBFS_5s", verdict(pink_noise_at(-80, 5, 4), options)},
        {"pink_noise_-60dBFS_5s", verdict(pink_noise_at(-60, 5, 5), options)},
        {"tone_100Hz_-55dBFS_5s", verdict(tone_at(-55, 100, 5), options)},
        {"tone_1kHz_-20dBFS_5s", verdict(tone_at(-20, 1000, 5), options)},
    };
    std::cout << report.dump(1) << "\n";
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
