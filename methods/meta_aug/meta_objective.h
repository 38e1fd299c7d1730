// The terms of MetaAug's outer (validation) objective (ptq-methods.md §5.2):
//   L_val = α·KL(softmax(f_fp(x_v)/T) ‖ softmax(f_q(x_v; θ̄)/T))
//         + β·ReLU(τ − mean((T(x) − x)²))
//         + γ·PKT(φ_fp(mix(T(x))), φ_fp(mix(x)))
// The KL term is framework/recon/network_tail.h's prediction_kl; here are the others.
#pragma once

#include "framework/nn/model.h"

#include <torch/torch.h>

namespace ptq::methods {

// Probabilistic knowledge transfer (Passalis & Tefas, ECCV 2018) between two batches of
// feature vectors [N, D]: each row is L2-normalised, the cosine similarities within each
// batch are mapped to [0, 1] by (s + 1)/2 and normalised per row into conditional
// probabilities P (output) and Q (target); the loss is mean over all N² entries of
// Q·log((Q + ε)/(P + ε)), ε = 1e-7. Zero when both batches have the same similarity structure.
torch::Tensor pkt_loss(const torch::Tensor& output, const torch::Tensor& target, double eps = 1e-7);

// ReLU(τ − mean((a − b)²)): positive while the transformed images are closer than τ (in mean
// squared distance) to the originals, keeping T away from the identity.
torch::Tensor margin_loss(const torch::Tensor& transformed, const torch::Tensor& original, double tau);

// Mixup of a batch with a permutation of itself: λ·x + (1 − λ)·x[perm], λ = max(l, 1 − l),
// l ~ Beta(α, α) (MetaAug: α = 4); λ and the permutation are drawn from LibTorch's generator.
torch::Tensor mixup(const torch::Tensor& x, double alpha);

// φ_fp: the float network's penultimate features — the input of the last unit (the head),
// averaged over its spatial dimensions — with every quantiser off and no gradient into the
// network's weights (gradient into x when it requires one).
torch::Tensor penultimate_features(QuantModelImpl& model, const torch::Tensor& x);

}  // namespace ptq::methods
