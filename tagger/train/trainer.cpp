#include "tagger/train/trainer.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <fstream>
#include <limits>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "common/error.h"
#include "tagger/model/weights_io.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/text_tower.h"
#include "tagger/train/batch_loader.h"
#include "tagger/train/contrastive_model.h"
#include "tagger/train/contrastive_step.h"
#include "tagger/train/data_parallel.h"
#include "tagger/train/lr_schedule.h"
#include "tagger/train/training_device.h"

namespace imu2clip {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int64_t kValidationEpochStream = 0x7fffffff;  // fixed shuffle: the same val batches every epoch

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void check_setup(const TrainSetup& s) {
  s.options.validate();
  if (!s.tower) invalid("tower", "no text tower given");
  if (!s.train || s.train->size() < 2) invalid("data", "training needs at least two labelled windows; check --data and the split");
  s.encoder.validate();
  const int dim = s.encoder.project ? s.encoder.embed_dim : s.encoder.gru_hidden;
  if (dim != s.tower->dim())
    invalid("embed_dim", "the encoder outputs " + std::to_string(dim) + " dimensions but text tower '" + s.tower->id() +
                             "' embeds into " + std::to_string(s.tower->dim()));
  if (s.train->samples < s.encoder.min_window_samples())
    invalid("window", "windows of " + std::to_string(s.train->samples) + " samples are too short for the encoder (needs " +
                          std::to_string(s.encoder.min_window_samples()) + "); use a longer --window or higher --rate");
  if (s.train->channels != s.encoder.in_channels) invalid("channels", "the data has a different channel count than the encoder");
  if (s.val && s.val->size() > 0 &&
      (s.val->samples != s.train->samples || s.val->channels != s.train->channels))
    invalid("val", "validation windows differ in shape from the training windows");
  if (s.train->has_video() && s.train->video_dim != dim)
    invalid("video-emb", "video embeddings have " + std::to_string(s.train->video_dim) +
                             " dimensions; they must live in the text tower's space (" + std::to_string(dim) + ")");
  if (s.templates.empty()) invalid("templates", "no prompt templates given");
}

torch::Tensor matrix_on(const std::vector<float>& rows, int dim, torch::Device device) {
  if (rows.empty() || dim <= 0) return {};
  const int64_t n = static_cast<int64_t>(rows.size()) / dim;
  return torch::from_blob(const_cast<float*>(rows.data()), {n, dim}, torch::kFloat).clone().to(device);
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainOptions& o, std::vector<torch::Tensor> params) {
  if (o.optimizer == "adagrad")
    return std::make_unique<torch::optim::Adagrad>(
        params, torch::optim::AdagradOptions(o.effective_lr()).eps(1e-8).weight_decay(o.weight_decay));
  return std::make_unique<torch::optim::Adam>(params,
                                              torch::optim::AdamOptions(o.effective_lr()).weight_decay(o.weight_decay));
}

// Checkpoint layout in --checkpoint-dir: last.pt (model + optimiser), last.json (epoch, rng,
// history, best), best.safetensors (encoder weights of the best epoch).
struct CheckpointPaths {
  std::string dir, model, meta, best;
  explicit CheckpointPaths(const std::string& d)
      : dir(d), model(d + "/last.pt"), meta(d + "/last.json"), best(d + "/best.safetensors") {}
};

nlohmann::json fingerprint(const TrainSetup& s) {
  nlohmann::json enc = s.encoder;
  return {{"encoder", enc},
          {"tower", s.tower->id()},
          {"tower_params", s.tower->params()},
          {"batch", s.options.batch_size},
          {"optimizer", s.options.optimizer},
          {"train_windows", s.train->size()},
          {"texts", s.train->texts.size()}};
}

void write_json_atomic(const std::string& path, const nlohmann::json& j) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(1) << "\n";
    if (!out.flush()) throw Error(ErrorKind::Io, "cannot write the checkpoint metadata", ErrorContext{tmp, 0, ""});
  }
  fs::rename(tmp, path);
}

