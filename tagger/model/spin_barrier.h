#pragma once
// Barrier for the fast encoder's per-step synchronisation. It spins briefly (a GRU step takes
// microseconds, so the partner usually arrives within a few of them), then yields the CPU:
// when the machine is oversubscribed (other processes on our 2 cores) a pure spin barrier
// burns whole scheduler time slices waiting for a thread that cannot run.
#include <atomic>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace imu2clip::fast {

class SpinYieldBarrier {
 public:
  // Must be reset with the team size before a parallel region uses it.
  void reset(int team) {
    team_ = team;
    arrived_.store(0, std::memory_order_relaxed);
  }

  void wait() {
    const unsigned generation = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == team_) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.store(generation + 1, std::memory_order_release);
      return;
    }
    for (int i = 0; i < kSpins; ++i) {
      if (generation_.load(std::memory_order_acquire) != generation) return;
      pause();
    }
    while (generation_.load(std::memory_order_acquire) == generation) std::this_thread::yield();
  }

 private:
  static constexpr int kSpins = 2000;  // pause instructions: longer than a GRU step, far shorter than a time slice
  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
  }

  alignas(64) std::atomic<int> arrived_{0};
  alignas(64) std::atomic<unsigned> generation_{0};
  int team_ = 1;
};

}  // namespace imu2clip::fast
