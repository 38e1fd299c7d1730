// The parameters one reconstruction group learns, set up and torn down in one place so the
// loop (group_optimizer.h) and methods that optimise the same parameters differently
// (MetaAug's differentiable inner step) agree on what they are:
//   V          — AdaRound's rounding logits, one policy installed per quantised weight
//                quantiser of the group (rounding: adaround);
//   weight s   — the weight quantisers' scales (learn_weight_scale; AdaRound then freezes ⌊W/s⌋);
//   act s      — the LSQ step sizes of the group's static activation quantisers (learn_act_scale).
// While alive, the group's float weights and biases are constants (no gradient buffers) and
// the learned tensors require grad; the destructor restores every requires_grad flag. The
// installed AdaRound policies stay in the quantisers (harden() or a later set_rounding()
// replaces them).
#pragma once

#include "framework/recon/adaround.h"
#include "framework/recon/granularity.h"
#include "framework/recon/recon_options.h"

#include <memory>
#include <utility>
#include <vector>

namespace ptq {

struct LearnedRounding {
  LayerEntry layer;
  std::shared_ptr<AdaRound> rounding;
};

class GroupLearnedParams {
 public:
  // inline_adam: let AdaRound fold Adam into its forward pass where supported (those V are
  // then not in v()); methods that need V as an ordinary tensor pass false.
  GroupLearnedParams(QuantModelImpl& model, const ReconGroup& group, const ReconOptions& o, bool inline_adam);
  ~GroupLearnedParams();
  GroupLearnedParams(const GroupLearnedParams&) = delete;
  GroupLearnedParams& operator=(const GroupLearnedParams&) = delete;

  const std::vector<LayerEntry>& layers() const { return layers_; }
  const std::vector<Quantizer>& acts() const { return acts_; }  // the group's activation quantisers (when quantised)
  std::vector<LearnedRounding>& rounding() { return rounding_; }
  const std::vector<torch::Tensor>& v() const { return v_; }                    // V optimised outside the forward pass
  const std::vector<torch::Tensor>& weight_scales() const { return weight_scales_; }
  const std::vector<Quantizer>& weight_scale_owners() const { return weight_scale_owners_; }
  const std::vector<torch::Tensor>& act_scales() const { return act_scales_; }
  const std::vector<Quantizer>& act_scale_owners() const { return act_scale_owners_; }
  bool empty() const { return rounding_.empty() && v_.empty() && weight_scales_.empty() && act_scales_.empty(); }

  // λ·Σ f_reg(β) over the group's AdaRound policies, each taken from its last fused forward
  // pass when it computed one (undefined when there is no learned rounding).
  torch::Tensor take_regularizer(double beta, double lambda);
  // Decided rounding in every weight quantiser of the group.
  void harden();
  // The learned scales become constants again (as the destructor does; idempotent).
  void stop_learning();

 private:
  std::vector<LayerEntry> layers_;
  std::vector<Quantizer> acts_;
  std::vector<LearnedRounding> rounding_;
  std::vector<torch::Tensor> v_, weight_scales_, act_scales_;
  std::vector<Quantizer> weight_scale_owners_, act_scale_owners_;
  std::vector<std::pair<torch::Tensor, bool>> frozen_;
};

}  // namespace ptq