std::map<std::string, TensorData> encoder_weights(ContrastiveModel& model) {
  // export_weights reads CPU memory; a CUDA model exports a CPU copy.
  if (model->encoder->parameters().front().device().is_cpu()) return export_weights(*model->encoder);
  ImuEncoder copy(model->encoder->options());
  {
    torch::NoGradGuard no_grad;
    auto src = model->encoder->named_parameters(true);
    for (auto& p : copy->named_parameters(true)) p.value().copy_(src[p.key()].to(torch::kCPU));
    auto src_buffers = model->encoder->named_buffers(true);
    for (auto& b : copy->named_buffers(true)) b.value().copy_(src_buffers[b.key()].to(torch::kCPU));
  }
  return export_weights(*copy);
}

// Mean validation loss over whole batches of the global batch size. In a data-parallel group
// each rank evaluates every world_size-th batch and the sums are all-reduced, so the value is
// the one-process value.
double evaluate(ContrastiveModel& model, const TrainingData& val, const TextTargets& val_targets,
                const torch::Tensor& val_rows, const TrainSetup& s, torch::Device device, DataParallelGroup* group) {
  model->eval();
  torch::NoGradGuard no_grad;
  BatchPlanOptions plan;
  plan.batch_size = s.options.batch_size;
  plan.augment = false;
  plan.random_template = false;
  if (group) {
    plan.shard_count = group->world_size();
    plan.shard_index = group->rank();
    plan.shard_whole_batches = true;
  }
  BatchLoader loader(val, val_targets, {}, plan, s.options.seed, kValidationEpochStream, s.options.prefetch_batches);
  double sum = 0;
  int64_t n = 0;
  while (auto b = loader.next()) {
    auto t = to_tensors(*b, val, val_rows, {}, s.options.multi_positive, device);
    sum += model->loss(t.imu, t.targets, t.groups).item<double>() * b->size;
    n += b->size;
  }
  if (group) {
    auto totals = torch::tensor({sum, static_cast<double>(n)}, torch::kDouble);
    group->all_reduce_sum({totals});
    sum = totals[0].item<double>();
    n = static_cast<int64_t>(totals[1].item<double>());
  }
  model->train();
  return n ? sum / n : std::numeric_limits<double>::quiet_NaN();
}

// Label-bank-style targets (template average) for validation: one deterministic row per text.
TextTargets mean_targets(const TextTargets& t) {
  TextTargets m;
  m.dim = t.dim;
  m.rows = t.mean_rows;
  m.mean_rows = t.mean_rows;
  for (size_t i = 0; i < t.count.size(); ++i) {
    m.offset.push_back(static_cast<int>(i));
    m.count.push_back(1);
  }
  return m;
}

// Two sums over every parameter and buffer; equal on all ranks while they train in step.
std::pair<double, double> parameter_checksum(ContrastiveModel& model) {
  torch::NoGradGuard no_grad;
  double sum = 0, squares = 0;
  for (const auto& p : model->parameters()) {
    const auto d = p.detach().to(torch::kCPU).to(torch::kDouble);
    sum += d.sum().item<double>();
    squares += d.pow(2).sum().item<double>();
  }
  return {sum, squares};
}

// Fails the run when any rank's parameters differ from rank 0's: the ranks would otherwise go
// on training different models while reporting one.
void check_ranks_agree(ContrastiveModel& model, DataParallelGroup& group, int epoch,
                       const std::function<void(const std::string&)>& log) {
  const auto [sum, squares] = parameter_checksum(model);
  const auto all = group.all_gather(torch::tensor({sum, squares}, torch::kDouble).unsqueeze(0)).to(torch::kCPU);
  for (int r = 1; r < group.world_size(); ++r)
    if (all[r][0].item<double>() != all[0][0].item<double>() || all[r][1].item<double>() != all[0][1].item<double>())
      throw Error(ErrorKind::Internal,
                  "after epoch " + std::to_string(epoch) + " rank " + std::to_string(r) +
                      "'s parameters differ from rank 0's; the ranks must run the same build, data and options",
                  ErrorContext{"", 0, "distributed"});
  char line[160];
  std::snprintf(line, sizeof line, "epoch %d: parameter checksum %.17g / %.17g on all %d ranks", epoch, sum, squares,
                group.world_size());
  log(line);
}

}  // namespace

