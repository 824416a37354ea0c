#include "tagger/eval/linear_eval.h"

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "common/error.h"
#include "tagger/eval/eval_windows.h"
#include "tagger/eval/metrics.h"
#include "tagger/model/bundle.h"
#include "tagger/model/imu_encoder.h"
#include "tagger/model/weights_io.h"
#include "tagger/model/window_encoder.h"

namespace imu2clip {
namespace {

// Encoder (only when fine-tuning) -> standardisation with fixed statistics -> linear layer.
// The standardisation uses the initial encoder's train-split statistics, so the linear layer
// sees features of unit scale whatever the encoder's embedding geometry (contrastive
// embeddings are often concentrated in a narrow cone) and Adam converges in a few epochs.
class ClassifierImpl : public torch::nn::Module {
 public:
  ClassifierImpl(ImuEncoder encoder, int64_t dim, int64_t classes, torch::Tensor mean, torch::Tensor scale)
      : encoder_(std::move(encoder)) {
    if (encoder_) register_module("encoder", encoder_);
    head_ = register_module("head", torch::nn::Linear(dim, classes));
    mean_ = register_buffer("mean", std::move(mean));
    scale_ = register_buffer("scale", std::move(scale));
  }
  // x: raw windows [N, C, T] when fine-tuning, frozen features [N, dim] otherwise.
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor f = encoder_ ? encoder_->forward(x) : x;
    return head_->forward((f - mean_) / scale_);
  }
  std::vector<torch::Tensor> encoder_parameters() { return encoder_ ? encoder_->parameters() : std::vector<torch::Tensor>{}; }
  std::vector<torch::Tensor> head_parameters() { return head_->parameters(); }

 private:
  ImuEncoder encoder_{nullptr};
  torch::nn::Linear head_{nullptr};
  torch::Tensor mean_, scale_;
};
TORCH_MODULE(Classifier);

torch::Tensor raw_windows(const LabelledWindows& w) {
  return torch::from_blob(const_cast<float*>(w.data.data()),
                          {static_cast<int64_t>(w.size()), w.channels, w.samples}, torch::kFloat);
}

torch::Tensor labels_tensor(const LabelledWindows& w, size_t n_classes) {
  std::vector<int64_t> y(w.label.begin(), w.label.end());
  for (int64_t v : y) {
    if (v < 0 || static_cast<size_t>(v) >= n_classes) {
      throw Error(ErrorKind::Internal, "linear evaluation got a window without a class");
    }
  }
  return torch::tensor(y, torch::kLong);
}

std::map<std::string, TensorData> encoder_weights(const ModelBundle& bundle, bool vanilla, uint64_t seed) {
  if (!vanilla) return bundle.encoder_weights;
  torch::manual_seed(seed);
  ImuEncoder random(bundle.encoder);
  return export_weights(*random);
}

torch::Tensor features(WindowEncoder& encoder, const LabelledWindows& w) {
  if (w.size() == 0) return torch::zeros({0, encoder.dim()});
  std::vector<float> f = encode_windows(encoder, w);
  return torch::from_blob(f.data(), {static_cast<int64_t>(w.size()), encoder.dim()}, torch::kFloat).clone();
}

std::vector<int> predict(Classifier& model, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  model->eval();
  std::vector<int> out;
  out.reserve(static_cast<size_t>(x.size(0)));
  constexpr int64_t kBatch = 512;
  for (int64_t i = 0; i < x.size(0); i += kBatch) {
    const torch::Tensor best = model->forward(x.slice(0, i, std::min(i + kBatch, x.size(0)))).argmax(1);
    const auto acc = best.accessor<int64_t, 1>();
    for (int64_t k = 0; k < best.size(0); ++k) out.push_back(static_cast<int>(acc[k]));
  }
  return out;
}

std::map<std::string, torch::Tensor> snapshot(Classifier& model) {
  std::map<std::string, torch::Tensor> s;
  for (const auto& p : model->named_parameters()) s[p.key()] = p.value().detach().clone();
  return s;
}

void restore(Classifier& model, const std::map<std::string, torch::Tensor>& s) {
  torch::NoGradGuard no_grad;
  for (auto& p : model->named_parameters()) p.value().copy_(s.at(p.key()));
}

}  // namespace

