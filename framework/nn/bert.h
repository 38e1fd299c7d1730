// A BERT-style encoder (post-LayerNorm, GELU MLP, absolute positions) as a ptq model, enough
// to load sentence encoders such as all-MiniLM-L6-v2 from their Hugging Face folder
// (config.json with model_type bert, model.safetensors) under HF's parameter names:
//   units = [embeddings (Stem), encoder layer × L (Block), mean pooling + L2 norm (Head)].
// Input: token ids [B, T] (float or integer; id 0 = [PAD], which is masked out of attention
// and pooling; token type 0 throughout). Output: unit-length sentence embeddings [B, hidden]
// (sentence-transformers' Transformer → Pooling(mean) → Normalize pipeline).
// Between units the hidden states carry the padding mask as one extra last channel
// ([B, T, hidden + 1]), because a unit sees only its input tensor; layers and quantisers see
// the hidden channels only. Each layer's query/key/value read the layer input (shared
// entry quantiser under the input policy); attention.output.dense and output.dense feed the
// residual adds.
#pragma once

#include "framework/nn/model.h"

#include <nlohmann/json.hpp>

namespace ptq {

struct BertConfig {
  int64_t vocab_size = 30522;
  int64_t hidden_size = 384;
  int64_t num_layers = 6;
  int64_t num_heads = 12;
  int64_t intermediate_size = 1536;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  void validate(const std::string& where) const;
};

BertConfig bert_config_from_hf_json(const nlohmann::json& j, const std::string& source);

class BertLayerImpl : public UnitImpl {
 public:
  BertLayerImpl(const std::string& name, const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& x) override;
  QuantLinear query{nullptr}, key{nullptr}, value{nullptr}, attention_output{nullptr}, intermediate{nullptr},
      output{nullptr};
  torch::nn::LayerNorm attention_norm{nullptr}, output_norm{nullptr};

 private:
  BertConfig config_;
};

class BertModelImpl : public QuantModelImpl {
 public:
  explicit BertModelImpl(const BertConfig& config);
  const BertConfig& config() const { return config_; }

 private:
  BertConfig config_;
};

std::shared_ptr<BertModelImpl> create_bert(const BertConfig& config);
// An HF folder: config.json + model.safetensors (position_ids and pooler.* are not used).
std::shared_ptr<BertModelImpl> load_bert_checkpoint(const std::string& dir);

}  // namespace ptq
