// Range-search cost: the papers' Lp search over candidate grids (BRECQ's 80-step shrink, p = 2.4)
// on one per-tensor activation, scored by ptq's observer (fused one-pass scoring,
// kernels/lp_search) and, as the baseline in the same run, by the tensor-op formulation the
// reference code uses (fake-quant + |x − x̂|^p + mean per candidate, full-size temporaries).
//   ptq_bench_range_search [--elements 12800000] [--steps 80] [--bits 4]
// 12.8 M elements = one ResNet-18 layer1 activation for 64 images at 224².
#include "framework/core/runtime.h"
#include "framework/quant/fake_quant.h"
#include "framework/quant/observer.h"
#include "framework/quant/qparams.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <string>

namespace {

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t elements = 12800000;
  int steps = 80, bits = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--elements") elements = std::stoll(argv[i + 1]);
    if (k == "--steps") steps = std::stoi(argv[i + 1]);
    if (k == "--bits") bits = std::stoi(argv[i + 1]);
  }
  ptq::configure_threads(1);
  torch::manual_seed(0);
  auto xg = torch::relu(torch::randn({1, 1, elements}));
  ptq::QuantSpec spec;
  spec.bits = bits;
  ptq::ObserverOptions o;
  o.kind = "mse";
  o.steps = steps;

  auto t0 = std::chrono::steady_clock::now();
  auto obs = ptq::make_observer(o);
  obs->observe(xg);
  const auto fused = obs->compute(spec);
  const double fused_s = since(t0);

  t0 = std::chrono::steady_clock::now();
  auto [mn, mx] = ptq::group_min_max(xg);
  double best = std::numeric_limits<double>::infinity();
  ptq::QParams best_q;
  for (int i = 0; i < steps; ++i) {
    const double f = 1.0 - o.step * i;
    auto q = ptq::qparams_from_range(mn * f, mx * f, spec);
    const double score = ptq::lp_score(xg, ptq::fake_quant_grouped(xg, q.scale, q.zero_point, spec), o.p).item<double>();
    if (score < best) best = score, best_q = q;
  }
  const double ops_s = since(t0);

  fmt::print("| search | elements | candidates | seconds | chosen scale |\n|---|---:|---:|---:|---:|\n");
  fmt::print("| tensor ops (baseline) | {} | {} | {:.2f} | {:.6g} |\n", elements, steps, ops_s,
             best_q.scale.item<double>());
  fmt::print("| fused (ptq observer) | {} | {} | {:.2f} | {:.6g} |\n", elements, steps, fused_s,
             fused.scale.item<double>());
  fmt::print("\nspeed-up {:.1f}x, same choice: {}\n", ops_s / fused_s,
             fused.scale.item<double>() == best_q.scale.item<double>() ? "yes" : "no");
  return 0;
}