nlohmann::json EpochMetrics::to_json() const {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"epoch", epoch},         {"train_loss", num(train_loss)},       {"val_loss", num(val_loss)},
          {"lr", lr},               {"temperature", temperature},          {"windows_per_s", windows_per_s},
          {"seconds", seconds},     {"data_wait_s", data_wait_s},          {"sync_s", sync_s},
          {"steps", steps}};
}

int default_train_threads() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

TrainResult train_contrastive(const TrainSetup& s, const TrainCallbacks& cb) {
  check_setup(s);
  const TrainOptions& o = s.options;
  const TrainingData& train = *s.train;
  auto log = [&](const std::string& line) {
    if (cb.log) cb.log(line);
  };

  const DistributedOptions& dist = o.distributed;
  if (dist.enabled() && train.size() < static_cast<size_t>(o.batch_size))
    invalid("batch", "data-parallel training needs at least one whole global batch: the training set has " +
                         std::to_string(train.size()) + " windows and --batch is " + std::to_string(o.batch_size));

  TrainResult result;
  // Ranks on one machine share its cores.
  result.threads = o.threads > 0 ? o.threads : std::max(1, default_train_threads() / dist.local_world_size);
  at::set_num_threads(result.threads);
  const torch::Device device = pick_training_device(o.device, dist.local_rank);
  if (device.is_cuda()) {
    // Mixed precision: TF32 tensor-core matmuls/convolutions on Ampere and newer. fp16 autocast
    // is not in the libtorch 1.13 C++ API, and hand-casting the GRU to half would need fp32
    // master weights and loss scaling; TF32 keeps fp32 storage and gives most of the speed.
    at::globalContext().setAllowTF32CuBLAS(true);
    at::globalContext().setAllowTF32CuDNN(true);
    at::globalContext().setBenchmarkCuDNN(true);
    result.device = "cuda:" + std::to_string(device.index());
  } else {
    result.device = "cpu";
  }
  std::unique_ptr<DataParallelGroup> group;
  const bool global_negatives = dist.enabled() && dist.negatives == "global";
  const bool is_main = dist.rank == 0;
  if (dist.enabled()) {
    group = std::make_unique<DataParallelGroup>(dist, device);
    result.world_size = dist.world_size;
    result.backend = group->backend();
    log("rank " + std::to_string(dist.rank) + " of " + std::to_string(dist.world_size) + " (" + group->backend() +
        ", " + dist.negatives + " negatives): " + std::to_string(o.batch_size / dist.world_size) +
        " windows per step of the global batch of " + std::to_string(o.batch_size));
  }
  log("training on " + result.device + " with " + std::to_string(result.threads) + " CPU threads");

  const TextTargets targets = TextTargets::build(*s.tower, train.texts, train.text_is_label, s.templates);
  const torch::Tensor target_rows = matrix_on(targets.rows, targets.dim, device);
  const torch::Tensor video_rows = train.has_video() ? matrix_on(train.video_embeddings, train.video_dim, device)
                                                     : torch::Tensor();
  const bool has_val = s.val && s.val->size() >= 2;
  TextTargets val_targets;
  torch::Tensor val_rows;
  if (has_val) {
    val_targets = mean_targets(TextTargets::build(*s.tower, s.val->texts, s.val->text_is_label, s.templates));
    val_rows = matrix_on(val_targets.rows, val_targets.dim, device);
  }

  ContrastiveModel model{nullptr};
  {
    // Initialisation draws from torch's global generator: one model at a time, so trainers
    // running in threads of one process (data-parallel ranks in a test) start reproducibly.
    static std::mutex init_mutex;
    std::lock_guard<std::mutex> lock(init_mutex);
    torch::manual_seed(o.seed);
    model = ContrastiveModel(s.encoder, o.temperature, o.learn_temperature);
  }
  model->to(device);
  model->train();
  if (group) {
    std::vector<torch::Tensor> state = model->parameters();
    for (const auto& b : model->buffers()) state.push_back(b);
    group->broadcast_from_rank0(state);
  }
  auto optimizer = make_optimizer(o, model->parameters());

  BatchPlanOptions plan;
  plan.batch_size = o.batch_size;
  plan.max_batches = o.max_steps_per_epoch;
  plan.dataset_balance = o.dataset_balance;
  if (group) {
    plan.shard_count = dist.world_size;
    plan.shard_index = dist.rank;
  }
  const int64_t steps_per_epoch = batches_per_epoch(train.size(), plan);
  const int64_t total_steps = steps_per_epoch * o.epochs;

  int start_epoch = 0;
  double best_loss = std::numeric_limits<double>::infinity();
  std::map<std::string, TensorData> best_weights;
  std::optional<CheckpointPaths> ckpt;
  if (!o.checkpoint_dir.empty()) {
    // Every rank resumes from the same files (one machine, or a shared folder); only rank 0
    // writes them.
    ckpt.emplace(o.checkpoint_dir);
    std::error_code ec;
    fs::create_directories(o.checkpoint_dir, ec);
    if (ec) throw Error(ErrorKind::Io, "cannot create the checkpoint folder: " + ec.message(), ErrorContext{o.checkpoint_dir, 0, ""});
  }
  if (o.resume) {
    if (!fs::exists(ckpt->meta) || !fs::exists(ckpt->model))
      throw Error(ErrorKind::NotFound, "no checkpoint to resume from (expected last.pt and last.json); drop --resume to start fresh",
                  ErrorContext{o.checkpoint_dir, 0, "resume"});
    nlohmann::json meta;
    try {
      std::ifstream in(ckpt->meta);
      meta = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
      throw Error(ErrorKind::Corrupt, std::string("unreadable checkpoint metadata: ") + e.what(), ErrorContext{ckpt->meta, 0, ""});
    }
    if (meta.value("fingerprint", nlohmann::json()) != fingerprint(s))
      throw Error(ErrorKind::InvalidInput,
                  "the checkpoint was made with different data, model or batch options; resume with the same command "
                  "or use a new --checkpoint-dir",
                  ErrorContext{ckpt->meta, 0, "fingerprint"});
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(ckpt->model, device);
      model->load(archive);
      torch::serialize::InputArchive opt_archive;
      archive.read("optimizer", opt_archive);
      optimizer->load(opt_archive);
    } catch (const c10::Error& e) {
      throw Error(ErrorKind::Corrupt, std::string("cannot load the checkpoint: ") + e.what_without_backtrace(),
                  ErrorContext{ckpt->model, 0, ""});
    }
    start_epoch = meta.at("epoch").get<int>();
    best_loss = meta.value("best_loss", std::numeric_limits<double>::infinity());
    result.best_epoch = meta.value("best_epoch", 0);
    for (const auto& m : meta.value("history", nlohmann::json::array())) {
      EpochMetrics e;
      e.epoch = m.at("epoch").get<int>();
      e.train_loss = m.at("train_loss").is_null() ? NAN : m.at("train_loss").get<double>();
      e.val_loss = m.at("val_loss").is_null() ? NAN : m.at("val_loss").get<double>();
      e.lr = m.value("lr", 0.0);
      e.temperature = m.value("temperature", 0.0);
      e.windows_per_s = m.value("windows_per_s", 0.0);
      e.seconds = m.value("seconds", 0.0);
      e.data_wait_s = m.value("data_wait_s", 0.0);
      e.sync_s = m.value("sync_s", 0.0);
      e.steps = m.value("steps", int64_t{0});
      result.history.push_back(e);
    }
    if (fs::exists(ckpt->best)) best_weights = read_safetensors(ckpt->best).tensors;
    result.resumed_from_epoch = start_epoch;
    log("resumed after epoch " + std::to_string(start_epoch) + " from " + o.checkpoint_dir);
  }

  const auto run_start = Clock::now();
  int64_t steps_done_this_run = 0;
  for (int epoch = start_epoch + 1; epoch <= o.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    const double sync_at_start = group ? group->collective_seconds() : 0;
    BatchLoader loader(train, targets, o.augment, plan, o.seed, epoch, o.prefetch_batches);
    double loss_sum = 0, lr = 0;
    int64_t step = 0, windows = 0;
    while (auto batch = loader.next()) {
      const int64_t global_step = static_cast<int64_t>(epoch - 1) * steps_per_epoch + step;
      lr = lr_at(o, global_step, total_steps);
      for (auto& group : optimizer->param_groups()) group.options().set_lr(lr);
      auto t = to_tensors(*batch, train, target_rows, video_rows, o.multi_positive, device);
      optimizer->zero_grad();
      auto loss = global_negatives ? global_batch_loss(model, t, *group, video_rows.defined())
                                   : model->loss(t.imu, t.targets, t.groups, t.video, t.video_index);
      loss.backward();
      double value = loss.item<double>();
      bool stop_now = cb.stop && cb.stop->load();
      if (group) {
        // The ranks agree on the reported loss and on stopping (a signal may reach them a step
        // apart), so they leave the loop together.
        const auto summed = reduce_gradients(model, *group, global_negatives, {value, stop_now ? 1.0 : 0.0});
        value = summed[0] / dist.world_size;
        stop_now = summed[1] > 0;
      }
      if (o.grad_clip > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), o.grad_clip);
      optimizer->step();
      if (o.learn_temperature) model->clamp_temperature();
      if (!std::isfinite(value))
        throw Error(ErrorKind::InvalidInput,
                    "the loss became " + std::to_string(value) + " at epoch " + std::to_string(epoch) +
                        "; lower --lr or check the data for extreme values",
                    ErrorContext{"", 0, "lr"});
      loss_sum += value;
      windows += static_cast<int64_t>(batch->size) * dist.world_size;
      ++step;
      ++steps_done_this_run;
      if (cb.on_step) {
        StepProgress p;
        p.epoch = epoch;
        p.epochs = o.epochs;
        p.step = step;
        p.steps = steps_per_epoch;
        p.loss = value;
        p.mean_loss = loss_sum / step;
        const double elapsed = seconds_since(epoch_start);
        p.windows_per_s = elapsed > 0 ? windows / elapsed : 0;
        const double per_step = seconds_since(run_start) / steps_done_this_run;
        p.eta_s = per_step * static_cast<double>((o.epochs - epoch) * steps_per_epoch + (steps_per_epoch - step));
        p.lr = lr;
        cb.on_step(p);
      }
      if (stop_now) {
        result.interrupted = true;
        break;
      }
    }
    if (result.interrupted) {
      log("stopped during epoch " + std::to_string(epoch) + "; keeping the last completed epoch");
      break;
    }
    EpochMetrics m;
    m.epoch = epoch;
    m.steps = step;
    m.train_loss = step ? loss_sum / step : NAN;
    m.lr = lr;
    m.temperature = model->temperature();
    m.data_wait_s = loader.wait_seconds();
    m.sync_s = group ? group->collective_seconds() - sync_at_start : 0;
    const double train_seconds = seconds_since(epoch_start);
    m.windows_per_s = train_seconds > 0 ? windows / train_seconds : 0;
    m.val_loss = has_val ? evaluate(model, *s.val, val_targets, val_rows, s, device, group.get()) : NAN;
    if (group) check_ranks_agree(model, *group, epoch, log);
    m.seconds = seconds_since(epoch_start);
    result.history.push_back(m);

    const double score = has_val ? m.val_loss : m.train_loss;
    if (score < best_loss || best_weights.empty()) {
      best_loss = score;
      result.best_epoch = epoch;
      best_weights = encoder_weights(model);
      if (ckpt && is_main) write_safetensors(ckpt->best, SafetensorsFile{{}, best_weights});
    }
    if (ckpt && is_main) {
      torch::serialize::OutputArchive archive;
      model->save(archive);
      torch::serialize::OutputArchive opt_archive;
      optimizer->save(opt_archive);
      archive.write("optimizer", opt_archive);
      archive.save_to(ckpt->model + ".tmp");
      fs::rename(ckpt->model + ".tmp", ckpt->model);
      nlohmann::json history = nlohmann::json::array();
      for (const auto& h : result.history) history.push_back(h.to_json());
      // Batches derive from (seed, epoch, batch index) and torch draws random numbers only at
      // initialisation, so (seed, next epoch) is the whole RNG state a resume needs.
      write_json_atomic(ckpt->meta, {{"epoch", epoch},
                                     {"rng", {{"seed", o.seed}, {"next_epoch", epoch + 1}}},
                                     {"best_epoch", result.best_epoch},
                                     {"best_loss", best_loss},
                                     {"history", history},
                                     {"fingerprint", fingerprint(s)}});
    }
    if (cb.on_epoch) cb.on_epoch(m);
  }
  if (best_weights.empty()) {
    if (result.interrupted)
      throw Error(ErrorKind::InvalidInput, "training was stopped before the first epoch finished; nothing to export",
                  ErrorContext{"", 0, ""});
    best_weights = encoder_weights(model);  // resumed a finished run: the last epoch's weights
  }
  result.best_loss = best_loss;
  result.encoder_weights = std::move(best_weights);
  return result;
}

