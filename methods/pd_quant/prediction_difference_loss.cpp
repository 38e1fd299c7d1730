#include "methods/pd_quant/prediction_difference_loss.h"

#include "framework/core/check.h"
#include "framework/recon/quantizer_states.h"

namespace ptq::methods {
namespace {

// Weights of the rest of the network are constants for the PD term: the graph is recorded
// without their gradient edges (restored after the forward pass).
class NoWeightGrad {
 public:
  NoWeightGrad(QuantModelImpl& model, size_t begin, size_t end) {
    for (size_t u = begin; u < end; ++u)
      for (auto& p : model.units()[u]->parameters())
        if (p.requires_grad()) {
          p.set_requires_grad(false);
          params_.push_back(p);
        }
  }
  ~NoWeightGrad() {
    for (auto& p : params_) p.set_requires_grad(true);
  }
  NoWeightGrad(const NoWeightGrad&) = delete;
  NoWeightGrad& operator=(const NoWeightGrad&) = delete;

 private:
  std::vector<torch::Tensor> params_;
};

}  // namespace

void PdLossOptions::validate() const {
  PTQ_CHECK(temperature > 0.0, "pd.temperature: expected a number > 0, got {}", temperature);
  PTQ_CHECK(lambda_r > 0.0, "pd.lambda_r: expected a number > 0, got {}", lambda_r);
}

PredictionDifferenceLoss::PredictionDifferenceLoss(PdLossOptions o) : o_(o) { o_.validate(); }

torch::Tensor prediction_difference(const torch::Tensor& logits_fp, const torch::Tensor& logits_q, double t) {
  PTQ_INTERNAL_ASSERT(logits_fp.sizes() == logits_q.sizes(), "prediction difference of logits of different shapes");
  auto kl = torch::kl_div(torch::log_softmax(logits_q / t, 1), torch::softmax(logits_fp / t, 1), at::Reduction::Sum);
  return kl / static_cast<double>(logits_q.size(0));
}

torch::Tensor PredictionDifferenceLoss::rest_logits(QuantModelImpl& model, const ReconGroup& group,
                                                    const torch::Tensor& x) {
  const size_t end = group.unit_end, n = model.units().size();
  std::vector<Quantizer> rest;
  for (size_t u = end; u < n; ++u)
    for (const auto& q : model.units()[u]->quantizers()) rest.push_back(q);
  QuantizerStateGuard rest_fp(rest, QuantizerState::Off);
  NoWeightGrad frozen(model, end, n);
  return end < n ? model.forward_units(x, end, n) : x;
}

void PredictionDifferenceLoss::prepare(GroupContext& g) {
  PTQ_CHECK(!g.group.is_layer(),
            "PD-Quant's prediction-difference loss needs block (or coarser) granularity: group '{}' is a single "
            "layer, and the rest of the network is run from unit outputs; set method.granularity: block",
            g.group.name);
  g.cache.fill("fp_logits", g.rows, g.forward_batch, [&](int64_t b, int64_t c) {
    torch::NoGradGuard no_grad;
    return rest_logits(g.model, g.group, g.cache.slice("fp_out", b, c));
  });
}

torch::Tensor PredictionDifferenceLoss::compute(const LossBatch& b, LossTerms& terms) {
  const int64_t n = b.target.size(0);
  const bool halves = b.output.size(0) == 2 * n;
  PTQ_INTERNAL_ASSERT(halves || b.output.size(0) == n, "PD loss: {} outputs for {} targets", b.output.size(0), n);
  auto mixed = halves ? b.output.narrow(0, 0, n) : b.output;
  auto quant = halves ? b.output.narrow(0, n, n) : b.output;
  auto rec = lp_reconstruction_loss(mixed, b.target, 2.0);
  auto zq = rest_logits(b.group.model, b.group.group, quant);
  auto pd = prediction_difference(b.group.cache.gather("fp_logits", b.indices), zq, o_.temperature) / o_.lambda_r;
  terms["rec"] = rec.item<double>();
  terms["pd"] = pd.item<double>();
  return rec + pd;
}

}  // namespace ptq::methods
