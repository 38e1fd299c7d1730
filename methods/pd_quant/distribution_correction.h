// PD-Quant's distribution correction (DC; ptq-methods.md §4.1 (b)): before a group is
// reconstructed, each chunk of 32 float group inputs x is replaced by x̂, optimised so that
// the statistics of the inputs of every BatchNorm inside the group (in the float network)
// match that BN's running statistics, while x̂ stays near x:
//   L_DC = Σ_BN [ ‖μ_BN − μ_n,c(x̂)‖² / N + ‖σ_BN − σ_n,c(x̂)‖² / N ] + ((x̂ − x)²).sum(1).mean() / λ_c
// with μ_n,c, σ_n,c the per-sample, per-channel spatial mean and std (σ = √(var + 1e-6),
// unbiased var as torch's default) and σ_BN = √(running_var + 1e-6); Adam (lr 1e-3) with
// ReduceLROnPlateau (patience 100, factor 0.1, min lr 1e-5) for 500 steps. The float
// target becomes the group's float output on x̂; the quantised input is not corrected.
// BN is folded in ptq's models: a BN input is recovered from the folded layer's
// pre-activation output y as (y − β)·√(var + ε)/γ + μ (QuantLayer::folded_bn()). Groups
// without BN (the classifier) keep x.
#pragma once

#include "framework/nn/model.h"
#include "framework/recon/granularity.h"

namespace ptq::methods {

struct DcOptions {
  bool enabled = true;
  int64_t iters = 500;
  int64_t chunk = 32;        // rows corrected together (the code's calibration batch)
  double lr = 1e-3;          // bn_lr
  double lambda_c = 0.02;    // 0.02 ResNet, 0.01 RegNet, 0.005 MobileNetV2, 0.001 MnasNet
  int64_t patience = 100;    // ReduceLROnPlateau
  double min_lr = 1e-5;
  bool progress = true;      // a progress bar per group on stderr (the method passes ReconOptions::progress)
  void validate() const;
};

// The input of a folded BN from the folded layer's pre-activation output y [N, C, H, W].
torch::Tensor bn_input_from_folded(const torch::nn::BatchNorm2d& bn, const torch::Tensor& y);

// Whether the group has a folded BN to correct towards.
bool group_has_bn(QuantModelImpl& model, const ReconGroup& g);

// L_DC's statistics term for inputs x of group g (every quantiser in the model off).
torch::Tensor bn_statistics_loss(QuantModelImpl& model, const ReconGroup& g, const torch::Tensor& x);

// x̂ for one chunk x of float group inputs (x itself when the group has no BN).
torch::Tensor correct_distribution(QuantModelImpl& model, const ReconGroup& g, const torch::Tensor& x,
                                   const DcOptions& o);

}  // namespace ptq::methods
