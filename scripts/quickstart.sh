#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the embedded default job
# (Fashion-MNIST: FP vs RTN W8A8 / W4A4 / W2A4) — a few minutes on 2 cores the first time
# (it trains the FP model), under a minute afterwards (the trained model is cached).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh build
exec ./build/ptq run configs/quickstart.yaml "$@"
