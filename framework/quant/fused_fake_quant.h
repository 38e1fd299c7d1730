// Integer fake-quant as one autograd node on CPU (kernels/fake_quant/fused_fake_quant.h):
// the same values and gradients as fake_quant_int_grouped() followed by QDrop's random mix,
// but one pass forward, one pass backward and one byte per element kept in between, instead
// of about ten full-size temporaries each way. Quantizer::forward uses it for every integer
// quantiser without a rounding policy on CPU float tensors; CUDA tensors, minifloat formats
// and AdaRound keep the tensor-op path.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ptq {

// Whether fused_fake_quant_grouped() handles this input (CPU, float32).
bool fused_fake_quant_supported(const torch::Tensor& xg);

// xg [R, nG, G]; scale (may require grad) and zero_point [R, nG]. Each element is quantised
// with probability keep_prob (1: all), decided by a hash of `seed` and its position. With
// relu, the result is that of relu(xg) (values and gradients), the ReLU done in the same pass.
// Differentiable w.r.t. xg and scale; a backward pass run with create_graph falls back to
// differentiable tensor ops, so higher-order gradients (MetaAug's meta step) stay correct.
torch::Tensor fused_fake_quant_grouped(const torch::Tensor& xg, const torch::Tensor& scale,
                                       const torch::Tensor& zero_point, int64_t qmin, int64_t qmax,
                                       double keep_prob = 1.0, uint64_t seed = 0, bool relu = false);

// QDrop's element-wise random mix: where(keep, a, b) with each element taken from a with
// probability keep_prob, decided by the same hash stream as the fused fake-quant (CPU float
// tensors of one shape), without materialising random numbers or a mask.
torch::Tensor random_mix(const torch::Tensor& a, const torch::Tensor& b, double keep_prob, uint64_t seed);

// random_mix(a.index_select(0, indices), b.index_select(0, indices), ...) in one pass, without
// the two gathered copies (a, b: CPU float tensors of one shape; indices int64 in range).
torch::Tensor random_mix_rows(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& indices,
                              double keep_prob, uint64_t seed);

// A fresh 64-bit seed drawn from LibTorch's default CPU generator (so torch::manual_seed
// makes dropping reproducible).
uint64_t draw_drop_seed();

}  // namespace ptq
