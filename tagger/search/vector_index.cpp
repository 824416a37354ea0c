#include "tagger/search/vector_index.h"

#include <faiss/IndexIVF.h>
#include <faiss/index_factory.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace imu2clip {
namespace {

int64_t choose_nlist(int64_t n) {
  const double target = std::sqrt(static_cast<double>(std::max<int64_t>(n, 1)));
  int64_t nlist = 64;
  while (nlist * 2 <= target && nlist < 4096) nlist *= 2;
  return nlist;
}

}  // namespace

VectorIndex::VectorIndex(int dim, int64_t n_expected, VectorIndexOptions options)
    : dim_(dim), options_(std::move(options)) {
  if (dim <= 0) throw Error(ErrorKind::InvalidInput, "a vector index needs dim > 0", ErrorContext{"", 0, "dim"});
  description_ = options_.factory.empty() ? "IVF" + std::to_string(choose_nlist(n_expected)) + ",SQ8" : options_.factory;
  try {
    index_.reset(faiss::index_factory(dim, description_.c_str(), faiss::METRIC_INNER_PRODUCT));
  } catch (const std::exception& e) {
    throw Error(ErrorKind::InvalidInput, "FAISS cannot build index '" + description_ + "': " + e.what(),
                ErrorContext{"", 0, "factory"});
  }
  if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(index_.get())) {
    ivf->nprobe = static_cast<size_t>(options_.nprobe);
    // One query at a time: its probed lists are what runs in parallel (FAISS's default splits
    // a batch of queries, which leaves every thread but one idle).
    ivf->parallel_mode = 1;
  }
}

VectorIndex::~VectorIndex() = default;

int64_t VectorIndex::train_size() const {
  if (auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index_.get())) {
    return static_cast<int64_t>(ivf->nlist) * options_.train_per_list;
  }
  return 65536;
}

void VectorIndex::train(const float* x, int64_t n) {
  omp_set_num_threads(options_.threads);
  index_->train(n, x);
}

void VectorIndex::add(const float* x, const int64_t* ids, int64_t n) {
  omp_set_num_threads(options_.threads);
  index_->add_with_ids(n, x, ids);
}

std::vector<std::pair<int64_t, float>> VectorIndex::search(const float* query, int64_t n) const {
  n = std::min<int64_t>(n, std::max<int64_t>(index_->ntotal, 1));
  omp_set_num_threads(options_.threads);
  std::vector<float> scores(static_cast<size_t>(n));
  std::vector<faiss::Index::idx_t> ids(static_cast<size_t>(n));
  index_->search(1, query, n, scores.data(), ids.data());
  std::vector<std::pair<int64_t, float>> out;
  for (int64_t i = 0; i < n; ++i)
    if (ids[static_cast<size_t>(i)] >= 0) out.emplace_back(ids[static_cast<size_t>(i)], scores[static_cast<size_t>(i)]);
  return out;
}

void VectorIndex::set_nprobe(int nprobe) {
  options_.nprobe = nprobe;
  if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(index_.get())) ivf->nprobe = static_cast<size_t>(nprobe);
}

int64_t VectorIndex::size() const { return index_->ntotal; }

int64_t VectorIndex::memory_bytes() const {
  // IVF: per vector its code and its 8-byte id in the inverted lists, plus the coarse centroids.
  if (auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index_.get())) {
    return index_->ntotal * static_cast<int64_t>(ivf->code_size + sizeof(faiss::Index::idx_t)) +
           static_cast<int64_t>(ivf->nlist) * dim_ * static_cast<int64_t>(sizeof(float));
  }
  faiss::VectorIOWriter writer;
  faiss::write_index(index_.get(), &writer);
  return static_cast<int64_t>(writer.data.size());
}

}  // namespace imu2clip
