#pragma once
// Contrastive pretraining of the IMU encoder against frozen text (and video) embeddings.
// Torch-free header (the CLI includes it); the implementation uses libtorch, on CUDA when
// available and asked for, else on the CPU. Several processes (one per GPU, or several on CPU
// cores) train one model data-parallel when TrainOptions::distributed says so; docs/TRAINING.md.
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tagger/model/bundle.h"
#include "tagger/model/encoder_options.h"
#include "tagger/model/safetensors.h"
#include "tagger/train/train_options.h"
#include "tagger/train/training_data.h"

namespace imu2clip {

class TextTower;

struct EpochMetrics {
  int epoch = 0;                   // 1-based
  double train_loss = 0;           // mean over the epoch's steps
  double val_loss = 0;             // NaN without validation data
  double lr = 0;                   // at the end of the epoch
  double temperature = 0;
  double windows_per_s = 0;        // training windows / wall seconds of the training steps (no validation)
  double seconds = 0;              // whole epoch, validation included
  double data_wait_s = 0;          // time the step waited for the loader thread
  double sync_s = 0;               // data-parallel: seconds in collectives (gathers, all-reduces)
  int64_t steps = 0;
  nlohmann::json to_json() const;
};

struct StepProgress {
  int epoch = 0, epochs = 0;
  int64_t step = 0, steps = 0;     // within the epoch, 1-based
  double loss = 0;                 // this step
  double mean_loss = 0;            // epoch so far
  double windows_per_s = 0;
  double eta_s = 0;                // whole run
  double lr = 0;
};

struct TrainCallbacks {
  std::function<void(const StepProgress&)> on_step;
  std::function<void(const EpochMetrics&)> on_epoch;
  std::function<void(const std::string&)> log;   // info lines (device, resume, best epoch)
  const std::atomic<bool>* stop = nullptr;        // set: finish the current step, checkpoint, return
};

struct TrainSetup {
  EncoderOptions encoder;               // embed_dim (projection) must equal the tower's dim
  const TextTower* tower = nullptr;
  std::vector<std::string> templates;   // prompt templates for label texts
  const TrainingData* train = nullptr;
  const TrainingData* val = nullptr;    // may be null
  TrainOptions options;
  // The exported label bank: empty = the training label phrases (sorted); else these phrases
  // (the log vocabulary) in this order, with `label_map` stored in the bundle beside them.
  std::vector<std::string> labels;
  LabelMap label_map;
};

struct TrainResult {
  std::vector<EpochMetrics> history;    // every epoch, including ones before a resume
  int best_epoch = 0;                   // by validation loss (by train loss without validation)
  double best_loss = 0;
  std::map<std::string, TensorData> encoder_weights;  // F32 weights of the best epoch
  std::string device;                   // "cpu" or "cuda:<local rank>"
  int world_size = 1;                   // data-parallel ranks that trained together
  std::string backend;                  // their process group: "gloo" or "nccl" ("" for one process)
  int threads = 0;
  bool interrupted = false;
  int resumed_from_epoch = 0;           // 0 = fresh start
};

// Throws Error(InvalidInput) for inconsistent setup (dims, empty data, windows too short),
// Error(NotFound/Corrupt) for a bad --resume checkpoint.
TrainResult train_contrastive(const TrainSetup& setup, const TrainCallbacks& callbacks = {});

// A bundle from a training result: label bank = the training label phrases through
// `setup.templates`, provenance = `provenance` plus the training options and metrics.
ModelBundle make_trained_bundle(const TrainSetup& setup, const TrainResult& result, nlohmann::json provenance);

// Default number of torch threads: every core this process may use.
int default_train_threads();

}  // namespace imu2clip
