#include "tagger/train/audio_trainer.h"

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "tagger/eval/metrics.h"
#include "tagger/model/audio_encoder.h"
#include "tagger/model/weights_io.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/text_tower.h"
#include "tagger/train/contrastive_loss.h"
#include "tagger/train/lr_schedule.h"
#include "tagger/train/training_device.h"

namespace imu2clip {
namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

void check_setup(const AudioTrainSetup& s) {
  s.encoder.validate();
  s.options.validate();
  if (!s.tower) invalid("tower", "no text tower given");
  if (s.tower->dim() != s.encoder.embed_dim)
    invalid("embed_dim", "the audio encoder's embed_dim " + std::to_string(s.encoder.embed_dim) +
                             " differs from the text tower's " + std::to_string(s.tower->dim()));
  if (!s.train || s.train->size() < 2) invalid("data", "fewer than 2 training clips");
  const int frames = s.encoder.frames();
  for (const AudioClipSet* set : {s.train, s.val})
    if (set && set->size() && (set->n_mels != s.encoder.front_end.n_mels || set->frames != frames))
      invalid("data", "clips were prepared with another front end (" + std::to_string(set->n_mels) + " mels x " +
                          std::to_string(set->frames) + " frames; the model needs " +
                          std::to_string(s.encoder.front_end.n_mels) + " x " + std::to_string(frames) + ")");
  if (s.templates.empty()) invalid("templates", "no prompt templates given");
}

// In log-mel space: log(e^x * g) = x + log g, floored where the front end floors silence.
torch::Tensor augment_batch(torch::Tensor x, const AudioAugmentOptions& a, double log_floor, std::mt19937_64& rng) {
  const int64_t n = x.size(0), mels = x.size(1), frames = x.size(2);
  const float floor_value = static_cast<float>(std::log(log_floor));
  std::uniform_real_distribution<double> unit(0, 1);
  if (a.shift) {
    std::vector<torch::Tensor> rows;
    for (int64_t i = 0; i < n; ++i)
      rows.push_back(x[i].roll({static_cast<int64_t>(unit(rng) * frames)}, {1}));
    x = torch::stack(rows);
  }
  if (a.mix && n > 1) {
    auto other = x.roll({1}, {0});
    std::vector<float> offsets(static_cast<size_t>(n));
    for (auto& o : offsets) {
      const double db = a.mix_db_min + unit(rng) * (a.mix_db_max - a.mix_db_min);
      o = unit(rng) < a.mix_probability ? static_cast<float>(-db * std::log(10.0) / 10.0)
                                        : -std::numeric_limits<float>::infinity();
    }
    auto off = torch::from_blob(offsets.data(), {n, 1, 1}, torch::kFloat).clone().to(x.device());
    x = torch::logaddexp(x, other + off);
  }
  if (a.gain) {
    std::vector<float> g(static_cast<size_t>(n));
    for (auto& v : g) v = static_cast<float>((unit(rng) * 2 - 1) * a.gain_db * std::log(10.0) / 10.0);
    x = torch::clamp_min(x + torch::from_blob(g.data(), {n, 1, 1}, torch::kFloat).clone().to(x.device()), floor_value);
  }
  if (a.mask) {
    x = x.clone();
    for (int64_t i = 0; i < n; ++i) {
      const float fill = x[i].mean().item<float>();
      for (int k = 0; k < a.time_masks; ++k) {
        const int64_t w = static_cast<int64_t>(unit(rng) * a.time_mask_frames);
        const int64_t t0 = static_cast<int64_t>(unit(rng) * std::max<int64_t>(1, frames - w));
        if (w > 0) x[i].narrow(1, t0, std::min(w, frames - t0)).fill_(fill);
      }
      for (int k = 0; k < a.freq_masks; ++k) {
        const int64_t w = static_cast<int64_t>(unit(rng) * a.freq_mask_bins);
        const int64_t f0 = static_cast<int64_t>(unit(rng) * std::max<int64_t>(1, mels - w));
        if (w > 0) x[i].narrow(0, f0, std::min(w, mels - f0)).fill_(fill);
      }
    }
  }
  return x;
}

torch::Tensor clip_tensor(const AudioClipSet& set) {
  return torch::from_blob(const_cast<float*>(set.log_mels.data()),
                          {static_cast<int64_t>(set.size()), set.n_mels, set.frames}, torch::kFloat);
}

}  // namespace

AudioAugmentOptions AudioAugmentOptions::parse(const std::string& list) {
  AudioAugmentOptions a;
  for (const auto& raw : split(list, ',')) {
    const std::string item = trim(raw);
    if (item.empty() || item == "none") continue;
    if (item == "gain") a.gain = true;
    else if (item == "shift") a.shift = true;
    else if (item == "mix") a.mix = true;
    else if (item == "mask") a.mask = true;
    else invalid("augment", "unknown audio augmentation '" + item + "' (gain, shift, mix, mask or none)");
  }
  return a;
}

