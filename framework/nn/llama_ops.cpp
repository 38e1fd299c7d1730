#include "framework/nn/llama_ops.h"

#include "framework/core/check.h"

#include <cmath>

namespace ptq {

torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  const auto xf = x.to(torch::kFloat);
  const auto variance = xf.pow(2).mean(-1, /*keepdim=*/true);
  return weight * (xf * torch::rsqrt(variance + eps)).to(x.scalar_type());
}

std::pair<torch::Tensor, torch::Tensor> rope_tables(int64_t seq_len, int64_t head_dim, double theta) {
  PTQ_INTERNAL_ASSERT(head_dim % 2 == 0, "rope_tables: odd head_dim {}", head_dim);
  // inv_freq_i = θ^(−2i/d), computed like HF: arange(0, d, 2) as float, divided by d.
  const auto exponent = torch::arange(0, head_dim, 2, torch::kLong).to(torch::kFloat) / static_cast<double>(head_dim);
  const auto inv_freq = 1.0 / torch::pow(torch::tensor(theta, torch::kFloat), exponent);
  const auto positions = torch::arange(seq_len, torch::kLong).to(torch::kFloat);
  const auto freqs = torch::outer(positions, inv_freq);  // [T, d/2]
  const auto angles = torch::cat({freqs, freqs}, -1);    // [T, d]
  return {angles.cos(), angles.sin()};
}

torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  const auto rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * cos + rotated * sin;
}

torch::Tensor causal_gqa_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t heads = q.size(1), kv_heads = k.size(1), t = q.size(2), d = q.size(3);
  PTQ_INTERNAL_ASSERT(heads % kv_heads == 0, "GQA: {} heads over {} key/value heads", heads, kv_heads);
  const int64_t rep = heads / kv_heads;
  // HF's repeat_kv: key/value head j serves query heads j·rep … j·rep + rep − 1.
  const auto kk = rep == 1 ? k : k.repeat_interleave(rep, 1);
  const auto vv = rep == 1 ? v : v.repeat_interleave(rep, 1);
  auto scores = torch::matmul(q, kk.transpose(-2, -1)) / std::sqrt(static_cast<double>(d));
  const auto future = torch::ones({t, t}, torch::kBool).triu(1);
  scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
  const auto probs = torch::softmax(scores.to(torch::kFloat), -1).to(q.scalar_type());
  return torch::matmul(probs, vv);
}

}  // namespace ptq
