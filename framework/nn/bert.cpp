#include "framework/nn/bert.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/nn/hf_checkpoint.h"
#include "framework/nn/weights.h"

#include <cmath>
#include <filesystem>

namespace ptq {

void BertConfig::validate(const std::string& where) const {
  for (auto [v, key] : {std::pair{vocab_size, "vocab_size"}, {hidden_size, "hidden_size"}, {num_layers, "num_hidden_layers"},
                        {num_heads, "num_attention_heads"}, {intermediate_size, "intermediate_size"},
                        {max_position_embeddings, "max_position_embeddings"}, {type_vocab_size, "type_vocab_size"}})
    PTQ_CHECK(v > 0, "{}: {} must be a positive integer, got {}", where, key, v);
  PTQ_CHECK(hidden_size % num_heads == 0, "{}: hidden_size {} is not a multiple of num_attention_heads {}", where,
            hidden_size, num_heads);
}

BertConfig bert_config_from_hf_json(const nlohmann::json& j, const std::string& source) {
  PTQ_CHECK(j.is_object(), "{}: expected a JSON object (a Hugging Face config.json)", source);
  PTQ_CHECK(j.value("model_type", std::string("bert")) == "bert",
            "{}: model_type is \"{}\", but ptq's encoder implements BERT (model_type bert)", source,
            j.value("model_type", std::string()));
  auto get = [&](const char* key) {
    PTQ_CHECK(j.contains(key) && j[key].is_number_integer(), "{}: missing or non-integer \"{}\"", source, key);
    return j[key].get<int64_t>();
  };
  BertConfig c;
  c.vocab_size = get("vocab_size");
  c.hidden_size = get("hidden_size");
  c.num_layers = get("num_hidden_layers");
  c.num_heads = get("num_attention_heads");
  c.intermediate_size = get("intermediate_size");
  c.max_position_embeddings = get("max_position_embeddings");
  c.type_vocab_size = j.value("type_vocab_size", int64_t{2});
  c.layer_norm_eps = j.value("layer_norm_eps", 1e-12);
  PTQ_CHECK(j.value("hidden_act", std::string("gelu")) == "gelu", "{}: hidden_act {} is not supported (gelu only)",
            source, j["hidden_act"].dump());
  PTQ_CHECK(j.value("position_embedding_type", std::string("absolute")) == "absolute",
            "{}: only absolute position embeddings are supported", source);
  c.validate(source);
  return c;
}

namespace {

// Splits [B, T, H + 1] into hidden states and the padding mask [B, T].
std::pair<torch::Tensor, torch::Tensor> split_mask(const torch::Tensor& x, int64_t hidden, const std::string& who) {
  PTQ_CHECK(x.dim() == 3 && x.size(2) == hidden + 1,
            "{} expects hidden states with the mask channel [batch, tokens, {}], got shape [{}]", who, hidden + 1,
            fmt::join(x.sizes(), ", "));
  return {x.narrow(2, 0, hidden), x.select(2, hidden)};
}

class BertEmbeddingUnitImpl : public UnitImpl {
 public:
  BertEmbeddingUnitImpl(torch::nn::Module& owner, const BertConfig& c) : UnitImpl("embeddings", UnitRole::Stem) {
    auto e = owner.register_module("embeddings", std::make_shared<torch::nn::Module>());
    auto sub = [&](const char* name, int64_t rows) {
      auto m = e->register_module(name, std::make_shared<torch::nn::Module>());
      return m->register_parameter("weight", torch::empty({rows, c.hidden_size}).normal_(0.0, 0.02));
    };
    word_ = sub("word_embeddings", c.vocab_size);
    position_ = sub("position_embeddings", c.max_position_embeddings);
    type_ = sub("token_type_embeddings", c.type_vocab_size);
    norm_ = e->register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  }
  torch::Tensor forward(const torch::Tensor& ids) override {
    PTQ_CHECK(ids.dim() == 2, "the encoder expects token ids [batch, tokens], got shape [{}]", fmt::join(ids.sizes(), ", "));
    PTQ_CHECK(ids.size(1) <= position_.size(0), "the encoder takes at most {} tokens, got {}", position_.size(0),
              ids.size(1));
    const auto index = ids.to(torch::kLong);
    if (index.numel() > 0)
      PTQ_CHECK(index.min().item<int64_t>() >= 0 && index.max().item<int64_t>() < word_.size(0),
                "token ids must lie in [0, {}), got ids up to {}; the tokenizer does not match the model", word_.size(0),
                index.max().item<int64_t>());
    auto h = torch::embedding(word_, index) + position_.narrow(0, 0, ids.size(1)).unsqueeze(0) + type_[0];
    h = norm_(h);
    const auto mask = (index != 0).to(h.scalar_type());
    return torch::cat({h, mask.unsqueeze(2)}, 2);
  }

