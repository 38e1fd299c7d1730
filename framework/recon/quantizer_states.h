// Switching quantisers for a while: the reconstruction engine runs the same model as the
// float network (all quantisers off), as the quantised prefix, and as the group being
// optimised. QuantizerStateGuard sets a list of (configured) quantisers to one state and
// restores each one's previous state when it goes out of scope.
#pragma once

#include "framework/quant/quantizer.h"

#include <utility>
#include <vector>

namespace ptq {

class QuantizerStateGuard {
 public:
  QuantizerStateGuard(const std::vector<Quantizer>& quantizers, QuantizerState state);
  ~QuantizerStateGuard();
  QuantizerStateGuard(const QuantizerStateGuard&) = delete;
  QuantizerStateGuard& operator=(const QuantizerStateGuard&) = delete;

 private:
  std::vector<std::pair<Quantizer, QuantizerState>> saved_;
};

}  // namespace ptq
