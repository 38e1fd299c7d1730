// Packed low-bit linear vs the dense baseline measured in the same run.
//   ptq_bench_packed_gemm [--device cpu|cuda] [--shapes KxN,...] [--m 1,4,...] [--formats int4:128,int8:ch,...]
//                         [--rounds R] [--calls C] [--budget-mb B]
// For each weight shape (K inputs × N outputs), batch M and packed format it prints the median
// time per call, the weight bytes read per second (codes + scales + zero points; dense: the
// float weight) and the speed-up over the dense baseline:
//   CPU:  OpenBLAS FP32 through torch::matmul against packed_linear on float32 activations;
//   CUDA: cuBLAS FP16 through torch::matmul against packed_linear on float16 activations.
// Caches are defeated by rotating over enough copies of each weight that one round reads at
// least --budget-mb MiB (default 4× the last-level cache: 128 MiB on the CPU, 256 MiB on the
// GPU), so no call finds its weight in L2/L3. Each round times C calls (one per copy, round
// robin); the figure is the median over R rounds.
#include "framework/core/runtime.h"
#include "framework/core/strings.h"
#include "kernels/fake_quant/fake_quant.h"
#include "kernels/packed_linear/packed_linear.h"

#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

using ptq::kernels::PackedFormat;
using ptq::kernels::PackedWeight;

struct FormatCase {
  std::string label;  // "int4 g128"
  PackedFormat format;
  int64_t group;  // 0 = per channel
};

struct Options {
  bool cuda = false;
  std::vector<std::pair<int64_t, int64_t>> shapes{{4096, 4096}, {4096, 11008}, {11008, 4096}, {8192, 8192}};
  std::vector<int64_t> ms{1, 4, 16, 64, 128};
  std::vector<FormatCase> formats;
  int rounds = 5;
  int calls = 0;  // 0: as many as there are copies
  double budget_mb = 0;
};

FormatCase parse_format(const std::string& s) {
  const auto parts = ptq::split(s, ':');
  FormatCase f;
  f.format = ptq::kernels::packed_format_named(parts[0]);
  f.group = parts.size() > 1 && parts[1] != "ch" ? std::stoll(parts[1]) : 0;
  f.label = parts[0] + (f.group ? fmt::format(" g{}", f.group) : " ch");
  return f;
}

Options parse(int argc, char** argv) {
  Options o;
  std::string formats = "int4:128,int3:128,int2:128,int8:ch";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--device") o.cuda = v == "cuda";
    else if (a == "--shapes") {
      o.shapes.clear();
      for (const auto& s : ptq::split(v, ',')) {
        const auto kn = ptq::split(s, 'x');
        o.shapes.emplace_back(std::stoll(kn.at(0)), std::stoll(kn.at(1)));
      }
    } else if (a == "--m") {
      o.ms.clear();
      for (const auto& s : ptq::split(v, ',')) o.ms.push_back(std::stoll(s));
    } else if (a == "--formats") formats = v;
    else if (a == "--rounds") o.rounds = std::stoi(v);
    else if (a == "--calls") o.calls = std::stoi(v);
    else if (a == "--budget-mb") o.budget_mb = std::stod(v);
    else throw std::runtime_error("unknown option " + a + " (see the header of bench/packed_gemm.cpp)");
  }
  for (const auto& f : ptq::split(formats, ',')) o.formats.push_back(parse_format(f));
  if (o.budget_mb == 0) o.budget_mb = o.cuda ? 256 : 128;
  return o;
}

void sync(bool cuda) {
  if (cuda) torch::cuda::synchronize();
}

// Median over rounds of the mean time per call (µs); `call(i)` runs on copy i.
double time_calls(const Options& o, int64_t copies, const std::function<void(int64_t)>& call) {
  const int64_t calls = o.calls > 0 ? o.calls : std::max<int64_t>(copies, 3);
  for (int64_t i = 0; i < copies; ++i) call(i);  // warm-up: every copy once
  sync(o.cuda);
  std::vector<double> us;
  for (int r = 0; r < o.rounds; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < calls; ++i) call(i % copies);
    sync(o.cuda);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / calls);
  }
  std::sort(us.begin(), us.end());
  return us[us.size() / 2];
}

int64_t copies_for(double bytes, double budget_mb) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(budget_mb * (1 << 20) / bytes)));
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  if (o.cuda && !ptq::kernels::cuda_kernels_available()) {
    fmt::print(stderr, "--device cuda: no CUDA device, or ptq was built without CUDA\n");
    return 2;
  }
  const int threads = ptq::configure_threads(0);
  ptq::seed_everything(0);
  const auto device = o.cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  const auto act = o.cuda ? torch::kHalf : torch::kFloat;
  const std::string dense = o.cuda ? "cuBLAS FP16" : "OpenBLAS FP32";
  fmt::print("packed linear vs {} (torch::matmul), {}; LibTorch {}; {} threads; cache budget {:.0f} MiB per round\n\n",
             dense, o.cuda ? "CUDA" : "CPU", ptq::torch_version(), threads, o.budget_mb);
  fmt::print("| K×N | M | format | packed µs | packed GB/s | dense µs | dense GB/s | speed-up |\n");
  fmt::print("|---|---:|---|---:|---:|---:|---:|---:|\n");
  for (const auto& [k, n] : o.shapes) {
    const auto w = torch::randn({n, k});
    // Dense copies (the weight as the baseline reads it).
    const double dense_bytes = static_cast<double>(n * k) * (o.cuda ? 2 : 4);
    std::vector<torch::Tensor> dense_w;
    for (int64_t i = 0, c = copies_for(dense_bytes, o.budget_mb); i < c; ++i)
      dense_w.push_back(w.to(device, act).contiguous());
    std::vector<std::vector<PackedWeight>> packed(o.formats.size());
    for (size_t f = 0; f < o.formats.size(); ++f) {
      const auto p = ptq::kernels::quantize_rtn(w, o.formats[f].format, o.formats[f].group ? o.formats[f].group : k);
      for (int64_t i = 0, c = copies_for(p.bytes(), o.budget_mb); i < c; ++i) packed[f].push_back(p.to(device));
    }
    for (int64_t m : o.ms) {
      const auto x = torch::randn({m, k}).to(device, act);
      torch::NoGradGuard no_grad;
      const double dense_us = time_calls(o, static_cast<int64_t>(dense_w.size()),
                                         [&](int64_t i) { torch::matmul(x, dense_w[i].t()); });
      for (size_t f = 0; f < o.formats.size(); ++f) {
        const double us = time_calls(o, static_cast<int64_t>(packed[f].size()),
                                     [&](int64_t i) { ptq::kernels::packed_linear(x, packed[f][i]); });
        const double bytes = static_cast<double>(packed[f][0].bytes());
        fmt::print("| {}×{} | {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.2f}× |\n", k, n, m, o.formats[f].label,
                   us, bytes / us / 1e3, dense_us, dense_bytes / dense_us / 1e3, dense_us / us);
      }
    }
  }
  return 0;
}
