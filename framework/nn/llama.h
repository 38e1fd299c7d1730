// A LLaMA-style decoder as a ptq model: units = [token embedding (Stem), decoder layer × L
// (Block), final RMSNorm + lm_head (Head)], so every reconstruction method that works unit by
// unit (BRECQ, QDrop, CBQ's windows) runs on decoder layers unchanged. Parameters carry Hugging
// Face's names (model.embed_tokens.weight, model.layers.<i>.self_attn.q_proj.weight, ...,
// model.norm.weight, lm_head.weight), so HF checkpoints load by name (nn/hf_checkpoint.h).
//
// The model's input is token ids [B, T], in any dtype that holds them exactly (the activation
// cache keeps float32, exact for ids below 2^24); its output is logits [B, T, vocab]. The
// forward is the full-sequence causal forward (no KV cache) used for calibration and
// perplexity. The seven linear layers of a decoder layer are QuantLinear; o_proj and down_proj
// feed the residual adds. With tie_word_embeddings lm_head holds a copy of the embedding
// (loaded from it), so the two can be quantised separately.
#pragma once

#include "framework/nn/llama_config.h"
#include "framework/nn/model.h"

namespace ptq {

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;
  double eps;
};
TORCH_MODULE(RMSNorm);

class LlamaEmbeddingUnitImpl : public UnitImpl {
 public:
  LlamaEmbeddingUnitImpl(std::string name, torch::Tensor weight);
  torch::Tensor forward(const torch::Tensor& ids) override;

 private:
  torch::Tensor weight_;
};

class LlamaDecoderLayerImpl : public UnitImpl {
 public:
  LlamaDecoderLayerImpl(const std::string& name, const LlamaConfig& config);
  torch::Tensor forward(const torch::Tensor& x) override;
  const LlamaConfig& config() const { return config_; }

  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  QuantLinear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  QuantLinear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};

 private:
  LlamaConfig config_;
  int64_t rope_len_ = -1;  // the sequence length the cached RoPE tables are for
  torch::Tensor rope_cos_, rope_sin_;
};

class LlamaHeadImpl : public UnitImpl {
 public:
  LlamaHeadImpl(std::string name, RMSNorm norm, QuantLinear lm_head);
  torch::Tensor forward(const torch::Tensor& x) override;

 private:
  RMSNorm norm_;
  QuantLinear lm_head_;
};

class LlamaModelImpl : public QuantModelImpl {
 public:
  // Weights initialised as HF does (normal, std 0.02; norms 1).
  explicit LlamaModelImpl(const LlamaConfig& config);
  const LlamaConfig& config() const { return config_; }

 private:
  LlamaConfig config_;
};

std::shared_ptr<LlamaModelImpl> create_llama(const LlamaConfig& config);

}  // namespace ptq
