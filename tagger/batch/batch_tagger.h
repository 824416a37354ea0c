#pragma once
// Batch zero-shot tagging: file -> resample -> windows -> encoder -> label scores -> top-k +
// segments -> SQLite (and JSONL). Each batch of windows is one transaction, so an interrupt or
// crash keeps everything committed so far; a re-run skips finished recordings and finishes
// interrupted ones without writing anything twice.
#include <atomic>
#include <vector>

#include "tagger/batch/tag_job.h"

namespace imu2clip {

struct ModelBundle;
class WindowEncoder;
class LogStore;

class BatchTagger {
 public:
  BatchTagger(LogStore& store, const ModelBundle& bundle, WindowEncoder& encoder,
              TagOptions options);
  ~BatchTagger();

  // `stop` (e.g. set by SIGINT) is checked between batches.
  TagSummary run(const std::vector<TagJob>& jobs, TagObserver* observer = nullptr,
                 const std::atomic<bool>* stop = nullptr);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace imu2clip
