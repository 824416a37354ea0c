#include "tagger/eval/audio_classify.h"

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "common/error.h"
#include "tagger/dataset/audio_clips.h"
#include "tagger/eval/metrics.h"
#include "tagger/model/audio_encoder.h"
#include "tagger/model/bundle.h"
#include "tagger/model/weights_io.h"
#include "tagger/zeroshot/label_scores.h"

namespace imu2clip {
namespace {

torch::Tensor mel_tensor(const AudioClipSet& s) {
  return torch::from_blob(const_cast<float*>(s.log_mels.data()), {static_cast<int64_t>(s.size()), s.n_mels, s.frames},
                          torch::kFloat);
}

torch::Tensor embed(AudioEncoder& encoder, const torch::Tensor& x, bool train_mode) {
  std::vector<torch::Tensor> out;
  for (int64_t b = 0; b < x.size(0); b += 64) out.push_back(encoder->forward(x.narrow(0, b, std::min<int64_t>(64, x.size(0) - b))));
  return out.empty() ? torch::zeros({0, encoder->dim()}) : torch::cat(out);
}

std::vector<int> argmax_rows(const torch::Tensor& logits) {
  const auto a = logits.argmax(1).to(torch::kLong).contiguous();
  return std::vector<int>(a.data_ptr<int64_t>(), a.data_ptr<int64_t>() + a.size(0));
}

// Linear head (probe) or head + encoder (fine-tune), epoch chosen by val macro-F1.
std::vector<int> train_head(const ModelBundle& bundle, AudioEncoder& encoder, const AudioClipSet& train,
                            const AudioClipSet& val, const AudioClipSet& eval, bool finetune,
                            const ClassifyOptions& o, nlohmann::json& details) {
  const int64_t classes = static_cast<int64_t>(eval.label_names.size());
  torch::manual_seed(o.seed);
  std::mt19937_64 rng(o.seed);
  auto head = torch::nn::Linear(encoder->dim(), classes);
  const int epochs = o.epochs > 0 ? o.epochs : (finetune ? 10 : 100);
  std::vector<torch::Tensor> params = head->parameters();
  const double encoder_lr = o.encoder_lr > 0 ? o.encoder_lr : o.lr / 10;
  torch::optim::Adam head_opt(head->parameters(), torch::optim::AdamOptions(o.lr));
  std::unique_ptr<torch::optim::Adam> enc_opt;
  if (finetune) enc_opt = std::make_unique<torch::optim::Adam>(encoder->parameters(), torch::optim::AdamOptions(encoder_lr));
  const auto train_x = mel_tensor(train), val_x = mel_tensor(val), eval_x = mel_tensor(eval);
  const auto train_y = torch::tensor(std::vector<int64_t>(train.labels.begin(), train.labels.end()), torch::kLong);
  torch::Tensor train_f, val_f, eval_f;
  if (!finetune) {
    torch::NoGradGuard g;
    encoder->eval();
    train_f = embed(encoder, train_x, false);
    val_f = embed(encoder, val_x, false);
    eval_f = embed(encoder, eval_x, false);
  }
  double best = -1;
  int best_epoch = 0;
  std::vector<int> best_pred;
  std::vector<int64_t> order(train.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  nlohmann::json log = nlohmann::json::array();
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    if (finetune) encoder->train();
    double loss_sum = 0;
    int steps = 0;
    for (size_t b = 0; b < order.size(); b += static_cast<size_t>(o.batch)) {
      const size_t e = std::min(order.size(), b + static_cast<size_t>(o.batch));
      const auto idx = torch::tensor(std::vector<int64_t>(order.begin() + static_cast<long>(b), order.begin() + static_cast<long>(e)), torch::kLong);
      const auto f = finetune ? encoder->forward(train_x.index_select(0, idx)) : train_f.index_select(0, idx);
      auto loss = torch::cross_entropy_loss(head->forward(f), train_y.index_select(0, idx));
      head_opt.zero_grad();
      if (enc_opt) enc_opt->zero_grad();
      loss.backward();
      head_opt.step();
      if (enc_opt) enc_opt->step();
      loss_sum += loss.item<double>();
      ++steps;
    }
    torch::NoGradGuard g;
    encoder->eval();
    const auto vf = finetune ? embed(encoder, val_x, false) : val_f;
    double score = epoch;  // no validation clips: the last epoch
    if (val.size()) score = classification_report(val.labels, argmax_rows(head->forward(vf)), val.label_names).macro_f1;
    log.push_back({{"epoch", epoch}, {"train_loss", loss_sum / std::max(1, steps)}, {"val_macro_f1", val.size() ? nlohmann::json(score) : nlohmann::json()}});
    if (score > best) {
      best = score;
      best_epoch = epoch;
      best_pred = argmax_rows(head->forward(finetune ? embed(encoder, eval_x, false) : eval_f));
    }
    if (o.log && (epoch % 10 == 0 || finetune)) o.log("epoch " + std::to_string(epoch) + "/" + std::to_string(epochs));
  }
  details["training"] = {{"train_windows", train.size()}, {"val_windows", val.size()}, {"epochs", epochs},
                         {"best_epoch", best_epoch},
                         {"selected_by", val.size() ? "val macro-F1" : "last epoch (no val clips)"},
                         {"history", log}};
  return best_pred;
}

}  // namespace

ClassifyResult run_audio_classify(const ModelBundle& bundle, const ClassifyOptions& o, const std::vector<int>& val_folds) {
  if (!bundle.is_audio())
    throw Error(ErrorKind::InvalidInput, "model " + bundle.model_id + " is an IMU model; --modality audio needs an audio model",
                ErrorContext{"", 0, "model"});
  if (o.mode == ClassifyMode::Product)
    throw Error(ErrorKind::InvalidInput, "product mode evaluates recordings; audio clips support zeroshot, probe and finetune",
                ErrorContext{"", 0, "mode"});
  if (o.threads > 0) at::set_num_threads(o.threads);
  const std::vector<std::string>& labels = o.labels.empty() ? bundle.label_bank.labels : o.labels;
  auto load = [&](std::vector<std::string> splits, std::vector<int> exclude, std::vector<int> only) {
    AudioClipOptions c;
    c.splits = std::move(splits);
    c.exclude_folds = std::move(exclude);
    c.only_folds = std::move(only);
    return restrict_labels(load_audio_clips(o.dataset_dir, bundle.audio, c), labels);
  };
  if (o.log) o.log("decoding split '" + o.split + "' of " + o.dataset_dir);
  const AudioClipSet eval = load({o.split}, {}, {});
  if (eval.size() == 0)
    throw Error(ErrorKind::InvalidInput, "no clips of the model's labels in split '" + o.split + "'",
                ErrorContext{o.dataset_dir, 0, "split"});

  torch::manual_seed(o.seed);
  AudioEncoder encoder(bundle.audio);
  if (!o.vanilla) {
    import_weights(*encoder, bundle.encoder_weights);
  }
  encoder->eval();
  ClassifyResult r;
  r.dataset = eval.dataset;
  std::vector<int> predicted;
  int64_t gate_quiet = 0;
  if (o.mode == ClassifyMode::ZeroShot) {
    std::vector<float> emb;
    {
      torch::NoGradGuard g;
      const auto e = embed(encoder, mel_tensor(eval), false).contiguous();
      emb.assign(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
    }
    LabelBank bank = bundle.label_bank;
    if (!o.labels.empty()) {
      // Candidate phrases outside the bank have no embedding; keep the bank's rows in order.
      bank.labels.clear();
      bank.embeddings.clear();
      for (const auto& l : o.labels) {
        const auto it = std::find(bundle.label_bank.labels.begin(), bundle.label_bank.labels.end(), l);
        if (it == bundle.label_bank.labels.end())
          throw Error(ErrorKind::InvalidInput, "label '" + l + "' is not in the model's label bank", ErrorContext{"", 0, "labels"});
        bank.labels.push_back(l);
        const float* row = bundle.label_bank.row(static_cast<size_t>(it - bundle.label_bank.labels.begin()));
        bank.embeddings.insert(bank.embeddings.end(), row, row + bank.dim);
      }
    }
    const auto scores = cosine_scores(emb.data(), static_cast<int64_t>(eval.size()), bank);
    const int n_labels = static_cast<int>(bank.size());
    // The tagger logs "quiet" for a gated window; here that is a wrong answer of its own.
    std::vector<std::string> report_labels = eval.label_names;
    report_labels.push_back(kQuietSound);
    for (size_t i = 0; i < eval.size(); ++i) {
      if (eval.quiet[i]) {
        predicted.push_back(n_labels);
        ++gate_quiet;
        continue;
      }
      predicted.push_back(top_k(&scores[i * static_cast<size_t>(n_labels)], n_labels, 1)[0].label);
    }
    r.report = classification_report(eval.labels, predicted, report_labels);
    r.details["templates"] = bank.templates;
  } else {
    const AudioClipSet train = load({"train"}, val_folds, {});
    AudioClipSet val = load({"val"}, {}, {});
    if (!val_folds.empty()) append_clips(val, restrict_labels(load({"train"}, {}, val_folds), labels));
    val = restrict_labels(val, labels);
    predicted = train_head(bundle, encoder, restrict_labels(train, labels), val, eval,
                           o.mode == ClassifyMode::Finetune, o, r.details);
    r.report = classification_report(eval.labels, predicted, eval.label_names);
  }
  r.details["gate_quiet"] = gate_quiet;
  r.details["modality"] = "audio";
  r.details["window_s"] = bundle.window_s();
  return r;
}

}  // namespace imu2clip
