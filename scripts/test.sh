#!/usr/bin/env bash
# README command 2 (and what .ci/run calls): install what is missing, build, run every test
# through CTest. Tests tagged [cuda] skip themselves without a GPU; the Slurm launcher's test
# starts a one-node Slurm (scripts/slurm_local.sh) and skips where it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
PTQ_OPTIONAL_PACKAGES="slurm-wlm munge ${PTQ_OPTIONAL_PACKAGES:-}" ./scripts/setup.sh build
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
