// meta_aug — MetaAug (Pham et al., ECCV 2024), the official code's protocol (ptq-methods.md
// §5): before each block is reconstructed, a U-Net transformation network T is trained
// bi-level (meta_stage.h); the block is then reconstructed on the original calibration
// images plus their transforms T(x) (meta_aug_input_policy.h), with QDrop's input mixing and
// in-block dropping (p = 0.5).
// `protocol` picks the reconstruction the augmentation sits on:
//   meta_aug — the code's (preset): λ = 1.0, learned weight scales (lr 1e-4, cosine; ⌊W/s⌋
//              frozen) + AdaRound V (lr 1e-3) + LSQ activation scales (lr 4e-5, cosine, ranges
//              from the first 32 cached inputs of each block), 20,000 iterations of batch 64
//              over the 2N rows in epochs. BN unfolded (model.fold_bn: false), activation
//              quantisers on layer inputs (quant.act.position: input) and seed 1029 are config
//              keys of configs/_base_/methods/meta_aug.yaml.
//   qdrop    — QDrop's reconstruction (QdropMethod::preset and _base_/methods/qdrop.yaml's
//              quantisers), so an ablation isolates what the augmentation adds.
// meta.* and transform.* are listed in methods/meta_aug/README.md; augment: false
// reconstructs on the original images only (with meta.enabled: false, the bare protocol).
#pragma once

#include "framework/method/method.h"
#include "framework/recon/recon_options.h"
#include "methods/meta_aug/meta_stage.h"
#include "methods/meta_aug/transform_net.h"

namespace ptq::methods {

struct MetaAugOptions {
  std::string protocol = "meta_aug";  // meta_aug | qdrop
  ReconOptions recon;
  MetaOptions meta;
  TransformNetOptions transform;       // channels come from the calibration images
  TransformWarmupOptions warmup;
  bool augment = true;
  double drop_prob = 0.5;
};

class MetaAugMethod final : public Method {
 public:
  explicit MetaAugMethod(MetaAugOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "meta_aug"; }
  void apply(MethodContext& ctx) override;
  const MetaAugOptions& options() const { return options_; }

  // The reconstruction of `protocol` with drop probability p.
  static ReconOptions recon_preset(const std::string& protocol, double drop_prob = 0.5);
  static std::unique_ptr<Method> from_config(const config::Section& section);

 private:
  MetaAugOptions options_;
};

}  // namespace ptq::methods
