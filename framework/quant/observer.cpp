#include "framework/quant/observer.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/quant/fake_quant.h"
#include "kernels/lp_search/lp_search.h"

#include <limits>

namespace ptq {
namespace {

class MinMaxObserver final : public Observer {
 public:
  void observe(const torch::Tensor& xg) override {
    auto [mn, mx] = group_min_max(xg.detach().to(torch::kFloat));
    min_ = min_.defined() ? torch::min(min_, mn) : mn;
    max_ = max_.defined() ? torch::max(max_, mx) : mx;
  }
  QParams compute(const QuantSpec& spec) const override { return qparams_from_range(min_, max_, spec); }
  bool empty() const override { return !min_.defined(); }
  void reset() override { min_ = max_ = torch::Tensor(); }

 private:
  torch::Tensor min_, max_;
};

class PercentileObserver final : public Observer {
 public:
  explicit PercentileObserver(double pct) : q_(pct / 100.0) {}
  void observe(const torch::Tensor& xg_in) override {
    auto xg = xg_in.detach().to(torch::kFloat);
    auto sorted = std::get<0>(xg.sort(-1));  // NaN padding sorts last
    auto valid = (~torch::isnan(xg)).sum(-1, /*keepdim=*/true).clamp_min(1);
    auto hi_idx = torch::round((valid - 1).to(torch::kDouble) * q_).to(torch::kLong);
    auto lo_idx = torch::round((valid - 1).to(torch::kDouble) * (1.0 - q_)).to(torch::kLong);
    auto hi = sorted.gather(-1, hi_idx).squeeze(-1), lo = sorted.gather(-1, lo_idx).squeeze(-1);
    sum_lo_ = sum_lo_.defined() ? sum_lo_ + lo : lo;
    sum_hi_ = sum_hi_.defined() ? sum_hi_ + hi : hi;
    ++count_;
  }
  QParams compute(const QuantSpec& spec) const override {
    return qparams_from_range(sum_lo_ / count_, sum_hi_ / count_, spec);
  }
  bool empty() const override { return count_ == 0; }
  void reset() override { sum_lo_ = sum_hi_ = torch::Tensor(), count_ = 0; }

 private:
  double q_;
  torch::Tensor sum_lo_, sum_hi_;
  int64_t count_ = 0;
};

// Shared by the two search observers: keeps all data, concatenated along G.
class DataKeepingObserver : public Observer {
 public:
  void observe(const torch::Tensor& xg) override { chunks_.push_back(xg.detach().to(torch::kFloat)); }
  bool empty() const override { return chunks_.empty(); }
  void reset() override { chunks_.clear(); }

 protected:
  torch::Tensor data() const { return chunks_.size() == 1 ? chunks_[0] : torch::cat(chunks_, -1); }

  // Candidates are collected, then scored together: per group the first candidate with the
  // lowest Lp score wins (the reference code's strict `<` over candidates in order).
  struct Candidates {
    std::vector<torch::Tensor> scales, zero_points;  // each [R, nG]
    void add(const QParams& q) {
      scales.push_back(q.scale.to(torch::kFloat));
      zero_points.push_back(q.zero_point.to(torch::kFloat));
    }
  };

  // Integer grids on CPU: one fused pass per block of data (kernels/lp_search); otherwise
  // (minifloat, CUDA tensors) one fake-quant + score per candidate with tensor ops.
  static QParams best_of(const torch::Tensor& xg, const Candidates& c, const QuantSpec& spec, double p) {
    auto scales = torch::stack(c.scales), zps = torch::stack(c.zero_points);  // [C, R, nG]
    const int64_t C = scales.size(0), R = xg.size(0), nG = xg.size(1);
    torch::Tensor scores;
    if (spec.format == NumberFormat::Int && xg.device().is_cpu()) {
      scores = kernels::lp_scores_cpu(xg.reshape({R * nG, xg.size(2)}), scales.reshape({C, R * nG}),
                                      zps.reshape({C, R * nG}), spec.qmin(), spec.qmax(), p)
                   .view({C, R, nG});
    } else {
      std::vector<torch::Tensor> all;
      for (int64_t i = 0; i < C; ++i) all.push_back(score_of(xg, {scales[i], zps[i]}, spec, p));
      scores = torch::stack(all);
    }
    // NaN scores (empty groups) never win; argmin returns the first minimum.
    scores = torch::nan_to_num(scores.to(torch::kDouble), std::numeric_limits<double>::infinity());
    auto best = scores.argmin(0).unsqueeze(0);  // [1, R, nG]
    return {scales.gather(0, best).squeeze(0), zps.gather(0, best).squeeze(0)};
  }

  static torch::Tensor score_of(const torch::Tensor& xg, const QParams& q, const QuantSpec& spec, double p) {
    return lp_score(xg, fake_quant_grouped(xg, q.scale, q.zero_point, spec), p);
  }

