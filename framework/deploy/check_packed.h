// The packed-vs-fake-quant checker behind `ptq check-packed`: runs a quantised model in its
// fake-quant form and in its packed form on the same images and compares
//   * every packed layer's weight: dequantised packed weight vs fake-quantised weight (must be
//     bit-identical: export checks it, the file could have been altered since);
//   * every layer's output on the first batch (max abs and relative error);
//   * the logits over all images: max abs error, relative error (max abs error over the
//     largest |logit|) and top-1 agreement.
// It passes when the weights are identical, the logits' relative error is within the
// tolerance of the packed formats (the largest PackedFormatTraits::logits_rtol involved: with
// identical weights only the accumulation order differs) and every top-1 disagreement is a
// near tie explained by that error (the fake-quant margin between the two classes is at most
// twice the sample's max abs logit error).
#pragma once

#include "framework/deploy/packed_model.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ptq {

struct LayerCheck {
  std::string name;
  std::string format;      // packed format, or "float" for layers left unpacked
  double weight_max_abs = 0;
  double out_max_abs = 0;
  double out_rel = 0;
};

struct PackedCheck {
  int64_t samples = 0;
  double logits_max_abs = 0, logits_rel = 0;
  double top1_agreement = 0;  // percent
  int64_t disagreements = 0, unexplained = 0;
  double tolerance = 0;
  bool weights_identical = true;
  bool passed = false;
  std::vector<LayerCheck> layers;

  nlohmann::json to_json() const;
  std::string report() const;  // human-readable, one line per layer then the verdict
};

PackedCheck check_packed(QuantModelImpl& fake_quant, const PackedModel& packed, const torch::Tensor& images,
                         int64_t batch_size);

}  // namespace ptq
