#include "tagger/train/train_options.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "common/error.h"
#include "common/strings.h"

namespace imu2clip {
namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

}  // namespace

AugmentOptions AugmentOptions::parse(const std::string& list) {
  AugmentOptions a;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    item = trim(item);
    if (item.empty() || item == "none") continue;
    if (starts_with(item, "rot=")) {
      char* end = nullptr;
      const double p = std::strtod(item.c_str() + 4, &end);
      if (end == item.c_str() + 4 || *end != '\0' || !(p > 0 && p <= 1))
        invalid("augment", "'" + item + "': the rotation probability must be in (0, 1], e.g. rot=0.5");
      a.rotate = true;
      a.rotate_probability = p;
    } else if (item == "rot" || item == "rotate" || item == "rotation") {
      a.rotate = true;
    }
    else if (item == "yaw") a.yaw = true;
    else if (item == "lowpass") a.lowpass = true;
    else if (item == "scale") a.scale = true;
    else if (item == "jitter") a.jitter = true;
    else if (item == "shift") a.shift = true;
    else invalid("augment", "unknown augmentation '" + item + "'; use a comma list of rot, yaw, lowpass, scale, jitter, shift (or none)");
  }
  return a;
}

std::string AugmentOptions::to_string() const {
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (on) s += (s.empty() ? "" : ",") + std::string(name);
  };
  if (rotate && rotate_probability < 1) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "rot=%g", rotate_probability);
    add(true, buf);
  } else {
    add(rotate, "rot");
  }
  add(yaw, "yaw");
  add(lowpass, "lowpass");
  add(scale, "scale");
  add(jitter, "jitter");
  add(shift, "shift");
  return s.empty() ? "none" : s;
}

double TrainOptions::effective_lr() const {
  if (lr > 0) return lr;
  return optimizer == "adagrad" ? 0.01 : 2e-4;
}

void TrainOptions::validate() const {
  if (batch_size < 2) invalid("batch", "the batch size must be at least 2 (in-batch negatives)");
  if (epochs < 1) invalid("epochs", "train for at least one epoch");
  if (optimizer != "adam" && optimizer != "adagrad") invalid("optimizer", "the optimizer must be adam or adagrad");
  if (lr < 0 || !std::isfinite(lr)) invalid("lr", "the learning rate must be positive (0 = the optimizer's default)");
  if (weight_decay < 0) invalid("weight_decay", "weight decay must not be negative");
  if (schedule != "cosine" && schedule != "none") invalid("schedule", "the LR schedule must be cosine or none");
  if (warmup_steps < 0) invalid("warmup", "warm-up steps must not be negative");
  if (grad_clip < 0) invalid("grad_clip", "the gradient clipping norm must not be negative (0 = off)");
  if (!(temperature >= 0.01 && temperature <= 1.0)) invalid("temperature", "the temperature must be in [0.01, 1]");
  if (threads < 0) invalid("threads", "the thread count must not be negative (0 = all cores)");
  if (!(dataset_balance >= 0 && dataset_balance <= 1)) invalid("balance", "the dataset balance must be in [0, 1]");
  if (device != "auto" && device != "cpu" && device != "cuda") invalid("device", "the device must be auto, cpu or cuda");
  if (resume && checkpoint_dir.empty()) invalid("resume", "--resume needs --checkpoint-dir");
  if (max_steps_per_epoch < 0) invalid("max_steps_per_epoch", "must not be negative");
  if (prefetch_batches < 1) invalid("prefetch_batches", "prefetch at least one batch");
  distributed.validate(batch_size);
}

void DistributedOptions::validate(int batch_size) const {
  if (world_size < 1) invalid("world-size", "the world size must be at least 1");
  if (rank < 0 || rank >= world_size)
    invalid("rank", "the rank must be in [0, " + std::to_string(world_size) + ") for world size " +
                        std::to_string(world_size));
  if (local_rank < 0) invalid("local-rank", "the local rank must not be negative");
  if (local_world_size < 1) invalid("local-world-size", "the local world size must be at least 1");
  if (master_port < 1 || master_port > 65535) invalid("master", "the master port must be in 1..65535");
  if (world_size > 1 && master_addr.empty()) invalid("master", "give the rendezvous address as --master HOST:PORT");
  if (backend != "auto" && backend != "gloo" && backend != "nccl")
    invalid("backend", "the backend must be auto, gloo or nccl");
  if (negatives != "global" && negatives != "local") invalid("negatives", "negatives must be global or local");
  if (!(timeout_s > 0)) invalid("dist-timeout", "the timeout must be positive (seconds)");
  if (world_size > 1 && batch_size % world_size != 0)
    invalid("batch", "the global batch (" + std::to_string(batch_size) + ") must divide evenly over " +
                         std::to_string(world_size) + " ranks");
  if (world_size > 1 && batch_size / world_size < 2 && negatives == "local")
    invalid("batch", "with --negatives local every rank needs at least 2 windows per step; raise --batch");
}

}  // namespace imu2clip
