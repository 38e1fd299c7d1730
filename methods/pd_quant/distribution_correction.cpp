#include "methods/pd_quant/distribution_correction.h"

#include "framework/core/check.h"
#include "framework/recon/loss.h"
#include "framework/recon/network_tail.h"
#include "framework/recon/plateau_lr.h"
#include "framework/recon/quantizer_states.h"

#include <cmath>

namespace ptq::methods {
namespace {

constexpr double kStdEps = 1e-6;  // the code's eps for both the batch and the running std

std::vector<LayerEntry> bn_layers(QuantModelImpl& model, const ReconGroup& g) {
  std::vector<LayerEntry> out;
  for (const auto& e : group_layers(model, g))
    if (!e.layer->folded_bn().is_empty()) out.push_back(e);
  return out;
}

}  // namespace

void DcOptions::validate() const {
  PTQ_CHECK(iters >= 0, "dc.iters: expected a number >= 0, got {}", iters);
  PTQ_CHECK(chunk >= 1, "dc.chunk: expected a number >= 1, got {}", chunk);
  PTQ_CHECK(lr > 0.0 && min_lr > 0.0, "dc.lr and dc.min_lr must be > 0 (got {}, {})", lr, min_lr);
  PTQ_CHECK(lambda_c > 0.0, "dc.lambda_c: expected a number > 0, got {}", lambda_c);
  PTQ_CHECK(patience >= 0, "dc.patience: expected a number >= 0, got {}", patience);
}

torch::Tensor bn_input_from_folded(const torch::nn::BatchNorm2d& bn, const torch::Tensor& y) {
  const auto c = y.size(1);
  auto gamma = bn->weight.defined() ? bn->weight.detach() : torch::ones({c}, y.options());
  auto beta = bn->bias.defined() ? bn->bias.detach() : torch::zeros({c}, y.options());
  auto std_fold = torch::sqrt(bn->running_var.detach() + bn->options.eps());
  return (y - beta.view({1, -1, 1, 1})) * (std_fold / gamma).view({1, -1, 1, 1}) +
         bn->running_mean.detach().view({1, -1, 1, 1});
}

bool group_has_bn(QuantModelImpl& model, const ReconGroup& g) { return !bn_layers(model, g).empty(); }

torch::Tensor bn_statistics_loss(QuantModelImpl& model, const ReconGroup& g, const torch::Tensor& x) {
  const auto layers = bn_layers(model, g);
  std::vector<torch::Tensor> pre(layers.size());
  for (size_t i = 0; i < layers.size(); ++i)
    layers[i].layer->set_pre_activation_tap([&pre, i](const torch::Tensor& y) { pre[i] = y; });
  torch::Tensor out;
  try {
    QuantizerStateGuard off(model.quantizers(), QuantizerState::Off);
    out = model.forward_units(x, g.unit_begin, g.unit_end);
  } catch (...) {
    for (const auto& e : layers) e.layer->set_pre_activation_tap(nullptr);
    throw;
  }
  for (const auto& e : layers) e.layer->set_pre_activation_tap(nullptr);
  torch::Tensor loss = torch::zeros({}, x.options());
  const double n = static_cast<double>(x.size(0));
  for (size_t i = 0; i < layers.size(); ++i) {
    PTQ_INTERNAL_ASSERT(pre[i].defined() && pre[i].dim() == 4, "DC: layer {} gave no 4-D pre-activation",
                        layers[i].name);
    const auto& bn = layers[i].layer->folded_bn();
    auto mu_bn = bn->running_mean.detach();
    auto var_bn = bn->running_var.detach();
    auto z = bn_input_from_folded(bn, pre[i]);
    // Spatial mean and unbiased variance per sample and channel, as flat row reductions
    // (LibTorch 1.13's var over two inner dims and its backward are several times slower).
    const int64_t hw = z.size(2) * z.size(3);
    auto flat = z.reshape({z.size(0), z.size(1), hw});
    auto mean = flat.mean(2);
    auto centred = flat - mean.unsqueeze(2);
    auto var = (centred * centred).sum(2) / static_cast<double>(std::max<int64_t>(hw - 1, 1));
    auto std = torch::sqrt(var + kStdEps);
    auto std_bn = torch::sqrt(var_bn + kStdEps);
    loss = loss + (mu_bn.unsqueeze(0) - mean).pow(2).sum() / n + (std_bn.unsqueeze(0) - std).pow(2).sum() / n;
  }
  return loss;
}

torch::Tensor correct_distribution(QuantModelImpl& model, const ReconGroup& g, const torch::Tensor& x,
                                   const DcOptions& o) {
  if (o.iters == 0 || !group_has_bn(model, g)) return x;
  auto target = x.detach();
  auto xh = target.clone().requires_grad_(true);
  torch::optim::Adam adam({xh}, torch::optim::AdamOptions(o.lr));
  PlateauLr plateau(o.lr, o.patience, 0.1, o.min_lr);
  // The float weights are constants here.
  NoWeightGrad frozen(model);
  for (int64_t t = 0; t < o.iters; ++t) {
    adam.zero_grad();
    auto loss = bn_statistics_loss(model, g, xh) + lp_reconstruction_loss(xh, target, 2.0) / o.lambda_c;
    const double value = loss.item<double>();
    PTQ_CHECK(std::isfinite(value),
              "distribution correction of group '{}' diverged at step {} of {} (loss {}); lower dc.lr or raise "
              "dc.lambda_c",
              g.name, t + 1, o.iters, value);
    loss.backward();
    adam.step();
    const double lr = plateau.step(value);
    for (auto& group : adam.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  }
  return xh.detach();
}

}  // namespace ptq::methods
