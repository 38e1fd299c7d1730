#!/usr/bin/env bash
# The Fashion-MNIST comparison of issue 5: QDrop, PD-Quant and MetaAug at W4A4, W2A4, W4A2 and
# W2A2, seeds 1005-1007, full test set, one LibTorch thread, the same FP ResNet-8 as
# scripts/fmnist_recon_results.sh (which this calls), each method with its own Fashion-MNIST
# config, plus two ablations of MetaAug: its augmentation on QDrop's protocol
# (meta_aug/fmnist_resnet8_qdrop) and its protocol without the augmentation
# (meta_aug/fmnist_resnet8_no_aug). The summary compares every method with QDrop (Welch's t
# over the seeds). About 3 hours on one core; split it over two shells with SEEDS/METHODS and
# rerun `build/ptq summarize OUT_DIR/runs --baseline qdrop ...` when both are done (the
# summary of the shell that ends last is complete).
#   scripts/fmnist_low_bit_results.sh [OUT_DIR]   (default experiments/results/fmnist_low_bit)
set -euo pipefail
cd "$(dirname "$0")/.."
export METHODS=${METHODS:-"qdrop pd_quant meta_aug meta_aug/fmnist_resnet8_qdrop meta_aug/fmnist_resnet8_no_aug"}
export BASELINE=${BASELINE:-qdrop}
export VARIANTS='[{name: W4A4, set: {quant.weight.bits: 4, quant.act.bits: 4}}, {name: W2A4, set: {quant.weight.bits: 2, quant.act.bits: 4}}, {name: W4A2, set: {quant.weight.bits: 4, quant.act.bits: 2}}, {name: W2A2, set: {quant.weight.bits: 2, quant.act.bits: 2}}]'
exec scripts/fmnist_recon_results.sh "${1:-experiments/results/fmnist_low_bit}"
