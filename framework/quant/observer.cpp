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

// Shared by the two search observers. Two ways to be fed:
//  - keeping (default): every batch is kept; compute() builds the candidates from the data's
//    range and scores them all (weights: one tensor, calibrated at once);
//  - streaming (set_streaming): the first pass over the data keeps only the range per group;
//    next_pass() builds the candidates from it; the second pass adds every batch's Lp error
//    sums per candidate; compute() picks the best. Memory is the score table, not the data,
//    at the price of seeing the data twice (activation calibration on 256 images).
// Either way, per group the first candidate with the lowest mean Lp error wins (the reference
// code's strict `<` over candidates in order).
class SearchObserver : public Observer {
 public:
  explicit SearchObserver(const ObserverOptions& o) : o_(o) {}

  void observe(const torch::Tensor& xg_in) override {
    torch::NoGradGuard no_grad;
    auto xg = xg_in.detach().to(torch::kFloat);
    if (!streaming_) {
      chunks_.push_back(xg);
      return;
    }
    if (!scoring_) {
      auto [mn, mx] = group_min_max(xg);
      min_ = min_.defined() ? torch::min(min_, mn) : mn;
      max_ = max_.defined() ? torch::max(max_, mx) : mx;
      return;
    }
    // Sums of |x − Q(x)|^p per candidate and group: mean · count of valid elements.
    auto scores = score_candidates(xg, cand_scales_, cand_zps_, spec_, o_.p);  // [C, R, nG], NaN when empty
    auto count = (~torch::isnan(xg)).sum(-1).to(torch::kDouble);            // [R, nG]
    auto sums = torch::nan_to_num(scores, 0.0) * count.unsqueeze(0);
    sums_ = sums_.defined() ? sums_ + sums : sums;
    counts_ = counts_.defined() ? counts_ + count : count;
  }

  bool empty() const override { return streaming_ ? !min_.defined() : chunks_.empty(); }
  void reset() override {
    chunks_.clear();
    min_ = max_ = sums_ = counts_ = cand_scales_ = cand_zps_ = torch::Tensor();
    scoring_ = false;
  }
  void set_streaming(bool streaming) override {
    reset();
    streaming_ = streaming;
  }
  bool wants_another_pass() const override { return streaming_ && !scoring_; }
  void next_pass(const QuantSpec& spec) override {
    PTQ_INTERNAL_ASSERT(streaming_ && !scoring_ && min_.defined(), "search observer: next_pass out of order");
    Candidates c = candidates(min_, max_, spec);
    cand_scales_ = torch::stack(c.scales);
    cand_zps_ = torch::stack(c.zero_points);
    spec_ = spec;
    scoring_ = true;
  }

  QParams compute(const QuantSpec& spec) const override {
    torch::NoGradGuard no_grad;
    if (streaming_) {
      PTQ_INTERNAL_ASSERT(scoring_ && sums_.defined(), "search observer: compute before the scoring pass");
      return pick(sums_ / counts_.unsqueeze(0), cand_scales_, cand_zps_);
    }
    auto xg = chunks_.size() == 1 ? chunks_[0] : torch::cat(chunks_, -1);
    auto [mn, mx] = group_min_max(xg);
    Candidates c = candidates(mn, mx, spec);
    // Scored in chunks of candidates (a 2-D grid at 8 bits has 25,600) so that the score
    // table stays small; the chunk winners are then compared.
    const int64_t per_chunk = 1024;
    if (static_cast<int64_t>(c.scales.size()) <= per_chunk) return best_of(xg, c, spec);
    Candidates winners;
    for (size_t b = 0; b < c.scales.size(); b += per_chunk) {
      Candidates part;
      for (size_t i = b; i < std::min(c.scales.size(), b + per_chunk); ++i) part.add({c.scales[i], c.zero_points[i]});
      winners.add(best_of(xg, part, spec));
    }
    return best_of(xg, winners, spec);
  }

 protected:
  struct Candidates {
    std::vector<torch::Tensor> scales, zero_points;  // each [R, nG]
    void add(const QParams& q) {
      scales.push_back(q.scale.to(torch::kFloat));
      zero_points.push_back(q.zero_point.to(torch::kFloat));
    }
  };
  // The candidate grids for data with per-group range [mn, mx], in the reference's order.
  virtual Candidates candidates(const torch::Tensor& mn, const torch::Tensor& mx, const QuantSpec& spec) const = 0;

