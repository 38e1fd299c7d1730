#include "methods/cbq/cfp.h"

#include "framework/core/logging.h"
#include "framework/nn/calibration.h"
#include "framework/nn/llama.h"
#include "framework/recon/quantizer_states.h"
#include "methods/cbq/outliers.h"

#include <map>

namespace ptq::methods {

nlohmann::json truncate_weight_outliers(QuantModelImpl& model, const CfpOptions& o) {
  torch::NoGradGuard no_grad;
  nlohmann::json out = nlohmann::json::object();
  int64_t total = 0;
  for (const auto& e : model.layers()) {
    if (!e.layer->weight_quantizer->configured()) continue;
    auto& w = e.layer->weight;
    const auto split = find_outliers(w.abs(), o.lambda1, o.lambda2);
    if (split.outliers > 0) w.clamp_(-split.clip_to, split.clip_to);
    out[e.name] = {{"threshold", split.threshold}, {"clip_to", split.clip_to}, {"outliers", split.outliers}};
    total += split.outliers;
  }
  log_info("cbq cfp: {} weight outliers truncated in {} layers", total, out.size());
  return out;
}

namespace {

// s_c = max_c / clip_to for outlier channels, 1 elsewhere.
torch::Tensor channel_scales(const torch::Tensor& maxima, const CfpOptions& o, int64_t* outliers) {
  const auto split = find_outliers(maxima, o.lambda1, o.lambda2);
  *outliers = split.outliers;
  if (split.outliers == 0 || split.clip_to <= 0) return torch::ones_like(maxima);
  return torch::where(maxima > split.clip_to, maxima / split.clip_to, torch::ones_like(maxima));
}

}  // namespace

nlohmann::json scale_activation_outliers(QuantModelImpl& model, const torch::Tensor& calibration, const CfpOptions& o) {
  std::vector<LlamaDecoderLayerImpl*> layers;
  for (const auto& u : model.units())
    if (auto* d = dynamic_cast<LlamaDecoderLayerImpl*>(u.get())) layers.push_back(d);
  nlohmann::json out = nlohmann::json::object();
  if (layers.empty()) {
    log_info("cbq cfp: activation scaling applies to LLaMA decoder layers only; skipped for {}", model.arch());
    return out;
  }
  // Per-channel maxima of |input| of the four linears that read distinct tensors.
  std::map<QuantLayerImpl*, torch::Tensor> maxima;
  auto tap = [&](QuantLayerImpl* layer) {
    layer->set_tap([&maxima, layer](const torch::Tensor& in, const torch::Tensor&) {
      const auto m = in.detach().abs().reshape({-1, in.size(-1)}).amax(0);
      auto& slot = maxima[layer];
      slot = slot.defined() ? torch::maximum(slot, m) : m;
    });
  };
  for (auto* d : layers)
    for (auto* l : {d->q_proj.get(), d->gate_proj.get(), d->o_proj.get(), d->down_proj.get()}) tap(l);
  {
    QuantizerStateGuard off(model.quantizers(), QuantizerState::Off);
    run_units_batched(model, calibration.narrow(0, 0, std::min(o.samples, calibration.size(0))), 0,
                      model.units().size(), o.batch_size, false);
  }
  for (auto* d : layers)
    for (auto* l : {d->q_proj.get(), d->gate_proj.get(), d->o_proj.get(), d->down_proj.get()}) l->set_tap(nullptr);

  torch::NoGradGuard no_grad;
  int64_t total = 0;
  for (auto* d : layers) {
    const auto& c = d->config();
    int64_t n_qkv = 0, n_mlp = 0, n_o = 0, n_down = 0;
    // q/k/v read input_layernorm's output.
    const auto s_qkv = channel_scales(maxima.at(d->q_proj.get()), o, &n_qkv);
    d->input_layernorm->weight.div_(s_qkv);
    for (auto* l : {d->q_proj.get(), d->k_proj.get(), d->v_proj.get()}) l->weight.mul_(s_qkv);
    // gate/up read post_attention_layernorm's output.
    const auto s_mlp = channel_scales(maxima.at(d->gate_proj.get()), o, &n_mlp);
    d->post_attention_layernorm->weight.div_(s_mlp);
    for (auto* l : {d->gate_proj.get(), d->up_proj.get()}) l->weight.mul_(s_mlp);
    // o_proj reads the attention output, channel (head h, dim j) made from v_proj's channel
    // (kv head h / group, j): one factor per kv channel, the largest over its query heads.
    const auto s_o = channel_scales(maxima.at(d->o_proj.get()), o, &n_o);
    const int64_t group = c.num_heads / c.num_kv_heads;
    const auto s_kv = s_o.view({c.num_kv_heads, group, c.head_dim}).amax(1);  // [kv, hd]
    const auto s_o_full = s_kv.unsqueeze(1).expand({c.num_kv_heads, group, c.head_dim}).reshape({-1});
    d->v_proj->weight.div_(s_kv.reshape({-1, 1}));
    d->o_proj->weight.mul_(s_o_full);
    // down_proj reads silu(gate) * up: scale up_proj's rows.
    const auto s_down = channel_scales(maxima.at(d->down_proj.get()), o, &n_down);
    d->up_proj->weight.div_(s_down.reshape({-1, 1}));
    d->down_proj->weight.mul_(s_down);
    out[d->unit_name()] = {{"qkv", n_qkv}, {"gate_up", n_mlp}, {"o", n_o}, {"down", n_down}};
    total += n_qkv + n_mlp + n_o + n_down;
  }
  log_info("cbq cfp: {} activation outlier channels scaled in {} decoder layers", total, layers.size());
  return out;
}

}  // namespace ptq::methods
