#!/usr/bin/env bash
# Coverage-guided fuzzing of ptq's parsers (tests/fuzz/fuzz_targets.h) with libFuzzer:
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 600 s each, all six targets)
# Builds build-fuzz/ with clang, AddressSanitizer + UndefinedBehaviorSanitizer and coverage
# instrumentation, then runs each target on a working copy of its committed seed corpus
# (build-fuzz/fuzz-corpus/<target>; new interesting inputs accumulate there). Findings (crash,
# sanitizer report, an exception other than ptq::UserError, a timeout) are written to
# build-fuzz/fuzz-findings/<target>-*; replay one with `build-fuzz/tests/fuzz/ptq_fuzz_<target>
# FILE`, fix it, and add the file to the target's corpus as a regression test. Exit 1 on findings.
# Needs clang, libclang-rt-dev (libFuzzer) and libomp-dev (OpenMP for clang); installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(config safetensors idx packed sweep table)

missing=()
for p in clang libclang-rt-dev libomp-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dir=build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTQ_FUZZ=ON \
    -DPTQ_SANITIZE=address,undefined -DPTQ_ENABLE_CUDA=OFF -DPTQ_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$dir" --target $(printf 'ptq_fuzz_%s ' "${targets[@]}")
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
mkdir -p "$dir/fuzz-findings"
for t in "${targets[@]}"; do
  mkdir -p "$dir/fuzz-corpus/$t"
  cp -n tests/fuzz/corpus/"$t"/* "$dir/fuzz-corpus/$t/"
  log="$dir/fuzz-findings/$t.log"
  if "$dir/tests/fuzz/ptq_fuzz_$t" "$dir/fuzz-corpus/$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
       -artifact_prefix="$dir/fuzz-findings/$t-" -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz $t: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}') inputs in ${seconds} s, no findings"
  else
    status=1
    echo "fuzz $t: FINDING — see $log and $dir/fuzz-findings/$t-*"
  fi
done
exit $status
