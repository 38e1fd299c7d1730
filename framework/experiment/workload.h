// What an experiment quantises and measures: the FP model, the calibration set and the
// evaluation, for the two kinds of task ptq runs.
//   image    — classifiers on Fashion-MNIST or an image folder: calibration images drawn from
//              the training split, top-1 accuracy and cross-entropy on the test split;
//   language — the LLaMA-style decoder on text (fortunes or user files): calibration = N
//              random windows of seq_len training tokens (as float ids [N, T], the model's
//              input), perplexity on the test stream with the usual window protocol
//              (experiment/perplexity.h), "loss" being the mean NLL per token.
// run_experiment (experiment.h) is the same loop over variants for both.
#pragma once

#include "framework/experiment/experiment_spec.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <functional>
#include <string>

namespace ptq {

struct Workload {
  QuantModel model;              // FP weights, eval mode, BN folded when the spec asks
  nlohmann::json model_info;     // for metrics.json
  torch::Tensor calibration;
  std::string calibration_text;  // "1024 images from ..." for the log
  // One evaluation of the model as it stands: {"top1", "loss", ...} or {"ppl", "loss", ...}.
  std::function<nlohmann::json(QuantModelImpl&, const EvalSpec&)> evaluate;
  std::string headline;          // the key of the main figure: "top1" or "ppl"
  bool higher_is_better = true;
};

Workload make_workload(const ExperimentSpec& spec);
Workload image_workload(const ExperimentSpec& spec);
Workload language_workload(const ExperimentSpec& spec);  // defined in lm_workload.cpp
// Sentence encoders (model.arch bert, data.dataset sentences): calibration = the first
// num_samples training sentences padded to seq_len; the figure is the mean cosine similarity
// between the quantised and the float model's embeddings of the test sentences (encoder_workload.cpp).
Workload encoder_workload(const ExperimentSpec& spec);

// `n` windows of `seq_len` tokens of the 1-D stream `tokens` at seeded random offsets, as
// float ids [n, seq_len] (exact below 2^24).
torch::Tensor lm_calibration_windows(const torch::Tensor& tokens, int64_t n, int64_t seq_len, uint64_t seed);

}  // namespace ptq
