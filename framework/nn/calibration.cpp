#include "framework/nn/calibration.h"

#include "framework/core/check.h"

#include <functional>

namespace ptq {
namespace {


std::vector<Quantizer> act_quantizers(const UnitImpl& unit) {
  std::vector<Quantizer> out{unit.input_quantizer, unit.output_quantizer};
  for (const auto& e : unit.layers()) {
    out.push_back(e.layer->input_quantizer);
    out.push_back(e.layer->output_quantizer);
  }
  return out;
}

void set_states(std::vector<Quantizer> qs, QuantizerState s) {
  for (auto& q : qs)
    if (q->configured()) q->set_state(s);
}

// Feeds the calibration data to `qs` (in Calibrate state) as often as their observers ask:
// search observers stream (range first, then the Lp scores), so memory does not grow with
// the number of calibration images.
void observe_streaming(const std::vector<Quantizer>& qs, const std::function<void()>& run_data) {
  for (auto q : qs)
    if (q->configured() && q->state() == QuantizerState::Calibrate) q->set_streaming_calibration(true);
  for (;;) {
    run_data();
    bool again = false;
    for (auto q : qs)
      if (q->wants_another_pass()) {
        q->next_calibration_pass();
        again = true;
      }
    if (!again) break;
  }
}

void finish(std::vector<Quantizer> qs) {
  for (auto& q : qs)
    if (q->configured() && q->state() == QuantizerState::Calibrate) q->finish_calibration();
}

}  // namespace

torch::Tensor run_units_batched(QuantModelImpl& model, const torch::Tensor& x, size_t begin, size_t end,
                                int64_t batch_size, bool keep_outputs) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> outs;
  for (int64_t i = 0; i < x.size(0); i += batch_size) {
    auto y = model.forward_units(x.narrow(0, i, std::min(batch_size, x.size(0) - i)), begin, end);
    if (keep_outputs) outs.push_back(y);
  }
  return keep_outputs ? torch::cat(outs, 0) : torch::Tensor();
}

void calibrate_weights(QuantModelImpl& model) {
  for (const auto& e : model.layers())
    if (e.layer->weight_quantizer->configured()) e.layer->weight_quantizer->calibrate(e.layer->weight);
}

void calibrate_activations(QuantModelImpl& model, const torch::Tensor& images, const CalibrationOptions& o) {
  PTQ_CHECK(o.order == "sequential" || o.order == "fp",
            "calibration.order: expected one of sequential, fp, got \"{}\"", o.order);
  PTQ_CHECK(o.act_samples > 0 && o.batch_size > 0, "calibration: act_samples and batch_size must be positive");
  auto x = images.narrow(0, 0, std::min(o.act_samples, images.size(0)));
  const auto& units = model.units();
  if (o.order == "fp") {
    // Weight quantisers off too: QDrop's FP network.
    std::vector<Quantizer> weights;
    for (const auto& e : model.layers())
      if (e.layer->weight_quantizer->configured()) weights.push_back(e.layer->weight_quantizer);
    set_states(weights, QuantizerState::Off);
    std::vector<Quantizer> acts;
    for (const auto& u : units)
      for (const auto& q : act_quantizers(*u)) acts.push_back(q);
    set_states(acts, QuantizerState::Calibrate);
    observe_streaming(acts, [&] { run_units_batched(model, x, 0, units.size(), o.batch_size, false); });
    finish(acts);
    set_states(weights, QuantizerState::Quantize);
    return;
  }
  for (size_t i = 0; i < units.size(); ++i) {
    auto acts = act_quantizers(*units[i]);
    set_states(acts, QuantizerState::Calibrate);
    observe_streaming(acts, [&] { run_units_batched(model, x, i, i + 1, o.batch_size, false); });
    finish(acts);
    if (i + 1 < units.size()) x = run_units_batched(model, x, i, i + 1, o.batch_size);
  }
}

}  // namespace ptq
