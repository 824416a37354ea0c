#pragma once
// Torch-free compute kernels of the fast encoder path. One source (fast_kernels.inc) is compiled
// once per instruction set: AVX-512 and AVX2+FMA on x86-64, and a baseline build with the
// default target flags (SSE2 on x86-64, the portable set elsewhere). fast_kernels() picks the
// best one this CPU runs, so one binary is portable yet uses the widest FMAs it can.
//
// Packed weight layouts (all float, 64-byte aligned by the caller):
//   conv panels : [ceil(cout/8)][cin][k][8]       (8 output channels per block, zero padded)
//   dense panels: [panels][K][G*16]               (G gate blocks of 16 output units per panel)
#include <cstdint>
#include <vector>

namespace imu2clip::fast {

struct KernelSet {
  const char* name;   // "avx512", "avx2" or "baseline"
  int lanes;          // floats per vector register the set computes with: 16, 8 or 4

  // One window: conv (no bias, dilation) then max-pool (kernel = stride = pool), optional ReLU.
  // x: [cin][ldx] with ldx >= lin + 32 and the 32 floats after the last row readable;
  // scratch: at least 8 * (round_up(lc, 32)) floats; out: [cout][ldo] rows of lc / pool values.
  void (*conv_pool)(const float* x, int64_t ldx, int cin, int lin, const float* w, int cout,
                    int ksize, int dilation, int pool, bool relu, float* scratch, float* out,
                    int64_t ldo);

  // gates is 1 or 3. C[r][p*G*16 + j] = bias[p*G*16 + j] + sum_k A[r][k] * W[p][k][j] for r < rows, p < panels.
  void (*dense)(int64_t rows, const float* a, int64_t lda, int k, const float* w, int panels,
                int gates, const float* bias, float* c, int64_t ldc);

  // One GRU step for `panels` blocks of 16 hidden units (gates r, z, n as in torch.nn.GRU):
  // gi: [rows][panels*48] input projections (+ b_ih, + b_hh for r and z);
  // w:  [panels][hp][48] recurrent weights; b_hn: [panels*16];
  // h_old / h_new: [rows][ldh], both offset to the first unit of the first panel
  // for the gate update, while the recurrent product reads all of h_old_full[r][0..hp).
  void (*gru_step)(int64_t rows, const float* h_old_full, const float* h_old, float* h_new,
                   int64_t ldh, int hp, const float* w, int panels, const float* gi,
                   int64_t ldgi, const float* b_hn, bool first_step);

  // Rows scaled to unit L2 norm: out[r][0..dim) = x[r][0..dim) / max(|x[r]|, 1e-12).
  void (*l2_normalise)(int64_t rows, const float* x, int64_t ldx, int dim, float* out);
};

// The set named by the environment variable IMU2CLIP_KERNELS (baseline, avx2 or avx512) when it
// is set and not empty, else the best set this CPU supports. Throws Error(InvalidInput) when
// the variable names an unknown set or one this CPU cannot run (instead of dying of SIGILL).
const KernelSet& fast_kernels();
// The named set; throws Error(InvalidInput) as above. `source` names where the name came from,
// for the message.
const KernelSet& kernel_set(const char* name, const char* source = "kernel set");
// Every set this CPU can run, widest first (the last is always the baseline set).
std::vector<const KernelSet*> supported_kernel_sets();
const KernelSet& baseline_kernels();      // portable set, for tests of the dispatch itself

}  // namespace imu2clip::fast