ModelBundle make_trained_bundle(const TrainSetup& s, const TrainResult& r, nlohmann::json provenance) {
  ModelBundle b;
  b.encoder = s.encoder;
  b.text_tower_id = s.tower->id();
  b.text_tower_params = s.tower->params();
  std::vector<std::string> labels = s.labels.empty() ? s.train->label_texts() : s.labels;
  b.label_map = s.label_map;
  if (labels.empty()) {
    // Narration-only training: the most frequent narrations become the label set.
    std::vector<std::pair<int, int>> freq(s.train->texts.size());
    for (size_t t = 0; t < freq.size(); ++t) freq[t] = {0, static_cast<int>(t)};
    for (int t : s.train->text) --freq[t].first;
    std::sort(freq.begin(), freq.end());
    for (size_t k = 0; k < freq.size() && k < 64; ++k) labels.push_back(s.train->texts[freq[k].second]);
    std::sort(labels.begin(), labels.end());
  }
  b.label_bank = LabelBank::build(*s.tower, labels, s.templates);
  nlohmann::json history = nlohmann::json::array();
  for (const auto& h : r.history) history.push_back(h.to_json());
  const TrainOptions& o = s.options;
  provenance["kind"] = "pretrained";
  provenance["training"] = {{"batch", o.batch_size},
                            {"epochs", o.epochs},
                            {"optimizer", o.optimizer},
                            {"lr", o.effective_lr()},
                            {"schedule", o.schedule},
                            {"warmup_steps", o.warmup_steps},
                            {"grad_clip", o.grad_clip},
                            {"temperature", o.temperature},
                            {"learn_temperature", o.learn_temperature},
                            {"multi_positive", o.multi_positive},
                            {"augment", o.augment.to_string()},
                            {"dataset_balance", o.dataset_balance},
                            {"seed", o.seed},
                            {"device", r.device},
                            {"threads", r.threads},
                            {"train_windows", s.train->size()},
                            {"val_windows", s.val ? s.val->size() : 0},
                            {"templates", s.templates}};
  provenance["metrics"] = {{"history", history}, {"best_epoch", r.best_epoch},
                           {"best_loss", std::isfinite(r.best_loss) ? nlohmann::json(r.best_loss) : nlohmann::json()},
                           {"interrupted", r.interrupted}};
  b.provenance = std::move(provenance);
  b.encoder_weights = r.encoder_weights;
  return b;
}

}  // namespace imu2clip
