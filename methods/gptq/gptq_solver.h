// The GPTQ solver (Frantar et al., ICLR 2023) for one layer: quantise the columns of W [O, K]
// one after another and spread each column's rounding error over the columns not yet
// quantised, weighted by the inverse Hessian of the layer's reconstruction loss
// ‖W X − Ŵ X‖², H = 2/N · Σ x xᵀ over the N calibration input rows.
//
//   dead columns (H_jj = 0): H_jj = 1, W[:, j] = 0 (no input ever reaches them)
//   damping: H += percdamp · mean(diag H) · I (1 % in the paper)
//   U = upper Cholesky factor of H⁻¹ (H⁻¹ = Uᵀ U)
//   for each block of `block_size` columns (lazy batch updates):
//     for column j: q = Q(w_j); e = (w_j − q) / U_jj; W[:, j:blk_end] −= e · U[j, j:blk_end]
//     W[:, blk_end:] −= E_block · U[block, blk_end:]
//   act_order: columns processed in order of decreasing H_jj ("desc_act").
// Quantisation grid: the layer's weight quantiser (any format and granularity). Per-channel
// and per-tensor parameters come from the quantiser's observer on the original weight; with
// groups, each group's parameters are found when the solver reaches its first column, from
// the weight as updated so far (GPTQ's default), or from the original weight up front
// (`static_groups`, GPTQ's option; forced with act_order so groups stay contiguous and
// packable). H is accumulated and factorised in float64.
#pragma once

#include "framework/quant/quantizer.h"

#include <torch/torch.h>

namespace ptq::methods {

struct GptqOptions {
  int64_t block_size = 128;
  double percdamp = 0.01;
  bool act_order = false;
  bool static_groups = false;
};

// Running average of 2 xxᵀ over input rows, as GPTQ accumulates it (batch by batch).
class HessianAccumulator {
 public:
  explicit HessianAccumulator(int64_t columns);
  void add(const torch::Tensor& rows);  // [n, K]
  const torch::Tensor& hessian() const { return h_; }
  int64_t samples() const { return n_; }

 private:
  torch::Tensor h_;  // [K, K] float64
  int64_t n_ = 0;
};

struct GptqLayerResult {
  torch::Tensor weight;   // [O, K] on the quantisation grid (dequantised values)
  double error = 0;       // GPTQ's loss: Σ (w − q)² / U_jj², halved
  int64_t dead_columns = 0;
};

// `quantizer` must be configured for a weight of shape `weight_shape` (the layer's own,
// e.g. [O, I, kh, kw]; W is its [O, K] flattening); its parameters are set (state Quantize).
GptqLayerResult gptq_quantize(const torch::Tensor& weight2d, const torch::Tensor& hessian, QuantizerImpl& quantizer,
                              torch::IntArrayRef weight_shape, const GptqOptions& options,
                              const std::string& layer_name);

}  // namespace ptq::methods
