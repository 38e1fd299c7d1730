// The LLaMA-style decoder against first principles: RMSNorm, RoPE and grouped-query causal
// attention each against loops written from their definitions, and a whole tiny model against
// a reference forward composed of those loops (HF's computation, written out).
#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/nn/llama.h"
#include "framework/nn/llama_ops.h"
#include "framework/nn/state.h"
#include "tests/support/llama_fixture.h"

#include <cmath>

using namespace ptq;

namespace {

LlamaConfig tiny_config() { return test::tiny_llama(37, 16, 24, 2, 4, 2); }

// y_i = w_i x_i / sqrt(mean_j x_j² + eps), row by row.
torch::Tensor rms_norm_loop(const torch::Tensor& x, const torch::Tensor& w, double eps) {
  auto flat = x.reshape({-1, x.size(-1)}).to(torch::kDouble);
  auto out = torch::empty_like(flat);
  const int64_t n = flat.size(1);
  for (int64_t r = 0; r < flat.size(0); ++r) {
    double ms = 0;
    for (int64_t j = 0; j < n; ++j) ms += flat[r][j].item<double>() * flat[r][j].item<double>();
    const double inv = 1.0 / std::sqrt(ms / n + eps);
    for (int64_t j = 0; j < n; ++j) out[r][j] = w[j].item<double>() * flat[r][j].item<double>() * inv;
  }
  return out.reshape(x.sizes()).to(torch::kFloat);
}

// Rotates the pair (i, i + d/2) of position p by p · θ^(−2i/d).
torch::Tensor rope_loop(const torch::Tensor& x, double theta) {  // x [B, H, T, d]
  auto out = torch::empty_like(x, torch::kDouble);
  const int64_t d = x.size(3), half = d / 2;
  for (int64_t b = 0; b < x.size(0); ++b)
    for (int64_t h = 0; h < x.size(1); ++h)
      for (int64_t p = 0; p < x.size(2); ++p)
        for (int64_t i = 0; i < half; ++i) {
          const double angle = static_cast<double>(p) * std::pow(theta, -2.0 * static_cast<double>(i) / static_cast<double>(d));
          const double a = x[b][h][p][i].item<double>(), c = x[b][h][p][i + half].item<double>();
          out[b][h][p][i] = a * std::cos(angle) - c * std::sin(angle);
          out[b][h][p][i + half] = c * std::cos(angle) + a * std::sin(angle);
        }
  return out.to(torch::kFloat);
}

// Query head h attends with key/value head h / (H / KVH) to positions j <= i.
torch::Tensor attention_loop(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), d = q.size(3), rep = H / k.size(1);
  auto qd = q.to(torch::kDouble), kd = k.to(torch::kDouble), vd = v.to(torch::kDouble);
  auto out = torch::zeros({B, H, T, d}, torch::kDouble);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t g = h / rep;
      for (int64_t i = 0; i < T; ++i) {
        std::vector<double> s(static_cast<size_t>(i + 1));
        double mx = -1e300, z = 0;
        for (int64_t j = 0; j <= i; ++j) {
          s[j] = (qd[b][h][i] * kd[b][g][j]).sum().item<double>() / std::sqrt(static_cast<double>(d));
          mx = std::max(mx, s[j]);
        }
        for (auto& e : s) z += (e = std::exp(e - mx));
        for (int64_t j = 0; j <= i; ++j) out[b][h][i] += (s[j] / z) * vd[b][g][j];
      }
    }
  return out.to(torch::kFloat);
}

torch::Tensor reference_logits(LlamaModelImpl& m, const torch::Tensor& ids) {
  const auto& c = m.config();
  const auto s = model_state(m);
  auto W = [&](const std::string& n) { return s.at(n); };
  const int64_t B = ids.size(0), T = ids.size(1);
  auto x = W("model.embed_tokens.weight").index_select(0, ids.reshape({-1})).view({B, T, c.hidden_size});
  for (int64_t l = 0; l < c.num_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    auto h = rms_norm_loop(x, W(p + "input_layernorm.weight"), c.rms_norm_eps);
    auto split = [&](const std::string& n, int64_t heads) {
      return torch::matmul(h, W(p + n).t()).view({B, T, heads, c.head_dim}).transpose(1, 2);
    };
    auto q = rope_loop(split("self_attn.q_proj.weight", c.num_heads), c.rope_theta);
    auto k = rope_loop(split("self_attn.k_proj.weight", c.num_kv_heads), c.rope_theta);
    auto v = split("self_attn.v_proj.weight", c.num_kv_heads);
    auto a = attention_loop(q, k, v).transpose(1, 2).reshape({B, T, c.num_heads * c.head_dim});
    x = x + torch::matmul(a, W(p + "self_attn.o_proj.weight").t());
    auto m2 = rms_norm_loop(x, W(p + "post_attention_layernorm.weight"), c.rms_norm_eps);
    auto g = torch::matmul(m2, W(p + "mlp.gate_proj.weight").t());
    auto u = torch::matmul(m2, W(p + "mlp.up_proj.weight").t());
    x = x + torch::matmul(g * torch::sigmoid(g) * u, W(p + "mlp.down_proj.weight").t());
  }
  return torch::matmul(rms_norm_loop(x, W("model.norm.weight"), c.rms_norm_eps), W("lm_head.weight").t());
}

}  // namespace

