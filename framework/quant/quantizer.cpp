#include "framework/quant/quantizer.h"

#include "framework/core/check.h"
#include "framework/core/finite.h"
#include "framework/quant/fake_quant.h"
#include "framework/quant/fused_fake_quant.h"
#include "framework/quant/grouping.h"

#include <cmath>

namespace ptq {

QuantizerImpl::QuantizerImpl() {
  scale_ = register_parameter("scale", torch::ones({1, 1}), /*requires_grad=*/false);
  zero_point_ = register_buffer("zero_point", torch::zeros({1, 1}));
}

QuantizerImpl::QuantizerImpl(QuantizerOptions options) : QuantizerImpl() { configure(std::move(options)); }

void QuantizerImpl::configure(QuantizerOptions options) {
  options.spec.validate("quantizer");
  options.observer.validate("quantizer");
  options_ = std::move(options);
  configured_ = true;
  calibrated_ = false;
  state_ = QuantizerState::Off;
  rounding_.reset();
  keep_prob_ = 1.0;
  observer_ = make_observer(options_.observer);
  torch::NoGradGuard no_grad;
  scale_.set_data(torch::ones({1, 1}));
  zero_point_.set_data(torch::zeros({1, 1}));
  scale_.set_requires_grad(false);
}

void QuantizerImpl::reset() {
  options_ = QuantizerOptions();
  configured_ = calibrated_ = false;
  state_ = QuantizerState::Off;
  rounding_.reset();
  keep_prob_ = 1.0;
  observer_.reset();
  torch::NoGradGuard no_grad;
  scale_.set_data(torch::ones({1, 1}));
  zero_point_.set_data(torch::zeros({1, 1}));
  scale_.set_requires_grad(false);
}

void QuantizerImpl::set_state(QuantizerState state) {
  PTQ_INTERNAL_ASSERT(configured_ || state == QuantizerState::Off, "set_state on an unconfigured quantizer");
  if (state == QuantizerState::Quantize && !options_.spec.dynamic)
    PTQ_INTERNAL_ASSERT(calibrated_, "quantizer switched to Quantize before calibration");
  if (state == QuantizerState::Calibrate) observer_->reset();
  state_ = state;
}

void QuantizerImpl::check_observed_finite(const torch::Tensor& x, const char* what) const {
  const auto bad = nonfinite_summary(x);
  PTQ_CHECK(bad.empty(),
            "{}: {} {}; NaN/Inf first appears here: check the input data and the weights of the layers "
            "before it (a damaged checkpoint, or a diverged training or reconstruction run)",
            label_, what, bad);
}

void QuantizerImpl::set_qparams(const QParams& q) {
  {
    const auto bad = nonfinite_summary(q.scale);
    PTQ_CHECK(bad.empty() && (q.scale.numel() == 0 || q.scale.min().item<double>() > 0.0),
              "{}: its scale must be finite and positive, but {}; the quantiser state was computed from "
              "non-finite values or the saved model is damaged (re-run calibration)",
              label_, bad.empty() ? fmt::format("its smallest value is {}", q.scale.min().item<double>()) : bad);
    const auto bad_zp = nonfinite_summary(q.zero_point);
    PTQ_CHECK(bad_zp.empty(), "{}: its zero point {}; re-run calibration", label_, bad_zp);
  }
  torch::NoGradGuard no_grad;
  scale_.set_data(q.scale.to(torch::kFloat).contiguous());
  zero_point_.set_data(q.zero_point.to(torch::kFloat).contiguous());
  scale_.set_requires_grad(options_.learnable_scale);
  calibrated_ = true;
}

void QuantizerImpl::calibrate(const torch::Tensor& x) {
  PTQ_INTERNAL_ASSERT(configured_, "calibrate on an unconfigured quantizer");
  check_observed_finite(x, "the tensor it calibrates on has");
  observer_->reset();
  const auto xg = to_groups(x.detach(), group_layout(options_.spec, x.sizes()));
  observer_->observe(xg);
  while (observer_->wants_another_pass()) {
    observer_->next_pass(options_.spec);
    observer_->observe(xg);
  }
  finish_calibration();
}

void QuantizerImpl::set_streaming_calibration(bool streaming) {
  PTQ_INTERNAL_ASSERT(configured_, "set_streaming_calibration on an unconfigured quantizer");
  observer_->set_streaming(streaming);
}

bool QuantizerImpl::wants_another_pass() const {
  return configured_ && state_ == QuantizerState::Calibrate && !options_.spec.dynamic && observer_->wants_another_pass();
}

void QuantizerImpl::next_calibration_pass() {
  PTQ_INTERNAL_ASSERT(wants_another_pass(), "next_calibration_pass when the observer needs no other pass");
  observer_->next_pass(options_.spec);
}

void QuantizerImpl::finish_calibration() {
  PTQ_INTERNAL_ASSERT(configured_, "finish_calibration on an unconfigured quantizer");
  if (options_.spec.dynamic) {
    state_ = QuantizerState::Quantize;
    return;
  }
  PTQ_INTERNAL_ASSERT(!observer_->empty(), "finish_calibration: the observer saw no data");
  set_qparams(observer_->compute(options_.spec));
  observer_->reset();
  state_ = QuantizerState::Quantize;
}

QParams QuantizerImpl::dynamic_qparams(const torch::Tensor& xg) const {
  auto [mn, mx] = group_min_max(xg.detach());
  return qparams_from_range(mn, mx, options_.spec);
}

torch::Tensor QuantizerImpl::forward(const torch::Tensor& x) { return forward_impl(x, false); }

torch::Tensor QuantizerImpl::forward_relu(const torch::Tensor& x) {
  if (state_ == QuantizerState::Quantize && !options_.spec.dynamic && fused_path(x)) return forward_impl(x, true);
  return forward_impl(torch::relu(x), false);
}

bool QuantizerImpl::fused_path(const torch::Tensor& x) const {
  return !rounding_ && options_.spec.format == NumberFormat::Int && fused_fake_quant_supported(x);
}

torch::Tensor QuantizerImpl::forward_impl(const torch::Tensor& x, bool relu) {
  if (state_ == QuantizerState::Off) return x;
  const auto layout = group_layout(options_.spec, x.sizes());
  if (state_ == QuantizerState::Calibrate) {
    if (!options_.spec.dynamic) {
      check_observed_finite(x, "the tensor it calibrates on has");
      observer_->observe(to_groups(x.detach(), layout));
    }
    return x;
  }
  auto xg = to_groups(x, layout);
  QParams q = options_.spec.dynamic ? dynamic_qparams(xg) : QParams{scale_override_.defined() ? scale_override_ : scale_, zero_point_};
  PTQ_CHECK(q.scale.size(0) == layout.rows && q.scale.size(1) == layout.groups,
            "quantizer {} was calibrated for {}x{} groups but got a tensor of shape [{}] with {}x{} groups; "
            "recalibrate for this input shape",
            options_.spec.to_string(), q.scale.size(0), q.scale.size(1), fmt::join(x.sizes(), ", "),
            layout.rows, layout.groups);
  torch::Tensor s = q.scale;
  if (s.requires_grad() && options_.lsq_grad_scale && options_.spec.format == NumberFormat::Int)
    s = scale_grad(s, 1.0 / std::sqrt(static_cast<double>(x.numel()) * static_cast<double>(options_.spec.qmax())));
  if (fused_path(xg)) {
    const uint64_t seed = keep_prob_ < 1.0 ? draw_drop_seed() : 0;
    return from_groups(fused_fake_quant_grouped(xg, s, q.zero_point, options_.spec.qmin(), options_.spec.qmax(),
                                                keep_prob_, seed, relu),
                       layout);
  }
  PTQ_INTERNAL_ASSERT(!relu, "a fused ReLU needs the fused fake-quant path");
  auto y = from_groups(rounding_ ? rounding_->fake_quant(xg, s, q.zero_point, options_.spec)
                                 : fake_quant_grouped(xg, s, q.zero_point, options_.spec),
                       layout);
  if (keep_prob_ < 1.0) y = torch::where(torch::rand_like(x) < keep_prob_, y, x);
  return y;
}

void QuantizerImpl::set_keep_prob(double keep_prob) {
  PTQ_CHECK(keep_prob >= 0.0 && keep_prob <= 1.0, "quantizer keep probability must lie in [0, 1], got {}", keep_prob);
  keep_prob_ = keep_prob;
}

std::string QuantizerImpl::describe() const {
  if (!configured_ || state_ == QuantizerState::Off) return "off";
  return options_.spec.to_string();
}

void QuantizerImpl::pretty_print(std::ostream& stream) const {
  stream << "Quantizer(" << describe();
  if (configured_ && state_ != QuantizerState::Off) {
    stream << ", " << options_.observer.kind;
    if (options_.learnable_scale) stream << ", lsq";
  }
  stream << ")";
}

}  // namespace ptq
