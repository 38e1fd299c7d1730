#include "methods/gptq/gptq_method.h"

#include "framework/core/check.h"
#include "framework/core/logging.h"
#include "framework/nn/calibration.h"
#include "framework/recon/recon_config.h"

#include <map>

namespace ptq::methods {
namespace {

// The rows a layer's weight multiplies: [n, K] with K = the flattened weight's width.
torch::Tensor input_rows(QuantLayerImpl& layer, const torch::Tensor& x) {
  if (auto* conv = dynamic_cast<QuantConv2dImpl*>(&layer)) {
    const auto& o = conv->options();
    auto cols = torch::nn::functional::unfold(
        x, torch::nn::functional::UnfoldFuncOptions({o.kernel_size(), o.kernel_size()})
               .dilation(o.dilation())
               .padding(o.padding())
               .stride(o.stride()));  // [B, C·k·k, L]
    return cols.transpose(1, 2).reshape({-1, cols.size(1)});
  }
  return x.reshape({-1, x.size(-1)});
}

bool solvable(QuantLayerImpl& layer) {
  if (auto* conv = dynamic_cast<QuantConv2dImpl*>(&layer)) return conv->options().groups() == 1;
  return dynamic_cast<QuantLinearImpl*>(&layer) != nullptr;
}

}  // namespace

void GptqMethod::apply(MethodContext& ctx) {
  auto& model = ctx.model;
  calibrate_weights(model);  // round-to-nearest parameters for every layer GPTQ does not solve
  const auto& units = model.units();
  const int64_t n = ctx.calibration.size(0);
  ActivationCache cache(cache_);
  cache.fill("in", n, batch_size_, [&](int64_t b, int64_t c) { return ctx.calibration.narrow(0, b, c); });
  nlohmann::json layers_json = nlohmann::json::object();
  int64_t solved = 0;
  for (size_t ui = 0; ui < units.size(); ++ui) {
    auto& unit = *units[ui];
    std::vector<LayerEntry> todo;
    for (const auto& e : unit.layers()) {
      if (!e.layer->weight_quantizer->configured()) continue;
      if (solvable(*e.layer))
        todo.push_back(e);
      else
        log_info("gptq: {} is a grouped convolution; it keeps round-to-nearest", e.name);
    }
    if (!todo.empty()) {
      std::map<std::string, std::unique_ptr<HessianAccumulator>> hessians;
      for (auto& e : todo) {
        const int64_t k = e.layer->weight.numel() / e.layer->weight.size(0);
        auto* h = (hessians[e.name] = std::make_unique<HessianAccumulator>(k)).get();
        QuantLayerImpl* layer = e.layer.get();
        e.layer->set_tap([h, layer](const torch::Tensor& in, const torch::Tensor&) { h->add(input_rows(*layer, in)); });
        e.layer->weight_quantizer->set_state(QuantizerState::Off);
      }
      {
        torch::NoGradGuard no_grad;
        for (int64_t b = 0; b < n; b += batch_size_) unit.forward(cache.slice("in", b, std::min(batch_size_, n - b)));
      }
      for (auto& e : todo) {
        e.layer->set_tap(nullptr);
        auto& w = e.layer->weight;
        const auto r = gptq_quantize(w.reshape({w.size(0), -1}), hessians[e.name]->hessian(), *e.layer->weight_quantizer,
                                     w.sizes(), options_, e.name);
        {
          torch::NoGradGuard no_grad;
          w.copy_(r.weight.reshape(w.sizes()));
        }
        layers_json[e.name] = {{"error", r.error}, {"dead_columns", r.dead_columns}};
        log_debug("gptq: {}  error {:.4g}", e.name, r.error);
        ++solved;
      }
    }
    if (ui + 1 < units.size()) {
      cache.fill("out", n, batch_size_, [&](int64_t b, int64_t c) {
        torch::NoGradGuard no_grad;
        return unit.forward(cache.slice("in", b, c));
      });
      cache.release("in");
      cache.rename("out", "in");
    }
  }
  log_info("gptq: {} layers solved (block {}, damp {}, act_order {}){}", solved, options_.block_size, options_.percdamp,
           options_.act_order, cache.on_disk("in") ? "; unit inputs spilled to disk" : "");
  ctx.details["layers"] = layers_json;
  calibrate_activations(model, ctx.calibration, ctx.calibration_options);
}

std::unique_ptr<Method> GptqMethod::from_config(const config::Section& s) {
  GptqOptions o;
  o.block_size = s.get_int("block_size", o.block_size, config::IntRange{1, 1 << 20});
  o.percdamp = s.get_double("percdamp", o.percdamp, config::DoubleRange::greater_than(0.0));
  o.act_order = s.get_bool("act_order", o.act_order);
  o.static_groups = s.get_bool("static_groups", o.static_groups);
  const int64_t batch = s.get_int("batch_size", 16, config::IntRange{1, 1 << 20});
  return std::make_unique<GptqMethod>(o, batch, cache_options_from_config(s.section("cache"), CacheOptions{}));
}

}  // namespace ptq::methods