  ObserverOptions o_;

 private:
  QParams best_of(const torch::Tensor& xg, const Candidates& c, const QuantSpec& spec) const {
    auto scales = torch::stack(c.scales), zps = torch::stack(c.zero_points);
    return pick(score_candidates(xg, scales, zps, spec, o_.p), scales, zps);
  }

  // NaN scores (empty groups) never win; argmin returns the first minimum.
  static QParams pick(const torch::Tensor& scores_in, const torch::Tensor& scales, const torch::Tensor& zps) {
    auto scores = torch::nan_to_num(scores_in.to(torch::kDouble), std::numeric_limits<double>::infinity());
    auto best = scores.argmin(0).unsqueeze(0);  // [1, R, nG]
    return {scales.gather(0, best).squeeze(0), zps.gather(0, best).squeeze(0)};
  }

  // Mean Lp error per candidate and group, [C, R, nG] (double). Integer grids on CPU: one
  // fused pass per block of data (kernels/lp_search); otherwise (minifloat, CUDA) one
  // fake-quant + score per candidate with tensor ops.
  static torch::Tensor score_candidates(const torch::Tensor& xg, const torch::Tensor& scales, const torch::Tensor& zps,
                                        const QuantSpec& spec, double p) {
    const int64_t C = scales.size(0), R = xg.size(0), nG = xg.size(1);
    if (spec.format == NumberFormat::Int && xg.device().is_cpu())
      return kernels::lp_scores_cpu(xg.reshape({R * nG, xg.size(2)}), scales.reshape({C, R * nG}),
                                    zps.reshape({C, R * nG}), spec.qmin(), spec.qmax(), p)
          .view({C, R, nG});
    std::vector<torch::Tensor> all;
    for (int64_t i = 0; i < C; ++i)
      all.push_back(lp_score(xg, fake_quant_grouped(xg, scales[i], zps[i], spec), p).to(torch::kDouble));
    return torch::stack(all);
  }

  bool streaming_ = false, scoring_ = false;
  std::vector<torch::Tensor> chunks_;
  torch::Tensor min_, max_, sums_, counts_, cand_scales_, cand_zps_;
  QuantSpec spec_;
};

class MseShrinkObserver final : public SearchObserver {
 public:
  using SearchObserver::SearchObserver;

 protected:
  Candidates candidates(const torch::Tensor& mn, const torch::Tensor& mx, const QuantSpec& spec) const override {
    Candidates c;
    for (int i = 0; i < o_.steps; ++i) {
      const double f = 1.0 - o_.step * i;
      c.add(qparams_from_range(mn * f, mx * f, spec));
    }
    return c;
  }
};

class MseGridObserver final : public SearchObserver {
 public:
  using SearchObserver::SearchObserver;

 protected:
  Candidates candidates(const torch::Tensor& mn_in, const torch::Tensor& mx_in, const QuantSpec& spec) const override {
    auto mn = mn_in.clamp_max(0.0), mx = mx_in.clamp_min(0.0);
    const bool two_sided = !spec.symmetric && spec.format == NumberFormat::Int && mn.lt(0).any().item<bool>();
    Candidates c;
    if (!two_sided) {
      auto range = spec.symmetric ? torch::max(mn.abs(), mx) : mx;
      for (int i = 1; i <= o_.grid_steps; ++i) {
        auto t = range * (static_cast<double>(i) / o_.grid_steps);
        c.add(qparams_from_range(spec.symmetric ? -t : torch::zeros_like(t), t, spec));
      }
      return c;
    }
    // Range × zero point.
    const int64_t levels = spec.qmax() - spec.qmin();
    for (int i = 1; i <= o_.grid_steps; ++i) {
      auto width = (mx - mn) * (static_cast<double>(i) / o_.grid_steps);
      auto delta = width / static_cast<double>(levels);
      for (int64_t j = 0; j <= levels; ++j)
        c.add(qparams_from_range(-delta * static_cast<double>(j), width - delta * static_cast<double>(j), spec));
    }
    return c;
  }
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
