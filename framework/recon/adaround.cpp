#include "framework/recon/adaround.h"

#include "framework/core/check.h"
#include "framework/recon/adaround_fused.h"

#include <cmath>

namespace ptq {

void AdaRoundOptions::validate(const std::string& where) const {
  PTQ_CHECK(zeta > 1.0 && gamma < 0.0, "{}: AdaRound needs zeta > 1 and gamma < 0, got zeta {} gamma {}", where,
            zeta, gamma);
  PTQ_CHECK(lambda >= 0.0, "{}.lambda: expected a number >= 0, got {}", where, lambda);
  PTQ_CHECK(warmup >= 0.0 && warmup < 1.0, "{}.warmup: expected a fraction in [0, 1), got {}", where, warmup);
  PTQ_CHECK(beta_start > 0.0 && beta_end > 0.0, "{}: beta_start and beta_end must be positive", where);
  PTQ_CHECK(lr > 0.0, "{}.lr: expected a number > 0, got {}", where, lr);
  PTQ_CHECK(rank >= 0, "{}.rank: expected a number >= 0 (0 = a full V), got {}", where, rank);
}

AdaRound::AdaRound(const torch::Tensor& wg, const torch::Tensor& scale, const QuantSpec& spec,
                   const AdaRoundOptions& options)
    : options_(options) {
  PTQ_CHECK(spec.format == NumberFormat::Int, "AdaRound needs an integer weight format, got {}", spec.to_string());
  options_.validate("adaround");
  torch::NoGradGuard no_grad;
  valid_ = ~torch::isnan(wg);
  auto y = torch::nan_to_num(wg.detach(), 0.0) / scale.detach().unsqueeze(-1);
  floor_ = torch::floor(y);
  // rest in [0, 1); V0 solves h(V0) = rest (inside the clamp, which rest always is).
  auto rest = y - floor_;
  const double zeta = options_.zeta, gamma = options_.gamma;
  v_ = (-torch::log((zeta - gamma) / (rest - gamma) - 1.0));
  if (options_.rank > 0) {
    const int64_t rows = v_.size(0), cols = v_.numel() / std::max<int64_t>(rows, 1);
    const int64_t r = std::min({options_.rank, rows, cols});
    a1_ = (torch::randn({rows, r}, v_.options()) / std::sqrt(static_cast<double>(r))).set_requires_grad(true);
    a2_ = torch::zeros({r, cols}, v_.options()).set_requires_grad(true);
  } else {
    v_.set_requires_grad(true);
  }
}

std::vector<torch::Tensor> AdaRound::parameters() {
  if (a1_.defined()) return {a1_, a2_};
  return {v()};
}

torch::Tensor AdaRound::current_v() const {
  if (!a1_.defined()) return v_;
  return v_ + a1_.mm(a2_).view(v_.sizes());
}

bool AdaRound::inline_adam_supported() const {
  return !a1_.defined() && adaround_fused_supported(v_) && v_.is_contiguous();
}

void AdaRound::use_inline_adam() {
  PTQ_INTERNAL_ASSERT(inline_adam_supported(), "inline Adam needs CPU float weights");
  inline_adam_ = c10::make_intrusive<InlineAdam>(v_);
}

void AdaRound::inline_adam_step(double lr) {
  if (inline_adam_) inline_adam_->step(lr);
}

void AdaRound::flush_update() const {
  if (inline_adam_) inline_adam_->flush();
}

torch::Tensor AdaRound::h() const {
  flush_update();
  return torch::clamp(torch::sigmoid(current_v()) * (options_.zeta - options_.gamma) + options_.gamma, 0.0, 1.0);
}

torch::Tensor AdaRound::regularizer(double beta) const {
  auto r = 1.0 - torch::pow((h() - 0.5).abs() * 2.0, beta);
  return torch::where(valid_, r, torch::zeros_like(r)).sum();
}

namespace {

// s·(clamp(base + up + z, qmin, qmax) − z) with base = ⌊x/s⌋ unless a frozen floor is given:
// the grid both the soft and the decided rounding map to.
torch::Tensor learned_grid(const torch::Tensor& xg, const torch::Tensor& fixed_floor, const torch::Tensor& up,
                           const torch::Tensor& scale, const torch::Tensor& zero_point, const QuantSpec& spec) {
  PTQ_INTERNAL_ASSERT(xg.sizes() == up.sizes(), "learned rounding for shape [{}] applied to [{}]",
                      fmt::join(up.sizes(), ", "), fmt::join(xg.sizes(), ", "));
  auto s = scale.unsqueeze(-1);
  auto z = zero_point.unsqueeze(-1);
  torch::Tensor base = fixed_floor.defined() ? fixed_floor : torch::floor(xg.detach() / s.detach());
  auto q = torch::clamp(base + up + z, static_cast<double>(spec.qmin()), static_cast<double>(spec.qmax()));
  return (q - z) * s;
}

}  // namespace

torch::Tensor AdaRound::fake_quant(const torch::Tensor& xg, const torch::Tensor& scale,
                                   const torch::Tensor& zero_point, const QuantSpec& spec) {
  if (soft_ && v_override_.defined()) {
    auto h = torch::clamp(torch::sigmoid(v_override_) * (options_.zeta - options_.gamma) + options_.gamma, 0.0, 1.0);
    return learned_grid(xg, options_.fixed_floor ? floor_ : torch::Tensor(), h, scale, zero_point, spec);
  }
  if (soft_ && a1_.defined())
    return learned_grid(xg, options_.fixed_floor ? floor_ : torch::Tensor(), h(), scale, zero_point, spec);
  if (soft_ && adaround_fused_supported(xg)) {
    auto [out, reg] = adaround_soft_fused(v_, xg, options_.fixed_floor ? floor_ : torch::Tensor(), scale, zero_point,
                                          spec, options_, reg_beta_, inline_adam_);
    last_reg_ = reg;
    last_reg_beta_ = reg_beta_;
    return out;
  }
  flush_update();
  torch::Tensor up = soft_ ? h() : (current_v().detach() >= 0).to(xg.scalar_type());
  return learned_grid(xg, options_.fixed_floor ? floor_ : torch::Tensor(), up, scale, zero_point, spec);
}

torch::Tensor AdaRound::take_regularizer(double beta) {
  torch::Tensor r = last_reg_.defined() && last_reg_beta_ == beta ? last_reg_ : regularizer(beta);
  last_reg_ = torch::Tensor();
  return r;
}

std::shared_ptr<RoundingPolicy> AdaRound::hardened() const {
  flush_update();
  torch::NoGradGuard no_grad;
  return std::make_shared<HardRounding>((current_v().detach() >= 0), options_.fixed_floor ? floor_ : torch::Tensor());
}

torch::Tensor HardRounding::fake_quant(const torch::Tensor& xg, const torch::Tensor& scale,
                                       const torch::Tensor& zero_point, const QuantSpec& spec) {
  return learned_grid(xg, floor_, up_.to(xg.scalar_type()), scale, zero_point, spec);
}

double adaround_beta(int64_t t, int64_t total, const AdaRoundOptions& o) {
  const double start = o.warmup * static_cast<double>(total);
  if (static_cast<double>(t) < start) return o.beta_start;
  const double rel = (static_cast<double>(t) - start) / std::max(1e-12, static_cast<double>(total) - start);
  return o.beta_end + (o.beta_start - o.beta_end) * std::max(0.0, 1.0 - rel);
}

bool adaround_regularizer_active(int64_t t, int64_t total, const AdaRoundOptions& o) {
  return static_cast<double>(t) >= o.warmup * static_cast<double>(total);
}

double cosine_lr(double base, int64_t t, int64_t total) {
  if (total <= 0) return base;
  return base * 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(t) / static_cast<double>(total)));
}

}  // namespace ptq
