// RegNetX (Radosavovic et al. 2020) with torchvision's parameter names, so torchvision
// checkpoints load unchanged:
//   stem.{0,1}                                3x3/2 conv (32) + BN + ReLU         — Stem
//   trunk_output.block{s}.block{s}-{i}        ResBottleneckBlock units             — Block
//       proj.{0,1}  1x1/stride conv + BN, when stride != 1 or width changes
//       f.a.{0,1}   1x1 conv + BN + ReLU
//       f.b.{0,1}   3x3/stride grouped conv (group width g) + BN + ReLU
//       f.c.{0,1}   1x1 conv + BN
//       relu(proj(x) or x  +  f(x))
//   fc                                        avg pool + Linear                    — Head
// Stage widths and depths come from the quantised linear rule of the paper, computed the
// way torchvision's BlockParams.from_init_params does (float32 arithmetic, widths rounded
// to multiples of 8, then made compatible with the group width via make_divisible).
// Placement follows BRECQ: f.c and proj feed the add (no act-quant); the block quantises
// after add + ReLU. Bottleneck multiplier 1.0 and no squeeze-excitation (RegNetX).
// torchvision ships a regnet_x_400mf builder but none for 600MF: regnetx_600mf is
// torchvision's RegNet class built from the paper's (pycls's) 600MF design parameters, with
// torchvision's names — what BlockParams.from_init_params(16, 48, 36.97, 2.24, 24) builds.
// `small_input` makes the stem stride 1, for 28–32 px inputs.
#pragma once

#include "framework/nn/model.h"

#include <string>
#include <vector>

namespace ptq {

// torchvision's RegNet design-space parameters.
struct RegNetDesign {
  int64_t depth = 22;        // total number of blocks
  double w_0 = 24;           // initial width (a multiple of 8)
  double w_a = 24.48;        // width slope
  double w_m = 2.54;         // width multiplier between stages (> 1)
  int64_t group_width = 16;  // channels per group of the 3x3 conv
};
RegNetDesign regnetx_400mf_design();  // depth 22, w_0 24, w_a 24.48, w_m 2.54, g 16
RegNetDesign regnetx_600mf_design();  // depth 16, w_0 48, w_a 36.97, w_m 2.24, g 24

// Per-stage parameters derived from a design (every stage has stride 2).
struct RegNetStages {
  std::vector<int64_t> widths, depths, group_widths;
};
RegNetStages regnet_stages(const RegNetDesign& design);

struct RegNetOptions {
  std::string arch = "regnetx_400mf";
  RegNetDesign design;
  int64_t stem_width = 32;
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
  int64_t image_size = 224;
  bool small_input = false;  // stem stride 1 instead of 2
};

class RegNetImpl : public QuantModelImpl {
 public:
  explicit RegNetImpl(const RegNetOptions& options);
};

// torchvision's ResBottleneckBlock (bottleneck multiplier 1, no SE).
class ResBottleneckBlockImpl : public UnitImpl {
 public:
  ResBottleneckBlockImpl(const std::string& name, int64_t in, int64_t out, int64_t stride, int64_t group_width);
  torch::Tensor forward(const torch::Tensor& x) override;

 private:
  QuantConv2d a_{nullptr}, b_{nullptr}, c_{nullptr}, proj_{nullptr};
};

}  // namespace ptq
