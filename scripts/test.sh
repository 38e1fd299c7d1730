#!/usr/bin/env bash
# README command 2 (and what .ci/run calls): install what is missing, build, run every test
# through CTest. Tests tagged [cuda] skip themselves without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh build
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
