#!/usr/bin/env bash
# Regenerates the Fashion-MNIST paper table and plot of the README ("Paper table: every method on
# Fashion-MNIST"): runs what is missing of experiments/sweeps/fmnist_table.yaml (6 methods × 3 seeds,
# each run with W4A4, W2A4 and W2A2; about 2 CPU-hours, 2 runs at a time; resumable: interrupt
# and rerun at will), then renders experiments/tables/fmnist_table.{md,tex,csv,svg,png}.
#   scripts/fmnist_table.sh            (environment: PTQ = the ptq binary, default build/ptq)
set -euo pipefail
cd "$(dirname "$0")/.."
ptq=${PTQ:-build/ptq}
[[ -x $ptq ]] || { echo "build first: scripts/setup.sh (or set PTQ=path/to/ptq)" >&2; exit 2; }
"$ptq" sweep experiments/sweeps/fmnist_table.yaml "$@"
"$ptq" table experiments/tables/fmnist_table.yaml --plot
