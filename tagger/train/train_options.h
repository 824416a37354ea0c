#pragma once
// Everything that shapes a contrastive pretraining run. Torch-free (the CLI fills it).
#include <cstdint>
#include <string>
#include <vector>

namespace imu2clip {

// Augmentations applied to training windows only (never to validation).
struct AugmentOptions {
  bool rotate = false;        // one random 3D rotation of the sensor frame (accel and gyro alike)
  double rotate_probability = 1;   // "rot=P": rotate only this fraction of the windows
  // A device worn turned about the vertical: a random rotation about the window's mean
  // acceleration (gravity) axis plus a small random tilt, so the posture cue survives.
  bool yaw = false;
  // A random zero-phase low-pass (probability lowpass_probability, cutoff uniform in
  // [lowpass_min_hz, lowpass_max_hz]) so a dataset's bandwidth (WISDM's 20 Hz watch) is no cue.
  bool lowpass = false;
  bool scale = false;         // one random gain per window, uniform in [1 - scale_range, 1 + scale_range]
  bool jitter = false;        // Gaussian noise: jitter_accel m/s^2 and jitter_gyro rad/s standard deviation
  bool shift = false;         // roll the window by up to shift_fraction of its length (edges repeated)
  double scale_range = 0.1;
  double jitter_accel = 0.05;
  double jitter_gyro = 0.005;
  double shift_fraction = 0.1;
  double tilt_deg = 15;
  double lowpass_probability = 0.5;
  double lowpass_min_hz = 3, lowpass_max_hz = 10;

  bool any() const { return rotate || yaw || lowpass || scale || jitter || shift; }
  // "rot,yaw,lowpass,scale,jitter,shift" (any subset; "" or "none" = no augmentation; "rot=0.5"
  // rotates half of the windows). Throws Error(InvalidInput).
  static AugmentOptions parse(const std::string& list);
  std::string to_string() const;
};

// Data-parallel training over c10d process groups (PyTorch's distributed engine): one process
// per rank, each on its own slice of every global batch, gradients all-reduced after backward.
// The fields mirror the variables torchrun sets (WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT). world_size 1 = one process, no process group.
struct DistributedOptions {
  int world_size = 1;
  int rank = 0;
  int local_rank = 0;              // picks the GPU (cuda:local_rank)
  int local_world_size = 1;        // ranks on this machine: they share its cores
  std::string master_addr = "127.0.0.1";   // rank 0 hosts the rendezvous store here
  int master_port = 29500;
  std::string backend = "auto";    // auto (nccl on CUDA, gloo on CPU) | gloo | nccl
  // global: every rank all-gathers the batch's embeddings, so each window's negatives are the
  // whole global batch (as CLIP trains) and N ranks train exactly as one process with the same
  // global batch would. local: negatives come from the rank's own slice only (cheaper, and the
  // loss changes with the world size).
  std::string negatives = "global";
  double timeout_s = 300;          // a collective or the rendezvous waiting longer fails the run

  bool enabled() const { return world_size > 1; }
  // Throws Error(InvalidInput) naming the offending field.
  void validate(int batch_size) const;
};

struct TrainOptions {
  int batch_size = 64;             // the global batch: split evenly across data-parallel ranks
  int epochs = 10;
  std::string optimizer = "adam";  // adam (official code, lr 2e-4) | adagrad (paper, lr 0.01, eps 1e-8)
  double lr = 0;                   // 0 = the optimizer's default above
  double weight_decay = 0;
  std::string schedule = "cosine"; // cosine (to 0 after warmup) | none (constant after warmup)
  int warmup_steps = 50;           // linear warm-up from 0
  double grad_clip = 1.0;          // max global gradient norm; 0 = no clipping
  double temperature = 0.07;       // initial (or fixed) softmax temperature
  bool learn_temperature = false;  // learn log(1/T), clamped to T in [0.01, 1]
  // Class-label data puts many identical texts in one batch: with this on, every window whose
  // target text is the same is a positive (MIL-NCE: -log of the probability mass on all
  // positives) instead of a false negative. See contrastive_loss.h.
  bool multi_positive = true;
  AugmentOptions augment;
  uint64_t seed = 1;
  int threads = 0;                 // torch intra-op threads; 0 = all cores
  std::string device = "auto";     // auto (CUDA when available) | cpu | cuda
  std::string checkpoint_dir;      // "" = no checkpoints
  bool resume = false;             // continue from checkpoint_dir's last epoch
  int max_steps_per_epoch = 0;     // 0 = whole epoch (for benchmarks and tests)
  int prefetch_batches = 3;        // batches assembled ahead on the loader thread
  // How much each source dataset contributes to an epoch: dataset d gets a share proportional
  // to (its windows)^dataset_balance. 1 = as loaded (a large dataset dominates), 0 = equal
  // shares (small datasets are repeated), 0.5 = in between.
  double dataset_balance = 1;
  DistributedOptions distributed;

  double effective_lr() const;
  // Throws Error(InvalidInput) naming the offending field.
  void validate() const;
};

}  // namespace imu2clip
