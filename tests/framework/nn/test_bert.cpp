// The BERT-style encoder against a reference forward written in the test from the
// architecture's definition (post-LayerNorm layers, erf GELU, masked mean pooling, L2 norm),
// padding invariance, and loading an HF folder by HF's names (position_ids / pooler skipped).
#include <catch2/catch.hpp>

#include "framework/io/atomic_file.h"
#include "framework/io/safetensors.h"
#include "framework/nn/bert.h"
#include "framework/nn/state.h"
#include "tests/support/temp_dir.h"

#include <cmath>

using namespace ptq;

namespace {

BertConfig tiny() {
  BertConfig c;
  c.vocab_size = 30;
  c.hidden_size = 12;
  c.num_layers = 2;
  c.num_heads = 3;
  c.intermediate_size = 20;
  c.max_position_embeddings = 16;
  return c;
}

torch::Tensor layer_norm(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, double eps) {
  const auto mu = x.mean(-1, true), var = (x - mu).pow(2).mean(-1, true);
  return (x - mu) / torch::sqrt(var + eps) * w + b;
}

// One sentence (no padding) through the encoder, in float64, from the state dict.
torch::Tensor reference(const std::map<std::string, torch::Tensor>& s, const BertConfig& c, const std::vector<int64_t>& ids) {
  auto p = [&](const std::string& n) { return s.at(n).to(torch::kDouble); };
  const int64_t t = static_cast<int64_t>(ids.size()), hd = c.hidden_size / c.num_heads;
  auto x = torch::zeros({t, c.hidden_size}, torch::kDouble);
  for (int64_t i = 0; i < t; ++i)
    x[i] = p("embeddings.word_embeddings.weight")[ids[static_cast<size_t>(i)]] + p("embeddings.position_embeddings.weight")[i] +
           p("embeddings.token_type_embeddings.weight")[0];
  x = layer_norm(x, p("embeddings.LayerNorm.weight"), p("embeddings.LayerNorm.bias"), c.layer_norm_eps);
  auto lin = [&](const torch::Tensor& v, const std::string& n) { return v.mm(p(n + ".weight").t()) + p(n + ".bias"); };
  for (int64_t l = 0; l < c.num_layers; ++l) {
    const std::string pre = "encoder.layer." + std::to_string(l) + ".";
    const auto q = lin(x, pre + "attention.self.query"), k = lin(x, pre + "attention.self.key"),
               v = lin(x, pre + "attention.self.value");
    auto ctx = torch::zeros_like(x);
    for (int64_t h = 0; h < c.num_heads; ++h) {
      const auto qs = q.narrow(1, h * hd, hd), ks = k.narrow(1, h * hd, hd), vs = v.narrow(1, h * hd, hd);
      ctx.narrow(1, h * hd, hd).copy_(torch::softmax(qs.mm(ks.t()) / std::sqrt(double(hd)), 1).mm(vs));
    }
    x = layer_norm(x + lin(ctx, pre + "attention.output.dense"), p(pre + "attention.output.LayerNorm.weight"),
                   p(pre + "attention.output.LayerNorm.bias"), c.layer_norm_eps);
    auto i = lin(x, pre + "intermediate.dense");
    i = 0.5 * i * (1.0 + torch::erf(i / std::sqrt(2.0)));
    x = layer_norm(x + lin(i, pre + "output.dense"), p(pre + "output.LayerNorm.weight"), p(pre + "output.LayerNorm.bias"),
                   c.layer_norm_eps);
  }
  const auto mean = x.mean(0);
  return mean / mean.norm();
}

}  // namespace

TEST_CASE("bert: forward equals the reference, and padding changes nothing", "[nn][bert]") {
  torch::manual_seed(21);
  auto m = create_bert(tiny());
  m->eval();
  {
    torch::NoGradGuard g;  // LayerNorm parameters away from 1 / 0 so they matter
    for (auto& p : m->named_parameters())
      if (p.key().find("LayerNorm") != std::string::npos) p.value().uniform_(0.5, 1.5);
  }
  const auto state = model_state(*m);
  const std::vector<std::vector<int64_t>> sentences = {{2, 7, 9, 11, 3}, {2, 5, 3}};
  auto ids = torch::zeros({2, 8});
  for (size_t i = 0; i < sentences.size(); ++i)
    for (size_t j = 0; j < sentences[i].size(); ++j) ids[static_cast<int64_t>(i)][static_cast<int64_t>(j)] = float(sentences[i][j]);
  torch::NoGradGuard g;
  const auto out = m->forward(ids);
  REQUIRE(out.sizes() == torch::IntArrayRef({2, 12}));
  for (size_t i = 0; i < sentences.size(); ++i)
    CHECK(torch::allclose(out[static_cast<int64_t>(i)].to(torch::kDouble), reference(state, tiny(), sentences[i]), 1e-5, 1e-6));
  // The same sentence alone, without padding.
  const auto alone = m->forward(ids.narrow(0, 1, 1).narrow(1, 0, 3));
  CHECK(torch::allclose(alone[0], out[1], 1e-5, 1e-6));
  CHECK(m->units().size() == 4u);
  CHECK(m->layers().size() == 12u);
}

TEST_CASE("bert: loads a Hugging Face folder by HF's names; mismatches are refused", "[nn][bert]") {
  torch::manual_seed(22);
  auto m = create_bert(tiny());
  test::TempDir dir;
  auto state = model_state(*m);
  std::map<std::string, torch::Tensor> tensors(state.begin(), state.end());
  tensors["embeddings.position_ids"] = torch::arange(16).unsqueeze(0);
  tensors["pooler.dense.weight"] = torch::zeros({12, 12});
  io::save_safetensors(dir.file("model.safetensors"), tensors, {});
  dir.write("config.json", R"({"model_type": "bert", "vocab_size": 30, "hidden_size": 12, "num_hidden_layers": 2,
    "num_attention_heads": 3, "intermediate_size": 20, "max_position_embeddings": 16, "type_vocab_size": 2,
    "layer_norm_eps": 1e-12, "hidden_act": "gelu"})");
  auto loaded = load_bert_checkpoint(dir.path().string());
  const auto ids = torch::tensor({{2.0f, 4.0f, 6.0f, 3.0f}});
  torch::NoGradGuard g;
  m->eval();
  CHECK(torch::equal(loaded->forward(ids), m->forward(ids)));
  dir.write("config.json", R"({"model_type": "bert", "vocab_size": 30, "hidden_size": 12, "num_hidden_layers": 3,
    "num_attention_heads": 3, "intermediate_size": 20, "max_position_embeddings": 16})");
  CHECK_THROWS_WITH(load_bert_checkpoint(dir.path().string()), Catch::Contains("encoder.layer.2"));
  dir.write("config.json", R"({"model_type": "roberta", "vocab_size": 30})");
  CHECK_THROWS_WITH(load_bert_checkpoint(dir.path().string()), Catch::Contains("roberta"));
}
