// Observers turn calibration data into quantisation parameters (scale, zero point) per group.
// They see data in the grouped layout [R, nG, G] (grouping.h) and may be fed several batches.
//
//   minmax      running min / max                                               (RTN baseline)
//   percentile  mean over batches of the per-group `percentile` / (100−percentile) quantiles
//   mse         Lp range search by shrinking both ends, `steps` candidates of factor
//               (1 − step·i): BRECQ uses steps 80, step 0.01; MetaAug 100, 0.01. Score =
//               mean |x − Q(x)|^p with p = 2.4 (LAPQ). Strictly better candidates win.
//   mse_grid    QDrop's search: for a two-sided tensor a 2-D grid over range (i/grid_steps
//               of max − min, i = 1..grid_steps) × every integer zero point; for a one-sided
//               or symmetric tensor a 1-D search over [0, t] / [−t, t], t = i/grid_steps of
//               the range. Cost grows as grid_steps · 2^bits passes over the data.
// The search observers (mse, mse_grid) keep what they see, unless set to streaming: then
// they need a second pass over the same data (wants_another_pass / next_pass) and keep only
// a range and a score table (activation calibration does this, observer.cpp).
#pragma once

#include "framework/quant/qparams.h"
#include "framework/quant/quant_spec.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace ptq {

struct ObserverOptions {
  std::string kind = "minmax";  // minmax | percentile | mse | mse_grid
  double percentile = 99.99;    // percentile: upper quantile in percent
  double p = 2.4;               // mse, mse_grid: exponent of the Lp score
  int steps = 80;               // mse: number of shrink candidates
  double step = 0.01;           // mse: shrink per candidate
  int grid_steps = 100;         // mse_grid: range candidates

  void validate(const std::string& where) const;
};

class Observer {
 public:
  virtual ~Observer() = default;
  // xg: grouped data [R, nG, G]; padded elements are NaN.
  virtual void observe(const torch::Tensor& xg) = 0;
  virtual QParams compute(const QuantSpec& spec) const = 0;
  virtual bool empty() const = 0;
  virtual void reset() = 0;

  // Streaming calibration (search observers): reset, then pass 1 over the data, and while
  // wants_another_pass(), next_pass(spec) followed by one more pass over the same data.
  virtual void set_streaming(bool streaming) {}
  virtual bool wants_another_pass() const { return false; }
  virtual void next_pass(const QuantSpec& spec) {}
};

std::unique_ptr<Observer> make_observer(const ObserverOptions& options);

// Names and one-line descriptions, for `ptq list`.
std::vector<std::pair<std::string, std::string>> observer_descriptions();

// Lp score per group, NaN-aware: mean over valid elements of |x − x̂|^p -> [R, nG].
torch::Tensor lp_score(const torch::Tensor& xg, const torch::Tensor& xq, double p);

}  // namespace ptq
