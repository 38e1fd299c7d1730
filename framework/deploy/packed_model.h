// Export of a quantised model to packed low-bit weights, and the packed model that runs them.
//
// File (safetensors, written by `ptq export`, README "Packed export"):
//   <layer>.weight.packed   int32 [N, words]   codes in the layout of kernels/pack/packed_format.h
//   <layer>.weight.scales   float32 [N, groups]
//   <layer>.weight.zeros    uint8 [N, groups]  (integer formats)
//   every other model tensor (biases, weights of layers left in float) under its own name, and
//   the activation quantisers' scale / zero_point;
//   metadata: ptq.format_version ("1"), ptq.packed_layers (JSON: layer → {format, shape,
//   group_size}), plus the quantised file's (ptq.config, ptq.variant, ptq.overrides, ptq.arch).
// A layer is packed when its weight quantiser quantises with an integer grid of 2–8 bits
// (5–7 bits in INT8 containers) or the E4M3 / E2M1 minifloat, per tensor, per output channel
// (axis 0) or per group along the input (axis 1, group a multiple of 32). Export derives the
// codes from the fake-quantised weight and checks that they dequantise to it bit for bit.
// In the packed model each packed layer computes with kernels/packed_linear and its float
// weight is NaN, so any use of it would show in the outputs.
#pragma once

#include "framework/deploy/quantized_model.h"
#include "kernels/pack/packed_weight.h"

#include <map>
#include <string>
#include <vector>

namespace ptq {

struct PackedLayerInfo {
  std::string name;               // layer path, e.g. "layer1.0.conv1"
  kernels::PackedFormat format;
  std::vector<int64_t> shape;     // logical weight shape ([O, I/g, kh, kw] or [O, I])
  int64_t group_size = 0;
  int64_t bytes = 0;              // packed bytes (codes + scales + zero points)
};

struct PackedExport {
  std::map<std::string, torch::Tensor> tensors;
  std::map<std::string, std::string> metadata;
  std::vector<PackedLayerInfo> layers;
  std::vector<std::string> float_layers;  // quant layers left unpacked (weights not quantised)
};

// Packs every quantised layer of `model` (a loaded quantised model); throws UserError naming
// the layer when its quantiser cannot be packed (and why) or the codes do not reproduce it.
PackedExport export_packed(QuantModelImpl& model, const QuantizedModelInfo& info);
// The packed weight of one layer (for tests and the checker).
kernels::PackedWeight pack_layer_weight(QuantLayerImpl& layer, const std::string& name, kernels::PackedFormat* format);

struct PackedModel {
  LoadedModel loaded;  // model with packed layers attached; spec and info from the file
  std::vector<PackedLayerInfo> layers;
};

PackedModel load_packed_model(const std::string& path);
// The same model built from an in-memory export (what check-packed runs when no file exists).
PackedModel packed_model_from_export(const PackedExport& e, const std::string& source);

// RUN_DIR/packed/<variant>.safetensors
std::string packed_model_path(const std::string& run_dir, const std::string& variant);

}  // namespace ptq
