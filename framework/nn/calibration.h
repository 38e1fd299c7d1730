// Calibration of a configured model (after apply_quant_setup):
//  1. every weight quantiser observes its (BN-folded) weight and switches to Quantize;
//  2. activation quantisers observe calibration images, in one of two orders:
//     sequential — unit by unit, each unit fed the output of the already-quantised prefix
//                  (BRECQ initialises activation ranges this way, on 64 images); inside a
//                  unit the quantisers observe in one pass, so a layer sees its float input;
//     fp         — all activation quantisers observe one pass of the float network
//                  (QDrop's qdrop branch, on 256 images).
// Calibration never tracks gradients and processes `batch_size` images at a time. Search
// observers (mse, mse_grid) stream: the images pass once for the ranges and once more for
// the Lp scores, so memory does not grow with the number of calibration images.
#pragma once

#include "framework/nn/model.h"

namespace ptq {

struct CalibrationOptions {
  std::string order = "sequential";  // sequential | fp
  int64_t act_samples = 256;          // images (from the front of the calibration set)
  int64_t batch_size = 64;
};

void calibrate_weights(QuantModelImpl& model);
void calibrate_activations(QuantModelImpl& model, const torch::Tensor& images, const CalibrationOptions& options);

// Runs units [begin, end) over `x` in batches without gradients; returns the outputs
// (an undefined tensor when !keep_outputs).
torch::Tensor run_units_batched(QuantModelImpl& model, const torch::Tensor& x, size_t begin, size_t end,
                                int64_t batch_size, bool keep_outputs = true);

}  // namespace ptq
