// FP evaluation throughput (images/s) of ResNet-18 at 224x224 and of the Fashion-MNIST
// model (resnet8, 28x28), with LibTorch threads = cores and, as the baseline in the same
// run, with one thread. Also reports which BLAS library is loaded (OpenBLAS expected).
//   ptq_bench_throughput [--batches N] [--batch-size B]
// Weights are seeded random: throughput does not depend on their values.
#include "framework/core/runtime.h"
#include "framework/nn/zoo.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace {

std::string loaded_blas() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line))
    if (line.find("libblas") != std::string::npos || line.find("openblas") != std::string::npos)
      return line.substr(line.find('/'));
  return "none found";
}

double images_per_second(ptq::QuantModelImpl& model, int64_t batch, int64_t batches, int threads) {
  ptq::configure_threads(threads);
  torch::NoGradGuard ng;
  const auto& s = model.input_shape();
  auto x = torch::randn({batch, s[0], s[1], s[2]});
  model.forward(x);  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < batches; ++i) model.forward(x);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return batch * batches / secs;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t batches = 3, batch = 32;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--batches") batches = std::stoll(argv[i + 1]);
    if (a == "--batch-size") batch = std::stoll(argv[i + 1]);
  }
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  ptq::seed_everything(0);
  fmt::print("LibTorch {}, {} cores, BLAS: {}\n\n", ptq::torch_version(), cores, loaded_blas());
  fmt::print("| model | input | batch | threads = {} (img/s) | 1 thread (img/s) | speed-up |\n", cores);
  fmt::print("|---|---|---:|---:|---:|---:|\n");
  struct Case {
    const char* arch;
    ptq::ModelOptions opts;
    int64_t batch_mult;
  };
  ptq::ModelOptions imagenet;
  ptq::ModelOptions fmnist;
  fmnist.num_classes = 10, fmnist.in_channels = 1, fmnist.image_size = 28, fmnist.small_input = true;
  for (const auto& c : {Case{"resnet18", imagenet, 1}, Case{"resnet8", fmnist, 8}}) {
    auto model = ptq::create_model(c.arch, c.opts);
    model->eval();
    model->fold_batchnorm();
    const int64_t b = batch * c.batch_mult;
    const double multi = images_per_second(*model, b, batches, cores);
    const double single = images_per_second(*model, b, batches, 1);
    fmt::print("| {} | {}x{}x{} | {} | {:.1f} | {:.1f} | {:.2f}x |\n", c.arch, c.opts.in_channels, c.opts.image_size,
               c.opts.image_size, b, multi, single, multi / single);
  }
  return 0;
}
