#!/usr/bin/env bash
# Regenerates the Fashion-MNIST reconstruction table of the README ("Reconstruction on
# Fashion-MNIST"): FP, RTN, AdaRound, BRECQ and QDrop at W4A4, W2A4 and W2A2 on the full
# test set, three seeds each, one LibTorch thread (so results do not depend on the core
# count), one FP ResNet-8 (train.seed is fixed in the configs; trained on first use).
#   scripts/fmnist_recon_results.sh [OUT_DIR]      (default experiments/results/fmnist_recon)
# Environment: METHODS, SEEDS (space-separated lists), VARIANTS (see below), PTQ (the binary),
# BASELINE (a method: the summary then also compares every other method with it, Welch's t).
# A METHODS item is a method name (runs configs/<name>/fmnist_resnet8.yaml) or a config path
# under configs/ without .yaml (e.g. meta_aug/fmnist_resnet8_qdrop).
# Writes OUT_DIR/summary.md and OUT_DIR/summary.json (committed) and OUT_DIR/runs/ (not).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-experiments/results/fmnist_recon}
ptq=${PTQ:-build/ptq}
seeds=${SEEDS:-"1005 1006 1007"}
methods=${METHODS:-"rtn adaround brecq qdrop"}
variants=${VARIANTS:-}  # a YAML list replacing each config's variants (e.g. to add W4A2)
baseline=${BASELINE:-}
[[ -x $ptq ]] || { echo "build first: scripts/setup.sh (or set PTQ=path/to/ptq)" >&2; exit 2; }
mkdir -p "$out/logs"
for seed in $seeds; do
  for m in $methods; do
    config="configs/$m/fmnist_resnet8.yaml"
    [[ $m != */* ]] || config="configs/$m.yaml"
    extra=()
    [[ $m == rtn ]] || extra=(--set method.progress=false)
    [[ -z $variants ]] || extra+=(--set "variants=$variants")
    log="$out/logs/${m//\//-}-$seed.log"
    echo "== $m, seed $seed (log: $log)"
    "$ptq" run "$config" --set seed="$seed" --set threads=1 \
      --set output.dir="$out/runs" "${extra[@]}" > "$log" 2>&1 || { tail -5 "$log" >&2; exit 1; }
    grep '^| W' "$log" || true
  done
done
"$ptq" summarize "$out/runs" --out "$out/summary.md" --json "$out/summary.json" ${baseline:+--baseline "$baseline"}