std::string AudioAugmentOptions::to_string() const {
  std::vector<std::string> on;
  if (gain) on.push_back("gain");
  if (shift) on.push_back("shift");
  if (mix) on.push_back("mix");
  if (mask) on.push_back("mask");
  return on.empty() ? "none" : join(on, ",");
}

nlohmann::json AudioEpochMetrics::to_json() const {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  return {{"epoch", epoch},         {"train_loss", num(train_loss)}, {"val_accuracy", num(val_accuracy)},
          {"val_macro_f1", num(val_macro_f1)}, {"seconds", seconds}, {"clips_per_s", clips_per_s}, {"lr", lr}};
}

std::vector<std::string> default_sound_templates() {
  return {"{label}", "the sound of {label}", "a recording of {label}", "you can hear {label}",
          "{label} in the background"};
}

AudioTrainResult train_audio_contrastive(const AudioTrainSetup& s, const TrainCallbacks& cb,
                                         const std::function<void(const AudioEpochMetrics&)>& on_epoch) {
  check_setup(s);
  const TrainOptions& o = s.options;
  auto log = [&](const std::string& line) {
    if (cb.log) cb.log(line);
  };
  AudioTrainResult result;
  result.threads = o.threads > 0 ? o.threads : default_train_threads();
  at::set_num_threads(result.threads);
  const torch::Device device = pick_training_device(o.device);
  result.device = device.is_cuda() ? "cuda:0" : "cpu";
  log("training the audio encoder on " + result.device + " with " + std::to_string(result.threads) + " CPU threads");

  // Targets: every (label, template) text; a clip draws one template per step.
  const AudioClipSet& train = *s.train;
  const int dim = s.encoder.embed_dim;
  const int64_t n_labels = static_cast<int64_t>(train.label_names.size());
  const int64_t n_templates = static_cast<int64_t>(s.templates.size());
  std::vector<float> text_rows;
  for (const auto& label : train.label_names)
    for (const auto& t : s.templates) {
      std::string text = t;
      text.replace(text.find("{label}"), 7, label);
      const auto e = s.tower->embed(text);
      text_rows.insert(text_rows.end(), e.begin(), e.end());
    }
  const torch::Tensor targets =
      torch::from_blob(text_rows.data(), {n_labels * n_templates, dim}, torch::kFloat).clone().to(device);

  // Validation: zero-shot against the label bank the bundle will carry.
  const bool has_val = s.val && s.val->size() > 0;
  AudioClipSet val;
  torch::Tensor val_x, bank_rows;
  if (has_val) {
    val = restrict_labels(*s.val, train.label_names);
    const LabelBank bank = LabelBank::build(*s.tower, train.label_names, s.templates);
    bank_rows = torch::from_blob(const_cast<float*>(bank.embeddings.data()), {n_labels, dim}, torch::kFloat)
                    .clone().to(device);
    val_x = clip_tensor(val).to(device);
  }

  torch::manual_seed(o.seed);
  std::mt19937_64 rng(o.seed);
  AudioEncoder encoder(s.encoder);
  encoder->to(device);
  torch::Tensor log_scale = torch::full({}, std::log(1.0 / o.temperature), torch::TensorOptions().device(device));
  if (o.learn_temperature) log_scale.set_requires_grad(true);
  std::vector<torch::Tensor> params = encoder->parameters();
  if (o.learn_temperature) params.push_back(log_scale);
  torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(o.effective_lr()).weight_decay(o.weight_decay));

  const torch::Tensor all_x = clip_tensor(train).to(device);
  std::vector<int64_t> order(train.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  const int64_t batch = std::min<int64_t>(o.batch_size, static_cast<int64_t>(train.size()));
  int64_t steps_per_epoch = static_cast<int64_t>(train.size()) / batch;
  if (o.max_steps_per_epoch > 0) steps_per_epoch = std::min<int64_t>(steps_per_epoch, o.max_steps_per_epoch);
  const int64_t total_steps = steps_per_epoch * o.epochs;
  const double log_floor = s.encoder.front_end.log_floor;
  double best_f1 = -1;
  int64_t step = 0;
  const auto run_start = std::chrono::steady_clock::now();

  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    std::shuffle(order.begin(), order.end(), rng);
    encoder->train();
    double loss_sum = 0;
    int64_t steps_done = 0;
    for (int64_t b = 0; b < steps_per_epoch; ++b, ++step) {
      if (cb.stop && cb.stop->load()) {
        result.interrupted = true;
        break;
      }
      std::vector<int64_t> idx(order.begin() + b * batch, order.begin() + (b + 1) * batch);
      std::vector<int64_t> groups, rows;
      std::uniform_int_distribution<int64_t> pick_template(0, n_templates - 1);
      for (int64_t i : idx) {
        const int64_t label = train.labels[static_cast<size_t>(i)];
        groups.push_back(label);
        rows.push_back(label * n_templates + pick_template(rng));
      }
      const auto index = torch::tensor(idx, torch::kLong).to(device);
      torch::Tensor x = augment_batch(all_x.index_select(0, index), s.augment, log_floor, rng);
      const auto b_targets = targets.index_select(0, torch::tensor(rows, torch::kLong).to(device));
      const auto g = o.multi_positive ? torch::tensor(groups, torch::kLong).to(device) : torch::Tensor();
      const double lr = lr_at(o, step, total_steps);
      for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
      optimizer.zero_grad();
      auto loss = symmetric_info_nce(encoder->embed_unnormalised(x), b_targets,
                                     log_scale.clamp(0, std::log(100.0)).exp(), g);
      loss.backward();
      if (o.grad_clip > 0) torch::nn::utils::clip_grad_norm_(params, o.grad_clip);
      optimizer.step();
      loss_sum += loss.item<double>();
      ++steps_done;
      if (cb.on_step) {
        StepProgress p;
        p.epoch = epoch;
        p.epochs = o.epochs;
        p.step = b + 1;
        p.steps = steps_per_epoch;
        p.loss = loss.item<double>();
        p.mean_loss = loss_sum / static_cast<double>(steps_done);
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
        p.windows_per_s = static_cast<double>((step + 1) * batch) / std::max(1e-9, elapsed);
        p.eta_s = elapsed / static_cast<double>(step + 1) * static_cast<double>(total_steps - step - 1);
        p.lr = lr;
        cb.on_step(p);
      }
    }
    if (steps_done == 0) break;
    AudioEpochMetrics m;
    m.epoch = epoch;
    m.train_loss = loss_sum / static_cast<double>(steps_done);
    m.lr = lr_at(o, step, total_steps);
    m.val_accuracy = m.val_macro_f1 = std::numeric_limits<double>::quiet_NaN();
    if (has_val && val.size()) {
      encoder->eval();
      torch::NoGradGuard no_grad;
      std::vector<torch::Tensor> outs;
      for (int64_t b = 0; b < val_x.size(0); b += 128) outs.push_back(encoder->forward(val_x.narrow(0, b, std::min<int64_t>(128, val_x.size(0) - b))));
      const auto predicted = torch::cat(outs).matmul(bank_rows.t()).argmax(1).to(torch::kCPU);
      std::vector<int> pred(static_cast<size_t>(predicted.size(0)));
      for (size_t i = 0; i < pred.size(); ++i) pred[i] = static_cast<int>(predicted[static_cast<int64_t>(i)].item<int64_t>());
      const auto report = classification_report(val.labels, pred, val.label_names);
      m.val_accuracy = report.accuracy;
      m.val_macro_f1 = report.macro_f1;
    }
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m.clips_per_s = static_cast<double>(steps_done * batch) / std::max(1e-9, m.seconds);
    result.history.push_back(m);
    const double score = has_val ? m.val_macro_f1 : static_cast<double>(epoch);
    if (score > best_f1) {
      best_f1 = score;
      result.best_epoch = epoch;
      encoder->to(torch::kCPU);
      result.encoder_weights = export_weights(*encoder);
      encoder->to(device);
    }
    if (on_epoch) on_epoch(m);
    if (result.interrupted) break;
  }
  if (result.encoder_weights.empty()) {
    encoder->to(torch::kCPU);
    result.encoder_weights = export_weights(*encoder);
  }
  return result;
}

