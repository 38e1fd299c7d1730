// Fused integer fake-quantisation for training (LSQ step sizes, QDrop dropping) on CPU.
//
// The tensor-op formulation (x/s, round, +z, clamp, −z, ·s, then QDrop's rand_like, < p,
// where) allocates about ten tensors of the input's size in the forward pass, autograd keeps
// several of them for the backward pass, and the backward pass allocates as many again. On a
// ResNet stem activation (32×64×112×112 floats) that costs more than the convolution. These
// loops do the same arithmetic in one pass each way:
//   forward : out = keep ? (clamp(round(x/s) + z, qmin, qmax) − z)·s : x, and one byte per
//             element recording what happened (dropped / inside the grid / clipped low / high);
//   backward: dx = g where the element was dropped or inside the grid, else 0 (the straight-
//             through estimator with the clamp's gradient), and per row
//             ds = Σ g·(round(x/s) − x/s) inside the grid + g·(qmin − z) clipped low
//                  + g·(qmax − z) clipped high      (exactly LSQ's step-size gradient).
// With relu set, x is the pre-activation and every formula above applies to max(x, 0): the
// ReLU's forward and backward passes (two more full-size passes each way) fold into these.
// The forward values are bit-identical to the tensor-op formula (same float operations in
// the same order). "keep" is decided per element by a counter-based hash of (seed, row,
// column): no mask tensor, the same result for any thread count, and a fresh stream per call
// when the caller draws the seed from LibTorch's generator. Rows are independent; ds is summed
// in double over fixed-size chunks combined in a fixed order, so it is deterministic too.
#pragma once

#include <cstdint>

namespace ptq::kernels {

// What happened to one element in the forward pass (the 1-byte record kept for backward).
// With a fused ReLU, kReluZero is or-ed in where the input was not positive (no gradient to
// x there; the low two bits still say how relu(x) = 0 was quantised, for the scale gradient).
enum FakeQuantCode : uint8_t { kDropped = 0, kInRange = 1, kClippedLow = 2, kClippedHigh = 3, kReluZero = 4 };

struct FakeQuantRowsParams {
  int64_t rows = 1, cols = 1;      // x is [rows, cols], contiguous; scale / zero point per row
  float qmin = 0.0f, qmax = 255.0f;
  double keep_prob = 1.0;          // probability that an element is quantised (QDrop); 1 = always
  uint64_t seed = 0;               // drop stream; unused when keep_prob >= 1
  bool relu = false;               // quantise relu(x) (the layer's ReLU fused in); x stays the input
};

// out and code are [rows, cols].
void fused_fake_quant_forward_cpu(const FakeQuantRowsParams& p, const float* x, const float* scale,
                                  const float* zero_point, float* out, uint8_t* code);

// dx (may be null) is [rows, cols]; dscale (may be null) is [rows], overwritten.
void fused_fake_quant_backward_cpu(const FakeQuantRowsParams& p, const float* grad, const float* x,
                                   const float* scale, const float* zero_point, const uint8_t* code, float* dx,
                                   double* dscale);

// QDrop's input mixing with the same element-wise stream as the forward pass above:
// out[i] = keep(seed, i) ? a[i] : b[i] for n contiguous elements.
void random_mix_cpu(int64_t n, const float* a, const float* b, double keep_prob, uint64_t seed, float* out);

// The same mix of gathered rows without gathering them first: out row i (row_len elements)
// mixes rows idx[i] of a and b, with the element counters of the flat output, so the result
// equals random_mix_cpu over a[idx] and b[idx] bit for bit.
void random_mix_rows_cpu(int64_t rows, int64_t row_len, const int64_t* idx, const float* a, const float* b,
                         double keep_prob, uint64_t seed, float* out);

}  // namespace ptq::kernels
