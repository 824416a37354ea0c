// Audio pretraining learns: two clearly different sounds are told apart on validation clips
// after a short contrastive run, the best epoch is the one kept, and the bundle is an audio
// model whose label bank is the training phrases.
#include <torch/torch.h>

#include <catch2/catch.hpp>

#include "common/error.h"
#include "tagger/dataset/audio_clips.h"
#include "tagger/text/text_tower.h"
#include "tagger/train/audio_trainer.h"
#include "tests/support/audio_fixtures.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using namespace imu2clip::test;

TEST_CASE("audio pretraining separates two sounds and exports an audio bundle", "[audio][train]") {
  const std::string dir = make_temp_dir("audio-train") + "/two";
  write_two_sound_clip_folder(dir, 12, 6, 0);
  const auto tower = make_text_tower("lexical-v1", {{"dim", 32}});
  AudioTrainSetup s;
  s.encoder = small_audio_options();
  AudioClipOptions train_o, val_o;
  val_o.splits = {"val"};
  const AudioClipSet train = load_audio_clips(dir, s.encoder, train_o);
  const AudioClipSet val = load_audio_clips(dir, s.encoder, val_o);
  s.tower = tower.get();
  s.templates = default_sound_templates();
  s.train = &train;
  s.val = &val;
  s.options.batch_size = 8;
  s.options.epochs = 12;
  s.options.lr = 3e-3;
  s.options.warmup_steps = 3;
  s.options.threads = 1;
  s.options.seed = 4;
  s.augment = AudioAugmentOptions::parse("gain,shift");
  std::vector<AudioEpochMetrics> seen;
  const AudioTrainResult r = train_audio_contrastive(s, {}, [&](const AudioEpochMetrics& m) { seen.push_back(m); });
  REQUIRE(r.history.size() == 12);
  REQUIRE(seen.size() == 12);
  double best = 0;
  for (const auto& m : r.history) best = std::max(best, m.val_accuracy);
  INFO("best val accuracy " << best);
  CHECK(best >= 0.9);
  CHECK(r.history[static_cast<size_t>(r.best_epoch - 1)].val_macro_f1 ==
        Approx(std::max_element(r.history.begin(), r.history.end(), [](const auto& a, const auto& b) {
                 return a.val_macro_f1 < b.val_macro_f1;
               })->val_macro_f1));

  const ModelBundle bundle = make_trained_audio_bundle(s, r, {{"command", "test"}});
  CHECK(bundle.modality == "audio");
  CHECK(bundle.label_bank.labels == std::vector<std::string>{"person speaking", "water boiling"});
  CHECK(bundle.provenance["metrics"]["best_epoch"] == r.best_epoch);
  CHECK(bundle.provenance["training"]["augment"] == "gain,shift");
}

TEST_CASE("audio pretraining: inconsistent setups are refused with the field", "[audio][train]") {
  const auto tower = make_text_tower("lexical-v1", {{"dim", 16}});
  AudioTrainSetup s;
  s.encoder = small_audio_options();  // 32-d, the tower 16-d
  s.tower = tower.get();
  s.templates = default_sound_templates();
  AudioClipSet none;
  s.train = &none;
  CHECK_THROWS_WITH(train_audio_contrastive(s), Catch::Contains("embed_dim"));
  CHECK_THROWS_WITH(AudioAugmentOptions::parse("gain,reverb"), Catch::Contains("reverb"));
}
