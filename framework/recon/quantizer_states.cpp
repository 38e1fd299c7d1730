#include "framework/recon/quantizer_states.h"

namespace ptq {

QuantizerStateGuard::QuantizerStateGuard(const std::vector<Quantizer>& quantizers, QuantizerState state) {
  for (auto q : quantizers) {
    if (!q->configured()) continue;
    saved_.emplace_back(q, q->state());
    q->set_state(state);
  }
}

QuantizerStateGuard::~QuantizerStateGuard() {
  for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) it->first->set_state(it->second);
}

}  // namespace ptq
