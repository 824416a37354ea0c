#pragma once
// Contrastive pretraining of the audio encoder against the same frozen text tower as the IMU
// encoder (symmetric InfoNCE with multi-positive groups, contrastive_loss.h): every clip's
// target is its label phrase through a random prompt template. Torch-free header.
// Augmentations act on log-mels (cheap, and the front end is deterministic, so clips are
// decoded and transformed once): gain, time shift, background mixing, spec-augment masks.
#include <map>
#include <string>
#include <vector>

#include "tagger/dataset/audio_clips.h"
#include "tagger/model/bundle.h"
#include "tagger/model/safetensors.h"
#include "tagger/train/trainer.h"

namespace imu2clip {

class TextTower;

struct AudioAugmentOptions {
  bool gain = false;       // one random gain per clip, uniform in +-gain_db
  bool shift = false;      // roll the window by up to half its length (a sound starts anywhere)
  bool mix = false;        // with mix_probability, add another clip of the batch mix_db_min..max below
  bool mask = false;       // spec-augment: time_masks masks of <= time_mask_frames, freq_masks of <= freq_mask_bins
  double gain_db = 6;
  double mix_probability = 0.5, mix_db_min = 6, mix_db_max = 20;
  int time_masks = 2, time_mask_frames = 40, freq_masks = 2, freq_mask_bins = 8;

  // "gain,shift,mix,mask" (any subset; "" or "none" = nothing). Throws Error(InvalidInput).
  static AudioAugmentOptions parse(const std::string& list);
  std::string to_string() const;
};

struct AudioTrainSetup {
  AudioEncoderOptions encoder;          // embed_dim must equal the tower's dim
  const TextTower* tower = nullptr;
  std::vector<std::string> templates;   // prompt templates for the label phrases
  const AudioClipSet* train = nullptr;
  const AudioClipSet* val = nullptr;    // may be null: the last epoch is kept
  TrainOptions options;                 // batch, epochs, optimizer, lr, schedule, temperature, seed, threads, device
  AudioAugmentOptions augment;
};

struct AudioEpochMetrics {
  int epoch = 0;
  double train_loss = 0;
  double val_accuracy = 0, val_macro_f1 = 0;   // zero-shot against the label bank; NaN without val
  double seconds = 0, clips_per_s = 0, lr = 0;
  nlohmann::json to_json() const;
};

struct AudioTrainResult {
  std::vector<AudioEpochMetrics> history;
  int best_epoch = 0;                   // by val macro-F1 (the last epoch without val)
  std::map<std::string, TensorData> encoder_weights;
  std::string device;
  int threads = 0;
  bool interrupted = false;
};

// Throws Error(InvalidInput) for an inconsistent setup (dims, no clips, front ends that differ).
AudioTrainResult train_audio_contrastive(const AudioTrainSetup& setup, const TrainCallbacks& callbacks = {},
                                         const std::function<void(const AudioEpochMetrics&)>& on_epoch = {});

// The bundle: modality "audio", label bank = the training clips' phrases through the templates.
ModelBundle make_trained_audio_bundle(const AudioTrainSetup& setup, const AudioTrainResult& result,
                                      nlohmann::json provenance);

// Prompt templates for sounds ("the sound of {label}", ...).
std::vector<std::string> default_sound_templates();

}  // namespace imu2clip
