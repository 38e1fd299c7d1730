// Where an experiment's data and FP model come from.
//  * load_datasets: the training split (calibration images are drawn from it, as in the
//    papers) and the test split, checked against the model's input shape.
//  * load_fp_model: builds the architecture and gets its weights — trained here (or reused
//    from the model cache when an identical model was trained before), read from a
//    safetensors file, or seeded random. Returned in eval mode with BN not yet folded.
// The model cache lives in $PTQ_CACHE_DIR, else $XDG_CACHE_HOME/ptq, else ~/.cache/ptq, so
// it survives `rm -rf build` and is never inside the git tree.
#pragma once

#include "framework/data/dataset.h"
#include "framework/experiment/experiment_spec.h"

#include <memory>

namespace ptq {

struct Datasets {
  std::shared_ptr<data::ImageDataset> train;        // calibration source (and training for weights: train)
  std::shared_ptr<data::ImageDataset> calibration;  // = train, or an augmented view of it
  std::shared_ptr<data::ImageDataset> test;
};

Datasets load_datasets(const ExperimentSpec& spec);

std::string model_cache_dir();

// `trained` is set to true when the weights were trained in this call.
QuantModel load_fp_model(const ExperimentSpec& spec, const Datasets& data, bool* trained = nullptr);

}  // namespace ptq
