#pragma once
// An approximate nearest-neighbour index over unit vectors by inner product (= cosine): FAISS
// IVF (k-means coarse lists) with 8-bit scalar-quantised codes by default. It only proposes a
// shortlist; WindowSearch re-ranks the shortlist exactly from the stored fp16 vectors, so the
// quantisation costs recall only where a true top-k vector misses the shortlist.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace faiss {
struct Index;
}

namespace imu2clip {

struct VectorIndexOptions {
  // FAISS index_factory description; "" = "IVF<nlist>,SQ8" with nlist ~ sqrt(n) (a power of
  // two, 64 to 4096) for the n vectors it is built from.
  std::string factory;
  int nprobe = 64;                  // coarse lists scanned per query
  int64_t train_per_list = 40;      // training vectors per coarse list (k-means sample)
  int threads = 2;                  // OpenMP threads for build and search
};

class VectorIndex {
 public:
  // An empty index for `n_expected` vectors of `dim` values (nlist is chosen from it).
  VectorIndex(int dim, int64_t n_expected, VectorIndexOptions options = {});
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  // How many training vectors train() wants (a sample of the data; k-means on it).
  int64_t train_size() const;
  // Trains the coarse quantiser and codes on n row-major vectors.
  void train(const float* x, int64_t n);
  // Adds n vectors with their ids (window ids).
  void add(const float* x, const int64_t* ids, int64_t n);
  // The `n` best (id, approximate score) of one query, best first.
  std::vector<std::pair<int64_t, float>> search(const float* query, int64_t n) const;

  // Coarse lists scanned per query from now on (IVF indexes; others ignore it).
  void set_nprobe(int nprobe);
  int64_t size() const;
  int dim() const { return dim_; }
  const std::string& description() const { return description_; }
  // Bytes the codes, ids and quantisers hold (measured by serialising the index).
  int64_t memory_bytes() const;

 private:
  int dim_;
  std::string description_;
  VectorIndexOptions options_;
  std::unique_ptr<faiss::Index> index_;
};

}  // namespace imu2clip
