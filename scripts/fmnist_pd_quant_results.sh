#!/usr/bin/env bash
# The Fashion-MNIST comparison of issue 5 so far: QDrop and PD-Quant at W4A4, W2A4, W4A2 and
# W2A2, seeds 1005-1007, full test set, one LibTorch thread, the same FP ResNet-8 as
# scripts/fmnist_recon_results.sh (which this calls). About an hour on one core; split it
# over two shells with SEEDS/METHODS (the summary of the shell that ends last is complete).
#   scripts/fmnist_pd_quant_results.sh [OUT_DIR]   (default experiments/results/fmnist_pd_quant)
set -euo pipefail
cd "$(dirname "$0")/.."
export METHODS=${METHODS:-"qdrop pd_quant"}
export VARIANTS='[{name: W4A4, set: {quant.weight.bits: 4, quant.act.bits: 4}}, {name: W2A4, set: {quant.weight.bits: 2, quant.act.bits: 4}}, {name: W4A2, set: {quant.weight.bits: 4, quant.act.bits: 2}}, {name: W2A2, set: {quant.weight.bits: 2, quant.act.bits: 2}}]'
exec scripts/fmnist_recon_results.sh "${1:-experiments/results/fmnist_pd_quant}"