 private:
  torch::Tensor word_, position_, type_;
  torch::nn::LayerNorm norm_{nullptr};
};

class BertPoolingHeadImpl : public UnitImpl {
 public:
  explicit BertPoolingHeadImpl(int64_t hidden) : UnitImpl("pooling", UnitRole::Head), hidden_(hidden) {}
  torch::Tensor forward(const torch::Tensor& x) override {
    auto [h, mask] = split_mask(x, hidden_, "the pooling head");
    const auto m = mask.unsqueeze(2);
    const auto mean = (h * m).sum(1) / m.sum(1).clamp_min(1e-9);
    return mean / mean.norm(2, 1, true).clamp_min(1e-12);
  }

 private:
  int64_t hidden_;
};

QuantLinear linear(torch::nn::Module& owner, const std::string& name, int64_t in, int64_t out) {
  return owner.register_module(name, QuantLinear(QuantLinearOptions(in, out).bias(true)));
}

}  // namespace

BertLayerImpl::BertLayerImpl(const std::string& name, const BertConfig& c) : UnitImpl(name, UnitRole::Block), config_(c) {
  const int64_t d = c.hidden_size;
  auto attention = register_module("attention", std::make_shared<torch::nn::Module>());
  auto self = attention->register_module("self", std::make_shared<torch::nn::Module>());
  query = linear(*self, "query", d, d);
  key = linear(*self, "key", d, d);
  value = linear(*self, "value", d, d);
  auto attn_out = attention->register_module("output", std::make_shared<torch::nn::Module>());
  attention_output = linear(*attn_out, "dense", d, d);
  const auto ln = torch::nn::LayerNormOptions({d}).eps(c.layer_norm_eps);
  attention_norm = attn_out->register_module("LayerNorm", torch::nn::LayerNorm(ln));
  auto inter = register_module("intermediate", std::make_shared<torch::nn::Module>());
  intermediate = linear(*inter, "dense", d, c.intermediate_size);
  auto out = register_module("output", std::make_shared<torch::nn::Module>());
  output = linear(*out, "dense", c.intermediate_size, d);
  output_norm = out->register_module("LayerNorm", torch::nn::LayerNorm(ln));
  record_layer(path("attention.self.query"), query, false, true);
  record_layer(path("attention.self.key"), key, false, true);
  record_layer(path("attention.self.value"), value, false, true);
  record_layer(path("attention.output.dense"), attention_output, true);
  record_layer(path("intermediate.dense"), intermediate);
  record_layer(path("output.dense"), output, true);
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& input) {
  auto [raw, mask] = split_mask(input, config_.hidden_size, "encoder layer " + unit_name());
  const int64_t b = raw.size(0), t = raw.size(1), heads = config_.num_heads, hd = config_.hidden_size / heads;
  const auto x = enter(raw.contiguous());
  auto split = [&](QuantLinear& proj) { return proj(x).view({b, t, heads, hd}).transpose(1, 2); };
  const auto q = split(query), k = split(key), v = split(value);
  auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(hd));
  scores = scores + ((1.0 - mask) * -1e9).view({b, 1, 1, t});  // padded keys never attended
  const auto ctx = torch::matmul(torch::softmax(scores, -1), v).transpose(1, 2).reshape({b, t, config_.hidden_size});
  const auto h = attention_norm(x + attention_output(ctx));
  // GELU (erf form, HF's "gelu") between intermediate.dense and output.dense.
  const auto y = output_norm(h + output(torch::gelu(intermediate(h))));
  return torch::cat({leave(y), mask.unsqueeze(2)}, 2);
}

BertModelImpl::BertModelImpl(const BertConfig& c)
    : QuantModelImpl("bert", c.hidden_size, {c.max_position_embeddings}), config_(c) {
  c.validate("bert model");
  add_unit(std::make_shared<BertEmbeddingUnitImpl>(*this, c));
  auto encoder = register_module("encoder", std::make_shared<torch::nn::Module>());
  auto layers = encoder->register_module("layer", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_layers; ++i) {
    auto layer = std::make_shared<BertLayerImpl>("encoder.layer." + std::to_string(i), c);
    layers->push_back(layer);
    add_unit(layer);
  }
  add_unit(std::make_shared<BertPoolingHeadImpl>(c.hidden_size));
  torch::NoGradGuard no_grad;
  for (auto& p : named_parameters())
    if (p.value().dim() == 2 && ends_with(p.key(), ".weight")) p.value().normal_(0.0, 0.02);
}

std::shared_ptr<BertModelImpl> create_bert(const BertConfig& config) { return std::make_shared<BertModelImpl>(config); }

std::shared_ptr<BertModelImpl> load_bert_checkpoint(const std::string& dir) {
  auto ck = read_hf_checkpoint(dir);
  const auto config = bert_config_from_hf_json(ck.config, (std::filesystem::path(dir) / "config.json").string());
  auto model = create_bert(config);
  for (auto it = ck.tensors.begin(); it != ck.tensors.end();) {
    const bool unused = it->first == "embeddings.position_ids" || starts_with(it->first, "pooler.");
    it = unused ? ck.tensors.erase(it) : std::next(it);
  }
  load_model_state(*model, ck.tensors, dir);
  model->eval();
  return model;
}

}  // namespace ptq
