#include "methods/meta_aug/meta_objective.h"

#include "framework/core/check.h"
#include "framework/recon/network_tail.h"
#include "framework/recon/quantizer_states.h"

#include <algorithm>

namespace ptq::methods {
namespace {

torch::Tensor similarity_distribution(const torch::Tensor& f, double eps) {
  auto norm = torch::sqrt((f * f).sum(1, /*keepdim=*/true));
  auto u = torch::nan_to_num(f / (norm + eps), 0.0);
  auto s = (torch::mm(u, u.t()) + 1.0) / 2.0;
  return s / s.sum(1, /*keepdim=*/true);
}

}  // namespace

torch::Tensor pkt_loss(const torch::Tensor& output, const torch::Tensor& target, double eps) {
  PTQ_INTERNAL_ASSERT(output.dim() == 2 && output.sizes() == target.sizes(), "PKT of features [{}] and [{}]",
                      fmt::join(output.sizes(), ", "), fmt::join(target.sizes(), ", "));
  auto p = similarity_distribution(output, eps), q = similarity_distribution(target, eps);
  return (q * torch::log((q + eps) / (p + eps))).mean();
}

torch::Tensor margin_loss(const torch::Tensor& transformed, const torch::Tensor& original, double tau) {
  return torch::relu(tau - (transformed - original).pow(2).mean());
}

torch::Tensor mixup(const torch::Tensor& x, double alpha) {
  auto g = at::_standard_gamma(torch::full({2}, alpha, torch::kDouble));
  const double l = (g[0] / (g[0] + g[1])).item<double>();
  const double lam = std::max(l, 1.0 - l);
  auto perm = torch::randperm(x.size(0), torch::kLong);
  return x * lam + x.index_select(0, perm) * (1.0 - lam);
}

torch::Tensor penultimate_features(QuantModelImpl& model, const torch::Tensor& x) {
  const size_t n = model.units().size();
  PTQ_INTERNAL_ASSERT(n >= 2, "penultimate features need a model of at least two units");
  QuantizerStateGuard fp(model.quantizers(), QuantizerState::Off);
  NoWeightGrad frozen(model);
  auto h = model.forward_units(x, 0, n - 1);
  if (h.dim() > 2) h = h.flatten(2).mean(2);
  return h;
}

}  // namespace ptq::methods
