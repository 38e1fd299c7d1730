// Model state = the tensors a checkpoint holds: parameters and buffers under torchvision's
// names (conv1.weight, bn1.running_mean, layer1.0.downsample.1.num_batches_tracked, fc.bias).
// Quantiser state (…quantizer.scale / .zero_point) is separate: it is produced by
// calibration and reconstruction, not by training, so FP checkpoints never carry it.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

namespace ptq {

bool is_quantizer_state(const std::string& name);

// Parameters and buffers of `module`, without quantiser state, by name.
std::map<std::string, torch::Tensor> model_state(const torch::nn::Module& module);
// Only quantiser state (scales and zero points).
std::map<std::string, torch::Tensor> quantizer_state(const torch::nn::Module& module);

}  // namespace ptq
