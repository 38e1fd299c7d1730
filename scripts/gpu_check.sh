#!/usr/bin/env bash
# On the GPU machine (../shared/reference/gpu-machine.md): builds ptq against PyTorch's LibTorch
# with CUDA for Hopper, using the Debian packages carried in .deps/ (scripts/gpu_fetch_debs.sh),
# then runs the packed-kernel tests ([cuda] ones included), the CUDA packed benchmark and a
# packed check of a quantised Fashion-MNIST run. Results go to $OUT (or the directory given).
#   scripts/gpu_check.sh [OUT_DIR]
# Status: written without a GPU at hand (session 9); the first GPU session runs and fixes it.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${OUT:-gpu_out}}"
mkdir -p "$out" /opt/deps
for deb in .deps/*.deb; do dpkg -x "$deb" /opt/deps; done
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
echo "torch $(python3 -c 'import torch; print(torch.__version__, torch._C._GLIBCXX_USE_CXX11_ABI)')" | tee "$out/env.txt"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$out/env.txt"
libdir=/opt/deps/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH="$libdir:$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DPTQ_ENABLE_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DCMAKE_PREFIX_PATH="$torch_prefix;/opt/deps/usr;$libdir/cmake" -DCMAKE_INCLUDE_PATH=/opt/deps/usr/include \
  -DCMAKE_LIBRARY_PATH="$libdir" > "$out/configure.txt" 2>&1 || { tail -30 "$out/configure.txt"; exit 1; }
cmake --build build-gpu --target ptq test_kernels test_deploy ptq_bench_packed_gemm > "$out/build.txt" 2>&1 \
  || { tail -40 "$out/build.txt"; exit 1; }
export PTQ_TEST_BINARY_DIR=build-gpu
build-gpu/tests/kernels/test_kernels "[cuda]" -s 2>&1 | tail -5 > "$out/cuda_tests.txt" || true
build-gpu/tests/kernels/test_kernels 2>&1 | tail -3 | tee -a "$out/cuda_tests.txt"
build-gpu/bench/ptq_bench_packed_gemm --device cuda | tee "$out/bench_cuda.md"
# A quantised run (random weights: the check is about packed = fake-quant, not accuracy) and its check.
data=/opt/deps/usr/share/datasets/fashion-mnist
build-gpu/ptq run configs/qdrop/fmnist_resnet8.yaml --set model.weights=random --set data.root=$data \
  --set method.iters=200 --set method.progress=false --set output.dir="$out/runs" > "$out/run.txt" 2>&1
run_dir=$(dirname "$(find "$out/runs" -name metrics.json | head -1)")
build-gpu/ptq export "$run_dir" | tee "$out/export.txt"
build-gpu/ptq check-packed "$run_dir" | tee "$out/check_packed.txt"
