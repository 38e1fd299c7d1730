#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer (PTQ_SANITIZE): a separate
# RelWithDebInfo build in BUILD_DIR (default build-asan), then CTest with the sanitizers set to
# fail on the first report (UBSan included). LibTorch itself is not instrumented; leak checking
# is off (LibTorch keeps global allocations alive at exit). Extra arguments go to CTest, e.g.
#   scripts/sanitize.sh build-asan -R 'sweep|results'     (the sweep and results-store tests)
# A full build takes about 25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build-asan}
shift || true
./scripts/setup.sh build >/dev/null  # the packages (and the normal build, which the CLI tests do not use)
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTQ_SANITIZE=address,undefined \
    -DPTQ_BUILD_BENCH=OFF -DPTQ_ENABLE_CUDA=OFF >/dev/null
fi
cmake --build "$build_dir"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" --timeout 1800 "$@"
