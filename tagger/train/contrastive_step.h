#pragma once
// Torch header. The tensors of one contrastive training step and its loss, in one process or
// across the ranks of a data-parallel group, plus the gradient reduction that makes N ranks
// step as one: with global negatives every rank computes the loss of the whole global batch
// (its own embeddings keep their gradient, the others' are gathered copies), so the summed
// gradients are exactly the one-process gradients; with local negatives each rank's loss is
// its slice's and the gradients are averaged, as in PyTorch's DistributedDataParallel.
#include <vector>

#include <torch/torch.h>

#include "tagger/train/batch_loader.h"
#include "tagger/train/contrastive_model.h"
#include "tagger/train/data_parallel.h"

namespace imu2clip {

// One step's tensors from a batch (the batch outlives them: from_blob does not copy).
// video/video_index: the batch rows that have a video frame (undefined when none).
struct StepTensors {
  torch::Tensor imu, targets, groups, video, video_index;
};

StepTensors to_tensors(TrainBatch& batch, const TrainingData& data, const torch::Tensor& target_rows,
                       const torch::Tensor& video_rows, bool multi_positive, torch::Device device);

// The loss of the global batch, whose slices the ranks of `group` hold (equal sizes).
// `with_video`: the data has video targets (the same on every rank).
torch::Tensor global_batch_loss(ContrastiveModel& model, const StepTensors& local, DataParallelGroup& group,
                                bool with_video);

// After backward: sums every parameter gradient over the ranks and scales it to the global
// loss's gradient (see above), together with `values` (e.g. the loss, a stop flag), which come
// back summed. One bucketed all-reduce carries both.
std::vector<double> reduce_gradients(ContrastiveModel& model, DataParallelGroup& group, bool global_negatives,
                                     const std::vector<double>& values);

}  // namespace imu2clip
