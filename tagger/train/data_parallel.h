#pragma once
// Torch header. One rank's membership of a data-parallel training group, on PyTorch's own
// distributed engine (c10d): a TCPStore rendezvous hosted by rank 0, then a Gloo process group
// on CPU or an NCCL one on CUDA. The trainer uses it to start every rank from rank 0's
// parameters, to all-gather the batch's embeddings (global negatives) and to all-reduce the
// gradients after backward. A rank that stops makes the others' next collective fail (Gloo
// sees the closed connection; a hung rank hits the timeout) with an Error that says so.
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "tagger/train/train_options.h"

namespace imu2clip {

class DataParallelGroup {
 public:
  // Joins the group described by `options` (world_size > 1). Throws Error(Io) when the
  // rendezvous or the group cannot be set up within options.timeout_s, Error(InvalidInput)
  // for a backend this build or device lacks.
  DataParallelGroup(const DistributedOptions& options, torch::Device device);
  ~DataParallelGroup();
  DataParallelGroup(const DataParallelGroup&) = delete;
  DataParallelGroup& operator=(const DataParallelGroup&) = delete;

  int rank() const;
  int world_size() const;
  const std::string& backend() const;   // "gloo" or "nccl"

  // Overwrites `tensors` (parameters, buffers) on every rank with rank 0's values.
  void broadcast_from_rank0(const std::vector<torch::Tensor>& tensors);
  // Sums `tensors` element-wise across ranks, in place. They are packed into flat buckets of
  // at most bucket_bytes each, so a model of many small tensors costs a few collectives.
  void all_reduce_sum(const std::vector<torch::Tensor>& tensors, size_t bucket_bytes = 25u << 20);
  // Every rank's `local` [n, ...] concatenated in rank order: [world_size * n, ...], no gradient.
  // Every rank must pass the same shape.
  torch::Tensor all_gather(const torch::Tensor& local);
  // The same, with this rank's rows being `local` itself, so a loss over the whole result
  // sends gradient into this rank's part only (each rank backpropagates its own windows; the
  // summed gradients are those of the global loss).
  torch::Tensor all_gather_keep_local_grad(const torch::Tensor& local);
  // Waits until every rank got here.
  void barrier();
  // Wall seconds this rank spent in collectives so far (communication plus waiting for slower
  // ranks): the data-parallel overhead of a step.
  double collective_seconds() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imu2clip
