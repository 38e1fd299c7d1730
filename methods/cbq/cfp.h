// CBQ's coarse-to-fine pre-processing (CFP) applied to a model before quantisation:
//   weights     — in every layer with a configured weight quantiser, the weight magnitudes'
//                 outliers (outliers.h) are truncated to ±clip_to;
//   activations — for every linear input of a LLaMA decoder layer, channels whose maximum
//                 magnitude over calibration tokens is an outlier are scaled down to clip_to
//                 by s_c = max_c / clip_to, the inverse folded into the weights so the float
//                 network computes the same function: the RMSNorm weight (q/k/v and
//                 gate/up inputs), v_proj's rows (o_proj's input; with GQA one factor per
//                 key/value channel, the largest of the query heads sharing it) and up_proj's
//                 rows (down_proj's input), the layer's input columns multiplied by s.
// The paper says activation outliers are "dynamically" scaled channel-wise; this static,
// calibration-time scaling folded into the weights is ptq's reading (inferred). Models other
// than the LLaMA decoder get the weight step only.
#pragma once

#include "framework/nn/model.h"

#include <nlohmann/json.hpp>

namespace ptq::methods {

struct CfpOptions {
  bool weights = true;
  bool activations = true;
  double lambda1 = 1.5;  // quartile rule
  double lambda2 = 1.0;  // intra-set variance weight of the fine split (not given in the paper)
  int64_t samples = 32;  // calibration windows for the activation maxima
  int64_t batch_size = 8;
};

// Both return a per-layer record for metrics.json.
nlohmann::json truncate_weight_outliers(QuantModelImpl& model, const CfpOptions& options);
nlohmann::json scale_activation_outliers(QuantModelImpl& model, const torch::Tensor& calibration,
                                         const CfpOptions& options);

}  // namespace ptq::methods
