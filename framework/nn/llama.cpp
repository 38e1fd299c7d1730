#include "framework/nn/llama.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/nn/llama_ops.h"

namespace ptq {

RMSNormImpl::RMSNormImpl(int64_t dim, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) { return rms_norm(x, weight, eps); }

LlamaEmbeddingUnitImpl::LlamaEmbeddingUnitImpl(std::string name, torch::Tensor weight)
    : UnitImpl(std::move(name), UnitRole::Stem), weight_(std::move(weight)) {}

torch::Tensor LlamaEmbeddingUnitImpl::forward(const torch::Tensor& ids) {
  PTQ_CHECK(ids.dim() == 2, "the decoder expects token ids [batch, tokens], got shape [{}]", fmt::join(ids.sizes(), ", "));
  const auto index = ids.to(torch::kLong);
  if (index.numel() > 0) {
    const int64_t lo = index.min().item<int64_t>(), hi = index.max().item<int64_t>();
    PTQ_CHECK(lo >= 0 && hi < weight_.size(0),
              "token ids must lie in [0, {}) (the vocabulary), got ids from {} to {}; the tokenizer does not "
              "match the model",
              weight_.size(0), lo, hi);
  }
  return torch::embedding(weight_, index);
}

namespace {
QuantLinear linear(torch::nn::Module& owner, const std::string& name, int64_t in, int64_t out) {
  return owner.register_module(name, QuantLinear(QuantLinearOptions(in, out).bias(false)));
}
}  // namespace

LlamaDecoderLayerImpl::LlamaDecoderLayerImpl(const std::string& name, const LlamaConfig& c)
    : UnitImpl(name, UnitRole::Block), config_(c) {
  const int64_t d = c.hidden_size, q_dim = c.num_heads * c.head_dim, kv_dim = c.num_kv_heads * c.head_dim;
  input_layernorm = register_module("input_layernorm", RMSNorm(d, c.rms_norm_eps));
  auto attn = register_module("self_attn", std::make_shared<torch::nn::Module>());
  q_proj = linear(*attn, "q_proj", d, q_dim);
  k_proj = linear(*attn, "k_proj", d, kv_dim);
  v_proj = linear(*attn, "v_proj", d, kv_dim);
  o_proj = linear(*attn, "o_proj", q_dim, d);
  post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(d, c.rms_norm_eps));
  auto mlp = register_module("mlp", std::make_shared<torch::nn::Module>());
  gate_proj = linear(*mlp, "gate_proj", d, c.intermediate_size);
  up_proj = linear(*mlp, "up_proj", d, c.intermediate_size);
  down_proj = linear(*mlp, "down_proj", c.intermediate_size, d);
  record_layer(path("self_attn.q_proj"), q_proj);
  record_layer(path("self_attn.k_proj"), k_proj);
  record_layer(path("self_attn.v_proj"), v_proj);
  record_layer(path("self_attn.o_proj"), o_proj, /*feeds_add=*/true);
  record_layer(path("mlp.gate_proj"), gate_proj);
  record_layer(path("mlp.up_proj"), up_proj);
  record_layer(path("mlp.down_proj"), down_proj, /*feeds_add=*/true);
}

torch::Tensor LlamaDecoderLayerImpl::forward(const torch::Tensor& input) {
  PTQ_CHECK(input.dim() == 3 && input.size(2) == config_.hidden_size,
            "decoder layer {} expects hidden states [batch, tokens, {}], got shape [{}]", unit_name(),
            config_.hidden_size, fmt::join(input.sizes(), ", "));
  const int64_t b = input.size(0), t = input.size(1), hd = config_.head_dim;
  if (t != rope_len_) {
    std::tie(rope_cos_, rope_sin_) = rope_tables(t, hd, config_.rope_theta);
    rope_len_ = t;
  }
  auto x = enter(input);
  const auto h = input_layernorm(x);
  auto heads = [&](QuantLinear& proj, int64_t n) { return proj(h).view({b, t, n, hd}).transpose(1, 2); };
  const auto q = apply_rope(heads(q_proj, config_.num_heads), rope_cos_, rope_sin_);
  const auto k = apply_rope(heads(k_proj, config_.num_kv_heads), rope_cos_, rope_sin_);
  const auto v = heads(v_proj, config_.num_kv_heads);
  const auto attn = causal_gqa_attention(q, k, v).transpose(1, 2).reshape({b, t, config_.num_heads * hd});
  x = x + o_proj(attn);
  const auto m = post_attention_layernorm(x);
  x = x + down_proj(torch::silu(gate_proj(m)) * up_proj(m));
  return leave(x);
}

LlamaHeadImpl::LlamaHeadImpl(std::string name, RMSNorm norm, QuantLinear lm_head)
    : UnitImpl(std::move(name), UnitRole::Head), norm_(std::move(norm)), lm_head_(std::move(lm_head)) {
  record_layer("lm_head", lm_head_);
}

torch::Tensor LlamaHeadImpl::forward(const torch::Tensor& x) { return lm_head_(norm_(x)); }

LlamaModelImpl::LlamaModelImpl(const LlamaConfig& c)
    : QuantModelImpl("llama", c.vocab_size, {c.max_position_embeddings}), config_(c) {
  c.validate("llama model");
  auto model = register_module("model", std::make_shared<torch::nn::Module>());
  auto embed = model->register_module("embed_tokens", std::make_shared<torch::nn::Module>());
  auto embed_weight = embed->register_parameter("weight", torch::empty({c.vocab_size, c.hidden_size}));
  add_unit(std::make_shared<LlamaEmbeddingUnitImpl>("embed_tokens", embed_weight));
  auto layers = model->register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_layers; ++i) {
    auto layer = std::make_shared<LlamaDecoderLayerImpl>("model.layers." + std::to_string(i), c);
    layers->push_back(layer);
    add_unit(layer);
  }
  auto norm = model->register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  auto lm_head = register_module("lm_head", QuantLinear(QuantLinearOptions(c.hidden_size, c.vocab_size).bias(false)));
  add_unit(std::make_shared<LlamaHeadImpl>("head", norm, lm_head));
  torch::NoGradGuard no_grad;
  for (auto& p : named_parameters())  // embeddings and linear weights (not quantiser scales)
    if (p.value().dim() == 2 && ends_with(p.key(), ".weight")) p.value().normal_(0.0, 0.02);
}

std::shared_ptr<LlamaModelImpl> create_llama(const LlamaConfig& config) {
  return std::make_shared<LlamaModelImpl>(config);
}

}  // namespace ptq