ModelBundle make_trained_audio_bundle(const AudioTrainSetup& s, const AudioTrainResult& r, nlohmann::json provenance) {
  ModelBundle b;
  b.modality = "audio";
  b.audio = s.encoder;
  b.text_tower_id = s.tower->id();
  b.text_tower_params = s.tower->params();
  b.label_bank = LabelBank::build(*s.tower, s.train->label_names, s.templates);
  b.encoder_weights = r.encoder_weights;
  nlohmann::json history = nlohmann::json::array();
  for (const auto& h : r.history) history.push_back(h.to_json());
  const TrainOptions& o = s.options;
  provenance["kind"] = "pretrained";
  provenance["training"] = {{"batch", o.batch_size},      {"epochs", o.epochs},
                            {"optimizer", "adamw"},       {"lr", o.effective_lr()},
                            {"weight_decay", o.weight_decay}, {"schedule", o.schedule},
                            {"warmup_steps", o.warmup_steps}, {"temperature", o.temperature},
                            {"learn_temperature", o.learn_temperature}, {"multi_positive", o.multi_positive},
                            {"augment", s.augment.to_string()}, {"seed", o.seed},
                            {"device", r.device},         {"threads", r.threads},
                            {"train_clips", s.train->size()}, {"val_clips", s.val ? s.val->size() : 0},
                            {"templates", s.templates}};
  provenance["metrics"] = {{"history", history},
                           {"best_epoch", r.best_epoch},
                           {"selected_by", s.val ? "val zero-shot macro-F1" : "last epoch (no validation clips)"}};
  b.provenance = std::move(provenance);
  b.model_id = compute_model_id(b);
  return b;
}

}  // namespace imu2clip