LinearEvalResult train_linear_eval(const ModelBundle& bundle, const LabelledWindows& train,
                                   const LabelledWindows& val, const LabelledWindows& eval,
                                   const std::vector<std::string>& classes, const LinearEvalOptions& options) {
  if (train.size() == 0) {
    throw Error(ErrorKind::InvalidInput,
                "no labelled training windows: probe and finetune train on the dataset's 'train' split",
                ErrorContext{"", 0, "--mode"});
  }
  if (classes.empty()) throw Error(ErrorKind::InvalidInput, "no classes to train on");
  const bool finetune = options.training == HeadTraining::Finetune;
  const int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };

  LinearEvalResult result;
  result.lr = options.lr;
  result.encoder_lr = !finetune ? 0.0 : options.encoder_lr > 0 ? options.encoder_lr
                                      : options.vanilla         ? options.lr
                                                                : options.lr / 10;
  const int epochs = options.epochs > 0 ? options.epochs : finetune ? 5 : 100;
  const auto weights = encoder_weights(bundle, options.vanilla, options.seed);

  // Frozen features of every set with the fast inference path (a probe needs them once; a
  // fine-tune needs the train ones for the standardisation statistics).
  auto frozen = make_window_encoder(bundle.encoder, weights, threads);
  log("encoding " + std::to_string(train.size()) + " train windows");
  const torch::Tensor train_features = features(*frozen, train);
  const torch::Tensor mean = train_features.mean(0);
  const torch::Tensor scale = train_features.std(0).clamp_min(1e-6);

  torch::manual_seed(options.seed);
  ImuEncoder encoder{nullptr};
  if (finetune) {
    encoder = ImuEncoder(bundle.encoder);
    import_weights(*encoder, weights);
  }
  Classifier model(encoder, frozen->dim(), static_cast<int64_t>(classes.size()), mean, scale);

  torch::Tensor train_x, val_x, eval_x;
  if (finetune) {
    train_x = raw_windows(train);
    val_x = raw_windows(val);
    eval_x = raw_windows(eval);
  } else {
    train_x = train_features;
    log("encoding " + std::to_string(val.size() + eval.size()) + " val and evaluation windows");
    val_x = features(*frozen, val);
    eval_x = features(*frozen, eval);
  }
  const torch::Tensor train_y = labels_tensor(train, classes.size());
  const std::vector<int> val_truth = val.label;

  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(model->head_parameters(), std::make_unique<torch::optim::AdamOptions>(options.lr));
  if (finetune) {
    groups.emplace_back(model->encoder_parameters(), std::make_unique<torch::optim::AdamOptions>(result.encoder_lr));
  }
  torch::optim::Adam optimizer(std::move(groups), torch::optim::AdamOptions(options.lr));

  const int64_t n = train_x.size(0), batch = std::max(1, options.batch);
  double best_score = -1;
  std::map<std::string, torch::Tensor> best_state;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    auto last_report = start;
    model->train();
    const torch::Tensor order = torch::randperm(n, torch::kLong);
    double loss_sum = 0;
    int64_t correct = 0;
    for (int64_t i = 0; i < n; i += batch) {
      const torch::Tensor idx = order.slice(0, i, std::min(i + batch, n));
      const torch::Tensor x = train_x.index_select(0, idx), y = train_y.index_select(0, idx);
      const torch::Tensor logits = model->forward(x);
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * static_cast<double>(idx.size(0));
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      const auto now = std::chrono::steady_clock::now();
      if (now - last_report > std::chrono::seconds(10)) {   // long epochs (fine-tuning) still show progress
        last_report = now;
        const int64_t done = std::min(i + batch, n);
        char line[160];
        std::snprintf(line, sizeof line, "epoch %d/%d: %lld/%lld windows, loss %.4f", epoch, epochs,
                      static_cast<long long>(done), static_cast<long long>(n), loss_sum / static_cast<double>(done));
        log(line);
      }
    }
    EpochLog e;
    e.epoch = epoch;
    e.train_loss = loss_sum / static_cast<double>(n);
    e.train_accuracy = static_cast<double>(correct) / static_cast<double>(n);
    double score = epoch;   // without val windows the last epoch wins
    if (val.size() > 0) {
      const ClassificationReport r = classification_report(val_truth, predict(model, val_x), classes);
      e.val_accuracy = r.accuracy;
      e.val_macro_f1 = r.macro_f1;
      score = r.macro_f1;
    }
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.epochs.push_back(e);
    char line[256];
    std::snprintf(line, sizeof line, "epoch %d/%d: loss %.4f, train acc %.3f, val acc %.3f, val macro-F1 %.3f (%.1f s)",
                  epoch, epochs, e.train_loss, e.train_accuracy, e.val_accuracy, e.val_macro_f1, e.seconds);
    log(line);
    if (score > best_score) {
      best_score = score;
      result.best_epoch = epoch;
      best_state = snapshot(model);
    }
  }
  restore(model, best_state);
  result.selected_by = val.size() > 0 ? "val macro-F1" : "last epoch (no val windows)";
  result.epochs_run = epochs;
  result.predicted = predict(model, eval_x);
  return result;
}

}  // namespace imu2clip
