// ptq predict CONFIG --input IN.safetensors --output OUT.safetensors — logits for a given
// input tensor, so ptq's forward can be compared with PyTorch's on the same weights.
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/config/config.h"
#include "framework/core/check.h"
#include "framework/core/runtime.h"
#include "framework/deploy/packed_model.h"
#include "framework/experiment/experiment_spec.h"
#include "framework/io/safetensors.h"
#include "framework/nn/weights.h"

#include <iostream>

namespace ptq::cli {

int cmd_predict(const Argv& argv) {
  const auto a = parse_args("predict", argv, {{"input", "output", "tensor", "packed"}, {"set"}, {}});
  const bool packed = !a.value("packed").empty();
  if (a.flag("help") || a.positional.size() != (packed ? 0u : 1u) || a.value("input").empty() || a.value("output").empty()) {
    std::cout << "usage: ptq predict CONFIG.yaml --input IN.safetensors --output OUT.safetensors\n"
                 "                   [--tensor NAME] [--set key.path=value]...\n"
                 "       ptq predict --packed PACKED.safetensors --input IN.safetensors --output OUT.safetensors\n\n"
                 "Runs the config's FP model (model.arch, model.weights = a .safetensors file with\n"
                 "torchvision names) on a float tensor [N, C, H, W] from IN (the tensor NAME, default\n"
                 "the only tensor in the file, or 'input') and writes the logits to OUT as 'logits'.\n"
                 "No data set is read. See README 'Checking against PyTorch'.\n"
                 "With --packed, the model is a packed model written by `ptq export`, run with the packed\n"
                 "kernels (README 'Packed export').\n";
    return a.flag("help") ? 0 : 2;
  }
  QuantModel model;
  ExperimentSpec spec;
  if (packed) {
    const auto pm = load_packed_model(a.value("packed"));
    model = pm.loaded.model;
    spec = pm.loaded.spec;
    configure_threads(spec.threads);
  } else {
    spec = spec_from_config(config::Config::load(a.positional[0], a.all("set")));
    configure_threads(spec.threads);
    PTQ_CHECK(spec.model.weights != "train",
              "ptq predict needs explicit weights: set model.weights to a .safetensors file (e.g. --set "
              "model.weights=resnet18.safetensors)");
    seed_everything(spec.seed);
    model = create_model(spec.model.arch, spec.model.options);
    if (spec.model.weights != "random") load_model_weights(*model, spec.model.weights);
  }
  model->eval();
  const auto file = io::load_safetensors(a.value("input"));
  std::string name = a.value("tensor");
  if (name.empty()) name = file.tensors.size() == 1 ? file.tensors.begin()->first : "input";
  auto it = file.tensors.find(name);
  PTQ_CHECK(it != file.tensors.end(), "'{}' has no tensor named '{}'; use --tensor NAME", a.value("input"), name);
  const auto& shape = model->input_shape();
  auto x = it->second.to(torch::kFloat);
  PTQ_CHECK(x.dim() == 4 && x.size(1) == shape[0],
            "input tensor '{}' in '{}' has shape [{}]; {} expects [N, {}, H, W] (e.g. [N, {}, {}, {}])", name,
            a.value("input"), fmt::join(x.sizes(), ", "), spec.model.arch, shape[0], shape[0], shape[1], shape[2]);
  torch::NoGradGuard no_grad;
  auto logits = model->forward(x).contiguous();
  io::save_safetensors(a.value("output"), {{"logits", logits}}, {{"ptq.arch", spec.model.arch}});
  std::cout << fmt::format("wrote logits [{}] to {}\n", fmt::join(logits.sizes(), ", "), a.value("output"));
  return 0;
}

}  // namespace ptq::cli
