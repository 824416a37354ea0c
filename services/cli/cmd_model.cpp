// imu2clip model: create and inspect model bundles.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>

#include "common/error.h"
#include "services/cli/commands.h"
#include "services/cli/model_resolver.h"
#include "tagger/eval/product_eval.h"
#include "tagger/model/bundle.h"
#include "tagger/text/label_file.h"

namespace imu2clip::cli {

Runner add_model_command(CLI::App& app) {
  struct Args {
    std::string out, labels_file, tower = "lexical-v1", dtype = "f32", info_path;
    std::string calibrate_model, calibrate_split = "val", cache_dir;
    std::vector<std::string> calibrate_data;
    double coverage = 0.8;
    std::vector<std::string> labels;
    uint64_t seed = 1;
    int window_samples = 1000, gru_hidden = 512, embed_dim = 512, text_dim = 0;
    double rate = 200;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("model", "Create or inspect model bundles");
  cmd->require_subcommand(1);
  auto* init = cmd->add_subcommand("init", "Write a randomly initialised bundle (a starting point for training)");
  init->add_option("--out", a->out, "Output .safetensors")->required();
  init->add_option("--label", a->labels, "A label phrase (repeatable)");
  init->add_option("--labels", a->labels_file, "File with one label phrase per line")->check(CLI::ExistingFile);
  init->add_option("--seed", a->seed, "Random seed");
  init->add_option("--rate", a->rate, "Sample rate in Hz")->check(CLI::PositiveNumber);
  init->add_option("--window-samples", a->window_samples, "Samples per window")->check(CLI::PositiveNumber);
  init->add_option("--gru-hidden", a->gru_hidden, "GRU hidden size")->check(CLI::PositiveNumber);
  init->add_option("--embed-dim", a->embed_dim, "Text space dimension")->check(CLI::PositiveNumber);
  init->add_option("--dtype", a->dtype, "Weight storage: f32 or f16")->check(CLI::IsMember({"f32", "f16"}));
  auto* info = cmd->add_subcommand("info", "Print a bundle's metadata as JSON");
  info->add_option("path", a->info_path, "Bundle (.safetensors); default: the default model");
  auto* calibrate = cmd->add_subcommand(
      "calibrate", "Fit a bundle's confidence calibration on validation data: windows below the fitted threshold "
                   "are logged as 'unclear motion'");
  calibrate->add_option("--model", a->calibrate_model, "Bundle to calibrate; default: the built-in model");
  calibrate->add_option("--data", a->calibrate_data, "Canonical dataset folder (repeatable)")
      ->required()
      ->check(CLI::ExistingDirectory);
  calibrate->add_option("--split", a->calibrate_split, "Split to fit on (never the test split you report)")
      ->capture_default_str();
  calibrate->add_option("--coverage", a->coverage, "Fraction of windows that keep a label (the rest are unclear)")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 1.0));
  calibrate->add_option("--cache", a->cache_dir, "Cache preprocessed windows in this folder");
  calibrate->add_option("--out", a->out, "Calibrated bundle to write (.safetensors)")->required();

  return [a, init, info, calibrate] {
    if (calibrate->parsed()) {
      ResolvedModel m = resolve_model(a->calibrate_model);
      ProductEvalOptions o;
      o.split = a->calibrate_split;
      o.cache_dir = a->cache_dir;
      o.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
      ModelBundle b = m.bundle;
      b.calibration = fit_product_calibration(b, a->calibrate_data, o, a->coverage);
      const bool f16 = !b.encoder_weights.empty() && b.encoder_weights.begin()->second.dtype == DType::F16;
      save_bundle(a->out, b, f16 ? DType::F16 : DType::F32);
      std::printf("wrote %s (model %s): temperature %.4f, unclear below confidence %.4f (coverage %.2f on %s)\n",
                  a->out.c_str(), b.model_id.c_str(), b.calibration.temperature, b.calibration.min_confidence,
                  a->coverage, a->calibrate_split.c_str());
      return 0;
    }
    if (init->parsed()) {
      std::vector<std::string> labels = a->labels;
      if (!a->labels_file.empty()) {
        auto more = read_label_phrases(a->labels_file);
        labels.insert(labels.end(), more.begin(), more.end());
      }
      if (labels.empty()) labels = default_activity_labels();
      EncoderOptions o;
      o.sample_rate_hz = a->rate;
      o.window_samples = a->window_samples;
      o.gru_hidden = a->gru_hidden;
      o.embed_dim = a->embed_dim;
      o.validate();
      nlohmann::json tower_params = {{"dim", o.embed_dim}};
      ModelBundle b = make_untrained_bundle(o, a->tower, tower_params, labels, a->seed);
      save_bundle(a->out, b, a->dtype == "f16" ? DType::F16 : DType::F32);
      std::printf("wrote %s (model %s, %zu labels, untrained)\n", a->out.c_str(), b.model_id.c_str(),
                  b.label_bank.size());
      return 0;
    }
    ResolvedModel m = resolve_model(a->info_path);
    const ModelBundle& b = m.bundle;
    nlohmann::json encoder;
    if (b.is_audio()) {
      to_json(encoder, b.audio);
    } else {
      to_json(encoder, b.encoder);
    }
    nlohmann::json j = {{"model_id", b.model_id},
                        {"origin", m.origin},
                        {"modality", b.modality},
                        {"encoder", encoder},
                        {"window_s", b.window_s()},
                        {"text_tower", {{"id", b.text_tower_id}, {"params", b.text_tower_params}}},
                        {"labels", b.label_bank.labels},
                        {"templates", b.label_bank.templates},
                        {"provenance", b.provenance},
                        {"encoder_tensors", b.encoder_weights.size()}};
    if (!b.label_map.empty()) j["label_map"] = b.label_map.to_json();
    if (b.calibration.enabled()) j["calibration"] = b.calibration.to_json();
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  };
}

}  // namespace imu2clip::cli
