// ReduceLROnPlateau as PyTorch's default (mode min, relative threshold 1e-4, no cooldown):
// after more than `patience` steps without a new best loss, the learning rate is multiplied
// by `factor` (not below min_lr). PD-Quant's distribution correction (factor 0.1, min 1e-5)
// and MetaAug's transformation-net optimiser (factor 0.95) step it once per iteration.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace ptq {

class PlateauLr {
 public:
  PlateauLr(double lr, int64_t patience, double factor, double min_lr = 0.0)
      : lr_(lr), factor_(factor), min_lr_(min_lr), patience_(patience) {}
  // Records this step's loss; returns the learning rate for the next step.
  double step(double loss) {
    if (loss < best_ * (1.0 - 1e-4)) {
      best_ = loss;
      bad_ = 0;
    } else if (++bad_ > patience_) {
      lr_ = std::max(lr_ * factor_, min_lr_);
      bad_ = 0;
    }
    return lr_;
  }
  double lr() const { return lr_; }

 private:
  double lr_, factor_, min_lr_, best_ = std::numeric_limits<double>::infinity();
  int64_t patience_, bad_ = 0;
};

}  // namespace ptq
