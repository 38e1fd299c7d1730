// ptq_torchvision_check: compares a ptq zoo model against logits computed by real
// PyTorch/torchvision (see scripts/check_against_pytorch.py, which writes the files).
//
//   ptq_torchvision_check --arch resnet18 --weights w.safetensors --input x.safetensors
//                         --expected y.safetensors [--num-classes 1000] [--small-input]
//                         [--tolerance 1e-4]
//
// --weights is a torchvision state_dict saved as safetensors; --input holds one tensor
// "input" [N, C, H, W]; --expected one tensor "logits" [N, classes]. Prints the max
// absolute difference, the max difference relative to max |expected|, and whether the
// arg-max classes agree; exits 1 when the relative difference exceeds --tolerance, 2 on a
// usage or file error.
#include "framework/core/check.h"
#include "framework/io/safetensors.h"
#include "framework/nn/weights.h"
#include "framework/nn/zoo.h"

#include <fmt/format.h>

#include <iostream>
#include <map>
#include <string>

namespace {

const char* kUsage =
    "usage: ptq_torchvision_check --arch NAME --weights FILE --input FILE --expected FILE\n"
    "                             [--num-classes N] [--small-input] [--tolerance T]\n";

torch::Tensor only_tensor(const std::string& path, const std::string& name) {
  auto file = ptq::io::load_safetensors(path);
  auto it = file.tensors.find(name);
  PTQ_CHECK(it != file.tensors.end(), "{}: expected a tensor named '{}'", path, name);
  return it->second.to(torch::kFloat);
}

int run(int argc, char** argv) {
  std::map<std::string, std::string> args{{"--num-classes", "1000"}, {"--tolerance", "1e-4"}};
  bool small_input = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--small-input") {
      small_input = true;
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      PTQ_CHECK(a.rfind("--", 0) == 0 && i + 1 < argc, "unexpected argument '{}'\n{}", a, kUsage);
      args[a] = argv[++i];
    }
  }
  for (const char* required : {"--arch", "--weights", "--input", "--expected"})
    PTQ_CHECK(args.count(required), "missing {}\n{}", required, kUsage);

  const auto x = only_tensor(args["--input"], "input");
  const auto expected = only_tensor(args["--expected"], "logits");
  PTQ_CHECK(x.dim() == 4 && x.size(2) == x.size(3), "{}: input must be [N, C, S, S], got {}", args["--input"],
            fmt::format("{}", fmt::join(x.sizes(), ", ")));
  ptq::ModelOptions o;
  o.num_classes = std::stoll(args["--num-classes"]);
  o.in_channels = x.size(1);
  o.image_size = x.size(2);
  o.small_input = small_input;
  auto model = ptq::create_model(args["--arch"], o);
  ptq::load_model_weights(*model, args["--weights"]);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto logits = model->forward(x);
  PTQ_CHECK(logits.sizes() == expected.sizes(), "logits have shape [{}] but {} holds [{}]",
            fmt::join(logits.sizes(), ", "), args["--expected"], fmt::join(expected.sizes(), ", "));

  const double max_abs = (logits - expected).abs().max().item<double>();
  const double scale = expected.abs().max().item<double>();
  const double rel = max_abs / std::max(scale, 1e-12);
  const bool same_top1 = torch::equal(logits.argmax(1), expected.argmax(1));
  const double tolerance = std::stod(args["--tolerance"]);
  fmt::print("{}: logits {} | max |diff| {:.3e} | max |diff| / max |expected| {:.3e} | top-1 {} | {}\n",
             args["--arch"], fmt::join(logits.sizes(), "x"), max_abs, rel, same_top1 ? "agrees" : "DIFFERS",
             rel <= tolerance ? "OK" : "FAIL");
  return rel <= tolerance ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
