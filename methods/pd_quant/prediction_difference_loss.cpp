#include "methods/pd_quant/prediction_difference_loss.h"

#include "framework/core/check.h"
#include "framework/recon/network_tail.h"

namespace ptq::methods {

void PdLossOptions::validate() const {
  PTQ_CHECK(temperature > 0.0, "pd.temperature: expected a number > 0, got {}", temperature);
  PTQ_CHECK(lambda_r > 0.0, "pd.lambda_r: expected a number > 0, got {}", lambda_r);
}

PredictionDifferenceLoss::PredictionDifferenceLoss(PdLossOptions o) : o_(o) { o_.validate(); }

void PredictionDifferenceLoss::prepare(GroupContext& g) {
  PTQ_CHECK(!g.group.is_layer(),
            "PD-Quant's prediction-difference loss needs block (or coarser) granularity: group '{}' is a single "
            "layer, and the rest of the network is run from unit outputs; set method.granularity: block",
            g.group.name);
  g.cache.fill("fp_logits", g.rows, g.forward_batch, [&](int64_t b, int64_t c) {
    torch::NoGradGuard no_grad;
    return tail_logits(g.model, g.group, g.cache.slice("fp_out", b, c));
  });
}

torch::Tensor PredictionDifferenceLoss::compute(const LossBatch& b, LossTerms& terms) {
  const int64_t n = b.target.size(0);
  const bool halves = b.output.size(0) == 2 * n;
  PTQ_INTERNAL_ASSERT(halves || b.output.size(0) == n, "PD loss: {} outputs for {} targets", b.output.size(0), n);
  auto mixed = halves ? b.output.narrow(0, 0, n) : b.output;
  auto quant = halves ? b.output.narrow(0, n, n) : b.output;
  auto rec = lp_reconstruction_loss(mixed, b.target, 2.0);
  auto zq = tail_logits(b.group.model, b.group.group, quant);
  auto pd = prediction_kl(b.group.cache.gather("fp_logits", b.indices), zq, o_.temperature) / o_.lambda_r;
  terms["rec"] = rec.item<double>();
  terms["pd"] = pd.item<double>();
  return rec + pd;
}

}  // namespace ptq::methods
