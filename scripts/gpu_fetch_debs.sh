#!/usr/bin/env bash
# Downloads (does not install) the Debian packages the GPU machine lacks into .deps/ (git-ignored),
# so the device tool can carry them there (../shared/reference/gpu-machine.md):
#   scripts/gpu_fetch_debs.sh          then: run(command="scripts/gpu_check.sh", carry=[".deps"])
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .deps
cd .deps
apt-get download libyaml-cpp-dev libyaml-cpp0.7 libfmt-dev libfmt9 catch2 nlohmann-json3-dev \
  libturbojpeg0-dev libturbojpeg0 libsqlite3-dev libsqlite3-0 dataset-fashion-mnist \
  libsentencepiece-dev libsentencepiece0 fortunes fortunes-min 2>&1 | grep -v "^W: Download is performed unsandboxed" || true
ls -1 *.deb | wc -l | xargs echo "gpu_fetch_debs: .deps/ holds .deb files:"
