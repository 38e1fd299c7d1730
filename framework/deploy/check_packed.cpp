#include "framework/deploy/check_packed.h"

#include "framework/core/check.h"
#include "kernels/packed_linear/packed_linear.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace ptq {
namespace {

double max_abs(const torch::Tensor& t) { return t.numel() ? t.abs().max().item<double>() : 0.0; }

// Every layer's output for `x`, by layer name.
std::map<std::string, torch::Tensor> layer_outputs(QuantModelImpl& model, const torch::Tensor& x) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& e : model.layers())
    e.layer->set_tap([&out, name = e.name](const torch::Tensor&, const torch::Tensor& y) { out[name] = y.detach(); });
  model.forward(x);
  for (const auto& e : model.layers()) e.layer->set_tap(nullptr);
  return out;
}

}  // namespace

PackedCheck check_packed(QuantModelImpl& fake_quant, const PackedModel& packed, const torch::Tensor& images,
                         int64_t batch_size) {
  PTQ_CHECK(images.dim() == 4 && images.size(0) > 0, "check-packed needs a batch of images [N, C, H, W]");
  torch::NoGradGuard no_grad;
  fake_quant.eval();
  auto& pm = *packed.loaded.model;
  pm.eval();
  PackedCheck c;
  c.samples = images.size(0);
  std::map<std::string, PackedLayerInfo> packed_info;
  for (const auto& l : packed.layers) {
    packed_info[l.name] = l;
    c.tolerance = std::max(c.tolerance, kernels::format_traits(l.format).logits_rtol);
  }
  // Weights and per-layer outputs on the first batch.
  const auto first = images.narrow(0, 0, std::min(batch_size, images.size(0)));
  const auto fq_out = layer_outputs(fake_quant, first), pk_out = layer_outputs(pm, first);
  std::map<std::string, std::shared_ptr<QuantLayerImpl>> fq_layers;
  for (const auto& e : fake_quant.layers()) fq_layers[e.name] = e.layer;
  for (const auto& e : pm.layers()) {
    LayerCheck lc;
    lc.name = e.name;
    auto info = packed_info.find(e.name);
    lc.format = info == packed_info.end() ? "float" : kernels::format_traits(info->second.format).name;
    auto fq_layer = fq_layers.at(e.name);
    if (e.layer->packed_weight()) {
      const auto w = kernels::dequantize(*e.layer->packed_weight()).view(e.layer->weight.sizes());
      lc.weight_max_abs = max_abs(w - fq_layer->effective_weight().detach());
      if (lc.weight_max_abs != 0.0) c.weights_identical = false;
    }
    const auto& a = fq_out.at(e.name);
    const auto& b = pk_out.at(e.name);
    lc.out_max_abs = max_abs(a - b);
    lc.out_rel = lc.out_max_abs / std::max(max_abs(a), 1e-30);
    c.layers.push_back(lc);
  }
  // Logits over every image.
  int64_t agree = 0;
  double largest = 0;
  for (int64_t b = 0; b < images.size(0); b += batch_size) {
    const auto x = images.narrow(0, b, std::min(batch_size, images.size(0) - b));
    const auto lf = fake_quant.forward(x), lp = pm.forward(x);
    const auto err = (lf - lp).abs();
    c.logits_max_abs = std::max(c.logits_max_abs, max_abs(err));
    largest = std::max(largest, max_abs(lf));
    const auto tf = lf.argmax(1), tp = lp.argmax(1);
    const auto same = tf.eq(tp);
    agree += same.sum().item<int64_t>();
    const auto sample_err = std::get<0>(err.max(1));
    for (int64_t i = 0; i < x.size(0); ++i) {
      if (same[i].item<bool>()) continue;
      ++c.disagreements;
      const double margin = (lf[i][tf[i]] - lf[i][tp[i]]).item<double>();
      if (margin > 2.0 * sample_err[i].item<double>()) ++c.unexplained;
    }
  }
  c.logits_rel = c.logits_max_abs / std::max(largest, 1e-30);
  c.top1_agreement = 100.0 * static_cast<double>(agree) / static_cast<double>(c.samples);
  if (c.tolerance == 0) c.tolerance = 1e-4;  // no packed layer: both forms are the same float model
  c.passed = c.weights_identical && c.logits_rel <= c.tolerance && c.unexplained == 0;
  return c;
}

nlohmann::json PackedCheck::to_json() const {
  nlohmann::json layers_json = nlohmann::json::array();
  for (const auto& l : layers)
    layers_json.push_back({{"name", l.name}, {"format", l.format}, {"weight_max_abs", l.weight_max_abs},
                           {"out_max_abs", l.out_max_abs}, {"out_rel", l.out_rel}});
  return {{"samples", samples},     {"logits_max_abs", logits_max_abs},
          {"logits_rel", logits_rel}, {"top1_agreement", top1_agreement},
          {"disagreements", disagreements}, {"unexplained_disagreements", unexplained},
          {"tolerance", tolerance}, {"weights_identical", weights_identical},
          {"passed", passed},       {"layers", layers_json}};
}

std::string PackedCheck::report() const {
  std::string s = fmt::format("{:<28} {:<9} {:>12} {:>12} {:>10}\n", "layer", "format", "weight err", "output err",
                              "rel");
  for (const auto& l : layers)
    s += fmt::format("{:<28} {:<9} {:>12.3g} {:>12.3g} {:>10.2e}\n", l.name, l.format, l.weight_max_abs,
                     l.out_max_abs, l.out_rel);
  s += fmt::format("logits over {} images: max abs error {:.3g}, relative {:.2e} (tolerance {:.0e}); top-1 agreement "
                   "{:.2f}% ({} disagreements, {} not near ties)\n",
                   samples, logits_max_abs, logits_rel, tolerance, top1_agreement, disagreements, unexplained);
  if (!weights_identical) s += "packed weights differ from the fake-quantised weights\n";
  s += passed ? "PASS: the packed model computes what the fake-quant model computes\n"
              : "FAIL: the packed model disagrees with the fake-quant model beyond the tolerance\n";
  return s;
}

}  // namespace ptq