TEST_CASE("llama: RMSNorm matches its definition", "[llama]") {
  torch::manual_seed(1);
  const auto x = torch::randn({2, 3, 8}) * 3;
  const auto w = torch::randn({8});
  CHECK(torch::allclose(rms_norm(x, w, 1e-6), rms_norm_loop(x, w, 1e-6), 1e-5, 1e-6));
}

TEST_CASE("llama: RoPE rotates dimension pairs (i, i + d/2) by p·θ^(−2i/d)", "[llama]") {
  torch::manual_seed(2);
  const auto x = torch::randn({1, 2, 7, 8});
  const auto [cos, sin] = rope_tables(7, 8, 10000.0);
  const auto y = apply_rope(x, cos, sin);
  CHECK(torch::allclose(y, rope_loop(x, 10000.0), 1e-5, 1e-5));
  CHECK(torch::equal(y.select(2, 0), x.select(2, 0)));  // position 0 is not rotated
  // Scores depend only on the distance: <R(p)q, R(p+s)k> is the same for every p.
  const auto q = torch::randn({8}), k = torch::randn({8});
  auto at = [&](const torch::Tensor& v) { return v.view({1, 1, 1, 8}).expand({1, 1, 7, 8}).contiguous(); };
  const auto rq = apply_rope(at(q), cos, sin), rk = apply_rope(at(k), cos, sin);
  const double s02 = (rq[0][0][0] * rk[0][0][2]).sum().item<double>();
  const double s35 = (rq[0][0][3] * rk[0][0][5]).sum().item<double>();
  CHECK(s02 == Approx(s35).epsilon(1e-4));
}

TEST_CASE("llama: grouped-query causal attention matches its definition", "[llama]") {
  torch::manual_seed(3);
  const auto q = torch::randn({2, 6, 5, 4}), k = torch::randn({2, 3, 5, 4}), v = torch::randn({2, 3, 5, 4});
  CHECK(torch::allclose(causal_gqa_attention(q, k, v), attention_loop(q, k, v), 1e-5, 1e-5));
  // Plain multi-head attention is the case KVH = H.
  const auto k6 = torch::randn({2, 6, 5, 4}), v6 = torch::randn({2, 6, 5, 4});
  CHECK(torch::allclose(causal_gqa_attention(q, k6, v6), attention_loop(q, k6, v6), 1e-5, 1e-5));
}

TEST_CASE("llama: the whole decoder matches a first-principles forward", "[llama]") {
  torch::manual_seed(4);
  auto m = create_llama(tiny_config());
  m->eval();
  {
    torch::NoGradGuard g;  // non-trivial norm weights
    for (auto& p : m->named_parameters())
      if (p.key().find("norm") != std::string::npos) p.value().uniform_(0.5, 1.5);
  }
  const auto ids = torch::randint(0, 37, {2, 9}, torch::kLong);
  torch::NoGradGuard g;
  const auto logits = m->forward(ids);
  REQUIRE(logits.sizes() == torch::IntArrayRef{2, 9, 37});
  CHECK(torch::allclose(logits, reference_logits(*m, ids), 1e-4, 1e-5));
  // Ids given as float (how the activation cache stores them) give the same logits.
  CHECK(torch::equal(m->forward(ids.to(torch::kFloat)), logits));
  // Units: embedding, two decoder layers, head; seven linear layers per decoder layer.
  REQUIRE(m->units().size() == 4);
  CHECK(m->units()[1]->unit_name() == "model.layers.0");
  CHECK(m->units()[1]->layers().size() == 7);
  CHECK(m->units()[1]->layers()[0].name == "model.layers.0.self_attn.q_proj");
  CHECK(m->units()[3]->layers()[0].name == "lm_head");
}

TEST_CASE("llama: causal — a later token never changes earlier logits", "[llama]") {
  torch::manual_seed(5);
  auto m = create_llama(tiny_config());
  m->eval();
  torch::NoGradGuard g;
  auto ids = torch::randint(0, 37, {1, 8}, torch::kLong);
  const auto a = m->forward(ids);
  ids[0][5] = (ids[0][5].item<int64_t>() + 1) % 37;
  const auto b = m->forward(ids);
  CHECK(torch::equal(a.narrow(1, 0, 5), b.narrow(1, 0, 5)));
  CHECK_FALSE(torch::equal(a.narrow(1, 5, 3), b.narrow(1, 5, 3)));
}

TEST_CASE("llama: bad ids and shapes are clear errors", "[llama]") {
  auto m = create_llama(tiny_config());
  torch::NoGradGuard g;
  CHECK_THROWS_WITH(m->forward(torch::full({1, 3}, 37, torch::kLong)),
                    Catch::Contains("token ids must lie in [0, 37)") && Catch::Contains("tokenizer"));
  CHECK_THROWS_WITH(m->forward(torch::zeros({3}, torch::kLong)), Catch::Contains("token ids [batch, tokens]"));
  auto bad = tiny_config();
  bad.num_kv_heads = 3;
  CHECK_THROWS_WITH(create_llama(bad), Catch::Contains("multiple of num_key_value_heads"));
}
