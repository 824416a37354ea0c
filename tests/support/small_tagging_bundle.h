#pragma once
// The tagging tests' model (batch and live): a tiny untrained encoder at `rate_hz` with 5 s
// windows and five everyday labels, so a test tags minutes of data in milliseconds. Needs a
// test that links imu2clip_model.
#include <cmath>

#include "tagger/model/bundle.h"

namespace imu2clip::test {

inline ModelBundle small_tagging_bundle(double rate_hz = 50) {
  EncoderOptions o;
  o.conv_channels = {8, 8};
  o.kernel_sizes = {5, 3};
  o.mid_groups = 4;
  o.gru_hidden = 16;
  o.embed_dim = 32;
  o.project = true;
  o.sample_rate_hz = rate_hz;
  o.window_samples = static_cast<int>(std::lround(5 * rate_hz));
  return make_untrained_bundle(o, "lexical-v1", {{"dim", 32}},
                               {"walking", "sitting", "running", "standing", "lying down"}, 11);
}

}  // namespace imu2clip::test