 private:
  std::vector<torch::Tensor> chunks_;
};

class MseShrinkObserver final : public DataKeepingObserver {
 public:
  explicit MseShrinkObserver(const ObserverOptions& o) : o_(o) {}
  QParams compute(const QuantSpec& spec) const override {
    torch::NoGradGuard no_grad;
    auto xg = data();
    auto [mn, mx] = group_min_max(xg);
    Candidates c;
    for (int i = 0; i < o_.steps; ++i) {
      const double f = 1.0 - o_.step * i;
      c.add(qparams_from_range(mn * f, mx * f, spec));
    }
    return best_of(xg, c, spec, o_.p);
  }

 private:
  ObserverOptions o_;
};

class MseGridObserver final : public DataKeepingObserver {
 public:
  explicit MseGridObserver(const ObserverOptions& o) : o_(o) {}
  QParams compute(const QuantSpec& spec) const override {
    torch::NoGradGuard no_grad;
    auto xg = data();
    auto [mn, mx] = group_min_max(xg);
    mn = mn.clamp_max(0.0), mx = mx.clamp_min(0.0);
    const bool two_sided = !spec.symmetric && spec.format == NumberFormat::Int && mn.lt(0).any().item<bool>();
    Candidates c;
    if (!two_sided) {
      auto range = spec.symmetric ? torch::max(mn.abs(), mx) : mx;
      for (int i = 1; i <= o_.grid_steps; ++i) {
        auto t = range * (static_cast<double>(i) / o_.grid_steps);
        c.add(qparams_from_range(spec.symmetric ? -t : torch::zeros_like(t), t, spec));
      }
      return best_of(xg, c, spec, o_.p);
    }
    // Range x zero point: scored in chunks of candidates so memory stays bounded at 8 bits.
    const int64_t levels = spec.qmax() - spec.qmin();
    Candidates winner_set;
    for (int i = 1; i <= o_.grid_steps; ++i) {
      auto width = (mx - mn) * (static_cast<double>(i) / o_.grid_steps);
      auto delta = width / static_cast<double>(levels);
      for (int64_t j = 0; j <= levels; ++j)
        c.add(qparams_from_range(-delta * static_cast<double>(j), width - delta * static_cast<double>(j), spec));
      if (c.scales.size() >= 1024 || i == o_.grid_steps) {
        winner_set.add(best_of(xg, c, spec, o_.p));
        c = Candidates();
      }
    }
    return best_of(xg, winner_set, spec, o_.p);
  }

 private:
  ObserverOptions o_;
};

}  // namespace

void ObserverOptions::validate(const std::string& where) const {
  const std::vector<std::string> kinds{"minmax", "percentile", "mse", "mse_grid"};
  PTQ_CHECK(std::find(kinds.begin(), kinds.end(), kind) != kinds.end(),
            "{}.observer: expected one of {}, got \"{}\"{}", where, join(kinds, ", "), kind, did_you_mean(kind, kinds));
  PTQ_CHECK(percentile > 50.0 && percentile <= 100.0, "{}.percentile: expected a value in (50, 100], got {}", where,
            percentile);
  PTQ_CHECK(p > 0.0, "{}.p: expected a positive exponent, got {}", where, p);
  PTQ_CHECK(steps >= 1 && step > 0.0 && step * (steps - 1) < 1.0,
            "{}: the shrink search needs steps >= 1 and 0 < step·(steps−1) < 1, got steps {} step {}", where, steps,
            step);
  PTQ_CHECK(grid_steps >= 1, "{}.grid_steps: expected a positive integer, got {}", where, grid_steps);
}

std::unique_ptr<Observer> make_observer(const ObserverOptions& o) {
  if (o.kind == "minmax") return std::make_unique<MinMaxObserver>();
  if (o.kind == "percentile") return std::make_unique<PercentileObserver>(o.percentile);
  if (o.kind == "mse") return std::make_unique<MseShrinkObserver>(o);
  if (o.kind == "mse_grid") return std::make_unique<MseGridObserver>(o);
  o.validate("observer");
  PTQ_INTERNAL_ASSERT(false, "observer kind '{}' validated but not constructed", o.kind);
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> observer_descriptions() {
  return {
      {"minmax", "running min/max of the calibration data"},
      {"percentile", "mean per-batch percentile range (default 99.99%)"},
      {"mse", "Lp (p=2.4) search shrinking both range ends (BRECQ: 80 steps of 1%)"},
      {"mse_grid", "Lp (p=2.4) 2-D search over range x zero point (QDrop)"},
  };
}

torch::Tensor lp_score(const torch::Tensor& xg, const torch::Tensor& xq, double p) {
  auto err = (xg - xq).abs().pow(p);
  return torch::nanmean(err, std::vector<int64_t>{-1});
}

}  // namespace ptq
