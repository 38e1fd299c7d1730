#include "framework/experiment/sqnr.h"

#include <cmath>
#include <limits>

namespace ptq {

std::vector<std::pair<std::string, double>> per_unit_sqnr(QuantModelImpl& model, const torch::Tensor& images,
                                                          int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  auto quantizers = model.quantizers();
  std::vector<QuantizerState> states;
  for (const auto& q : quantizers) states.push_back(q->state());
  const auto& units = model.units();
  std::vector<double> signal(units.size(), 0.0), noise(units.size(), 0.0);
  for (int64_t i = 0; i < images.size(0); i += batch_size) {
    auto x = images.narrow(0, i, std::min(batch_size, images.size(0) - i));
    std::vector<torch::Tensor> fp_out;
    for (auto& q : quantizers) q->set_state(QuantizerState::Off);
    auto h = x;
    for (const auto& u : units) fp_out.push_back(h = u->forward(h));
    for (size_t k = 0; k < quantizers.size(); ++k) quantizers[k]->set_state(states[k]);
    h = x;
    for (size_t u = 0; u < units.size(); ++u) {
      h = units[u]->forward(h);
      signal[u] += fp_out[u].to(torch::kDouble).pow(2).sum().item<double>();
      noise[u] += (h - fp_out[u]).to(torch::kDouble).pow(2).sum().item<double>();
    }
  }
  std::vector<std::pair<std::string, double>> out;
  for (size_t u = 0; u < units.size(); ++u) {
    const double db = noise[u] > 0 ? 10.0 * std::log10(signal[u] / noise[u]) : std::numeric_limits<double>::infinity();
    out.emplace_back(units[u]->unit_name(), db);
  }
  return out;
}

}  // namespace ptq
