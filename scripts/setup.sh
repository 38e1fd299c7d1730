#!/usr/bin/env bash
# Installs what ptq needs on Debian 12 (only the packages that are missing; quiet when all
# are there), makes OpenBLAS (pthread) the active BLAS — LibTorch's matmul is ~30x slower on
# the reference BLAS — and configures + builds ptq with CMake/Ninja in Release.
#   scripts/setup.sh [BUILD_DIR]      (default: build)
# Environment: PTQ_CMAKE_ARGS adds CMake arguments (e.g. -DPTQ_ENABLE_CUDA=OFF);
# PTQ_OPTIONAL_PACKAGES names packages installed when possible (a failure only warns; the test
# command adds slurm-wlm and munge for the Slurm launcher's test, which skips without them).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"

packages=(libtorch-dev libopenblas0-pthread libyaml-cpp-dev libfmt-dev catch2 nlohmann-json3-dev
          cmake ninja-build dataset-fashion-mnist libturbojpeg0-dev zlib1g-dev libsqlite3-dev gnuplot-nox ccache g++
          libsentencepiece-dev fortunes)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

optional=()
for p in ${PTQ_OPTIONAL_PACKAGES:-}; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || optional+=("$p")
done
if ((${#optional[@]})); then
  sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
  echo "setup: installing (optional) ${optional[*]}"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${optional[@]}" >/dev/null; } || echo "setup: warning: could not install ${optional[*]}; the tests that need them skip"
fi

# OpenBLAS (pthread) as the BLAS LibTorch's generic BLAS path resolves to.
arch_triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
openblas="/usr/lib/${arch_triplet}/openblas-pthread/libblas.so.3"
if [ -e "$openblas" ]; then
  current=$(readlink -f "/usr/lib/${arch_triplet}/libblas.so.3" || true)
  if [ "$current" != "$(readlink -f "$openblas")" ]; then
    sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
    $sudo update-alternatives --set "libblas.so.3-${arch_triplet}" "$openblas" >/dev/null
    echo "setup: OpenBLAS (pthread) is now the active BLAS"
  fi
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${PTQ_CMAKE_ARGS:-} >/dev/null
fi
cmake --build "$build_dir"
