#pragma once
// Maps the words of a question to the labels that actually occur in the user's log: "groom"
// -> "grooming", "watch tv" -> "watching TV", "car" -> "on a vehicle", "phone" -> every
// "phone ..." label. The label list comes from the log, never from a fixed list.
#include <cstddef>
#include <string>
#include <vector>

#include "assistant/lexicon.h"

namespace imu2clip::assistant {

// What kind of thing a label names, read from its grammar ("at home" is a place, "with
// friends" company, "phone in bag" where the phone is): lets "where ..." and "what activity
// ..." questions pick the right labels.
enum class LabelKind { Activity, Posture, Place, Company, Device };
const char* to_string(LabelKind kind);
LabelKind classify_label(const std::string& label);

// Whether the label marks a stretch the tagger could not name ("unclear motion", logged for
// windows below the model's confidence threshold): a fact about the log, never an activity, so
// it is not ranked, compared or matched by a single word ("motion", "unclear").
bool is_unclear_label(const std::string& label);

struct Mention {
  std::vector<std::string> labels;  // one label, or several for a word shared by labels ("phone")
  size_t token = 0;                 // index of the first question token it covers
  size_t last_token = 0;            // index of the last one
  bool negated = false;             // "not", "without", "away from", "never" just before it
  bool partial = false;             // named by some of its labels' words only ("play" of "playing soccer")
  bool indirect = false;            // named only through related words ("dinner" of "eating")
  bool group() const { return labels.size() > 1; }
};

// Whether the label is the audio tagger's tag for a silent stretch ("quiet"): heard, but not a
// sound.
bool is_silence_label(const std::string& label);

// Labels the log has only as sounds (`heard`, e.g. "blender running") are named by their own
// words like any label ("blender", "tap", "TV"), but a question about what the user did is never
// answered with one by accident: a word shared by several labels ("running" of "blender
// running" and "microwave running") names no group of sounds, a word is distinctive among the
// labels of its own kind (sounds, or what was done), and where a sound and an activity match a
// question equally well the activity is taken.
class Vocabulary {
 public:
  explicit Vocabulary(std::vector<std::string> labels, const std::vector<std::string>& heard = {});
  const std::vector<std::string>& labels() const { return labels_; }
  // The labels the question's tokens name, in question order (overlaps resolved: "computer work"
  // is one mention, not "computer work" + "workplace").
  std::vector<Mention> find(const std::vector<Token>& tokens) const;

 private:
  struct Alternative {
    std::vector<std::string> stems;  // content stems of one reading of the label
  };
  struct Entry {
    std::string label;
    std::vector<Alternative> alternatives;  // "bathing or showering" -> {bath}, {shower}
    bool unclear = false;                    // is_unclear_label
    bool heard = false;                      // logged only as a sound
  };
  std::vector<std::string> labels_;
  std::vector<Entry> entries_;
  // In how many labels each stem occurs: [0] of what was done, [1] of the sounds.
  std::vector<std::pair<std::string, int>> stem_frequency_[2];
  int frequency(const std::string& stem, bool heard) const;
};

}  // namespace imu2clip::assistant
