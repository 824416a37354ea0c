#include "tagger/train/contrastive_step.h"

namespace imu2clip {

StepTensors to_tensors(TrainBatch& b, const TrainingData& data, const torch::Tensor& target_rows,
                       const torch::Tensor& video_rows, bool multi_positive, torch::Device device) {
  StepTensors t;
  t.imu = torch::from_blob(b.imu.data(), {b.size, data.channels, data.samples}, torch::kFloat).to(device);
  const auto rows = torch::from_blob(b.target_row.data(), {b.size}, torch::kLong).to(device);
  t.targets = target_rows.index_select(0, rows);
  if (multi_positive) t.groups = torch::from_blob(b.text.data(), {b.size}, torch::kLong).clone().to(device);
  if (video_rows.defined() && !b.video_row.empty()) {
    std::vector<int64_t> index, row;
    for (int k = 0; k < b.size; ++k)
      if (b.video_row[k] >= 0) index.push_back(k), row.push_back(b.video_row[k]);
    // One row is kept too: a rank's single video row is a pair with other ranks' rows once
    // gathered. The loss itself needs at least two (ContrastiveModel::loss_on_embeddings).
    if (!index.empty()) {
      t.video_index = torch::tensor(index, torch::kLong).to(device);
      t.video = video_rows.index_select(0, torch::tensor(row, torch::kLong).to(device));
    }
  }
  return t;
}

torch::Tensor global_batch_loss(ContrastiveModel& model, const StepTensors& local, DataParallelGroup& group,
                                bool with_video) {
  const auto embedded = model->encoder->embed_unnormalised(local.imu);
  const auto all_embedded = group.all_gather_keep_local_grad(embedded);
  const int64_t n = local.targets.size(0), dim = local.targets.size(1);
  // The frozen targets (and the video rows with a 0/1 column saying which are real) travel in
  // one gather; the group ids in another (int64).
  std::vector<torch::Tensor> columns{local.targets.to(torch::kFloat)};
  if (with_video) {
    auto video = torch::zeros({n, dim}, local.targets.options().dtype(torch::kFloat));
    auto present = torch::zeros({n, 1}, video.options());
    if (local.video.defined()) {
      video.index_copy_(0, local.video_index, local.video.to(torch::kFloat));
      present.index_fill_(0, local.video_index, 1.0);
    }
    columns.push_back(video);
    columns.push_back(present);
  }
  const auto packed = group.all_gather(torch::cat(columns, 1));
  const auto targets = packed.narrow(1, 0, dim);
  const auto groups = local.groups.defined() ? group.all_gather(local.groups) : torch::Tensor();
  torch::Tensor video, video_index;
  if (with_video) {
    video_index = packed.narrow(1, 2 * dim, 1).squeeze(1).nonzero().squeeze(1);
    if (video_index.numel() > 0) video = packed.narrow(1, dim, dim).index_select(0, video_index);
  }
  return model->loss_on_embeddings(all_embedded, targets, groups, video, video_index);
}

std::vector<double> reduce_gradients(ContrastiveModel& model, DataParallelGroup& group, bool global_negatives,
                                     const std::vector<double>& values) {
  std::vector<torch::Tensor> grads;
  std::vector<bool> per_rank_copy;   // the gradient is the same whole-batch one on every rank
  for (auto& p : model->named_parameters(true)) {
    auto& g = p.value().mutable_grad();
    if (!g.defined()) g = torch::zeros_like(p.value());
    grads.push_back(g);
    // Global negatives: each rank's encoder gradient covers its own windows only (sum them),
    // but the temperature sees the whole batch's logits on every rank (average it).
    per_rank_copy.push_back(!global_negatives || p.key() == "log_scale");
  }
  auto extra = torch::tensor(std::vector<float>(values.begin(), values.end()),
                             grads.empty() ? torch::TensorOptions() : grads.front().options());
  grads.push_back(extra);
  group.all_reduce_sum(grads);
  const double world = group.world_size();
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i + 1 < grads.size(); ++i)
    if (per_rank_copy[i]) grads[i].div_(world);
  const auto summed = extra.to(torch::kCPU).to(torch::kDouble);
  std::vector<double> out(values.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = summed[static_cast<int64_t>(i)].item<double>();
  return out;
}

}  // namespace imu2clip
