#!/usr/bin/env bash
# The Fashion-MNIST comparison of issue 5: QDrop, PD-Quant and MetaAug at W4A4, W2A4, W4A2 and
# W2A2, seeds 1005-1007, full test set, one LibTorch thread, the same FP ResNet-8 as
# scripts/fmnist_recon_results.sh (which this calls). Each method runs its own Fashion-MNIST
# config (configs/<method>/fmnist_resnet8.yaml); METHODS="meta_aug_qdrop" adds the ablation of
# MetaAug's augmentation on QDrop's protocol (configs/meta_aug/fmnist_resnet8_qdrop.yaml). About
# two hours on one core; split it over two shells with SEEDS/METHODS (the summary of the shell
# that ends last is complete).
#   scripts/fmnist_low_bit_results.sh [OUT_DIR]   (default experiments/results/fmnist_low_bit)
set -euo pipefail
cd "$(dirname "$0")/.."
export METHODS=${METHODS:-"qdrop pd_quant meta_aug"}
export VARIANTS='[{name: W4A4, set: {quant.weight.bits: 4, quant.act.bits: 4}}, {name: W2A4, set: {quant.weight.bits: 2, quant.act.bits: 4}}, {name: W4A2, set: {quant.weight.bits: 4, quant.act.bits: 2}}, {name: W2A2, set: {quant.weight.bits: 2, quant.act.bits: 2}}]'
exec scripts/fmnist_recon_results.sh "${1:-experiments/results/fmnist_low_bit}"
