#pragma once
// Hashes whose values are fixed by their definition, not by the standard library: embeddings
// and model ids derived from them must be identical on every compiler and machine
// (std::hash and <random> distributions are implementation-defined).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace imu2clip {

// 64-bit FNV-1a; feed pieces incrementally with update().
class Fnv1a64 {
 public:
  static constexpr uint64_t kOffsetBasis = 0xcbf29ce484222325ull;
  static constexpr uint64_t kPrime = 0x100000001b3ull;

  explicit Fnv1a64(uint64_t state = kOffsetBasis) : state_(state) {}
  Fnv1a64& update(const void* data, size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) state_ = (state_ ^ p[i]) * kPrime;
    return *this;
  }
  Fnv1a64& update(std::string_view s) { return update(s.data(), s.size()); }
  // Length first, so ("ab","c") and ("a","bc") hash differently.
  Fnv1a64& update_field(std::string_view s) {
    update_u64(s.size());
    return update(s);
  }
  Fnv1a64& update_u64(uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    return update(b, 8);
  }
  uint64_t digest() const { return state_; }

 private:
  uint64_t state_;
};

// SplitMix64 (Steele, Lea, Flood 2014): advances `state` and returns a well-mixed word.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace imu2clip
