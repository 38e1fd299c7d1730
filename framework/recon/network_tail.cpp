#include "framework/recon/network_tail.h"

#include "framework/core/check.h"
#include "framework/recon/quantizer_states.h"

namespace ptq {

namespace {

void freeze(std::vector<torch::Tensor> from, std::vector<torch::Tensor>& frozen) {
  for (auto& p : from)
    if (p.requires_grad()) {
      p.set_requires_grad(false);
      frozen.push_back(p);
    }
}

}  // namespace

NoWeightGrad::NoWeightGrad(QuantModelImpl& model, size_t begin, size_t end) {
  for (size_t u = begin; u < end; ++u) freeze(model.units()[u]->parameters(), params_);
}

NoWeightGrad::NoWeightGrad(QuantModelImpl& model) { freeze(model.parameters(), params_); }

NoWeightGrad::~NoWeightGrad() {
  for (auto& p : params_) p.set_requires_grad(true);
}

torch::Tensor tail_logits(QuantModelImpl& model, const ReconGroup& group, const torch::Tensor& x) {
  const size_t end = group.unit_end, n = model.units().size();
  std::vector<Quantizer> rest;
  for (size_t u = end; u < n; ++u)
    for (const auto& q : model.units()[u]->quantizers()) rest.push_back(q);
  QuantizerStateGuard rest_fp(rest, QuantizerState::Off);
  NoWeightGrad frozen(model, end, n);
  return end < n ? model.forward_units(x, end, n) : x;
}

torch::Tensor prediction_kl(const torch::Tensor& logits_fp, const torch::Tensor& logits_q, double t) {
  PTQ_INTERNAL_ASSERT(logits_fp.sizes() == logits_q.sizes(), "prediction KL of logits of different shapes");
  auto kl = torch::kl_div(torch::log_softmax(logits_q / t, 1), torch::softmax(logits_fp / t, 1), at::Reduction::Sum);
  return kl / static_cast<double>(logits_q.size(0));
}

}  // namespace ptq
