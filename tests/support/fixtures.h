// Small shared fixtures for tests: the Fashion-MNIST-sized model options and the text a
// module's pretty_print produces.
#pragma once

#include "framework/nn/zoo.h"

#include <torch/torch.h>

#include <sstream>
#include <string>

namespace ptq::test {

// resnet8-style models on 1x28x28 inputs with 10 classes.
inline ModelOptions fmnist_model_options() {
  ModelOptions o;
  o.in_channels = 1;
  o.num_classes = 10;
  o.image_size = 28;
  o.small_input = true;
  return o;
}

inline std::string printed(const torch::nn::Module& m) {
  std::ostringstream os;
  m.pretty_print(os);
  return os.str();
}

}  // namespace ptq::test
