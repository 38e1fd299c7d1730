// Registers every built-in method plugin. Explicit registration (rather than static
// initialisers) survives static linking; tests check the expected names are present.
#include "framework/method/method.h"
#include "methods/adaround/adaround_method.h"
#include "methods/brecq/brecq_method.h"
#include "methods/cbq/cbq_method.h"
#include "methods/fp/fp_method.h"
#include "methods/gptq/gptq_method.h"
#include "methods/meta_aug/meta_aug_method.h"
#include "methods/pd_quant/pd_quant_method.h"
#include "methods/qdrop/qdrop_method.h"
#include "methods/rtn/rtn_method.h"

#include <mutex>

namespace ptq {

void register_builtin_methods() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& r = method_registry();
    r.add("fp", "floating-point baseline: no quantisation", methods::FpMethod::from_config);
    r.add("rtn", "round-to-nearest with any observer, no reconstruction", methods::RtnMethod::from_config);
    r.add("adaround", "AdaRound: layer-wise reconstruction of learned rounding (Nagel et al. 2020)",
          methods::AdaRoundMethod::from_config);
    r.add("gptq", "GPTQ: one-shot weight quantisation with Hessian-based error compensation (Frantar et al. 2023)",
          methods::GptqMethod::from_config);
    r.add("brecq", "BRECQ: block reconstruction of rounding, then of activation step sizes (Li et al. 2021)",
          methods::BrecqMethod::from_config);
    r.add("qdrop", "QDrop: block reconstruction with randomly dropped activation quantisation (Wei et al. 2022)",
          methods::QdropMethod::from_config);
    r.add("pd_quant", "PD-Quant: QDrop's reconstruction plus a prediction-difference loss (Liu et al. 2023)",
          methods::PdQuantMethod::from_config);
    r.add("meta_aug", "MetaAug: block reconstruction on images augmented by a meta-learned U-Net (Pham et al. 2024)",
          methods::MetaAugMethod::from_config);
    r.add("cbq", "CBQ: cross-block reconstruction over overlapping windows with LoRA-Rounding and outlier "
          "pre-processing (Ding et al. 2025)",
          methods::CbqMethod::from_config);
  });
}

}  // namespace ptq
