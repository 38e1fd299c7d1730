// The tensor operations of a LLaMA-style decoder layer, as Hugging Face transformers computes
// them (modeling_llama.py), written as free functions so that tests can check each one against
// a first-principles version:
//  * rms_norm: y = w · x / sqrt(mean(x²) + eps) over the last dimension, in float32;
//  * rotary embeddings (RoPE) in HF's "rotate half" layout: the pair of dimension i is
//    (i, i + d/2), rotated by position · θ^(−2i/d);
//  * causal attention with grouped-query heads: query head h reads key/value head
//    h / (num_heads / num_kv_heads); softmax(q·kᵀ/sqrt(d) + causal mask) in float32.
#pragma once

#include <torch/torch.h>

namespace ptq {

torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// cos and sin tables [seq_len, head_dim] for positions 0..seq_len−1.
std::pair<torch::Tensor, torch::Tensor> rope_tables(int64_t seq_len, int64_t head_dim, double theta);
// x [B, heads, T, head_dim] rotated with tables from rope_tables(T, ...).
torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

// q [B, H, T, d], k and v [B, KVH, T, d] with H a multiple of KVH → [B, H, T, d].
torch::Tensor causal_gqa_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

}  // namespace ptq
