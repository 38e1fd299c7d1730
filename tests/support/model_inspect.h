// Small helpers for zoo tests: look up a state tensor's shape, count FP parameters (the
// number torchvision's docs call num_params), find a unit by name. Failures are Catch2
// assertions naming what was looked for.
#pragma once

#include "framework/nn/model.h"
#include "framework/nn/state.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

namespace ptq::test {

inline std::vector<int64_t> shape_of(const std::map<std::string, torch::Tensor>& state, const std::string& name) {
  INFO("state tensor " << name);
  REQUIRE(state.count(name));
  return state.at(name).sizes().vec();
}

inline int64_t parameter_count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.named_parameters())
    if (!is_quantizer_state(p.key())) n += p.value().numel();
  return n;
}

inline const UnitImpl& find_unit(const QuantModelImpl& m, const std::string& name) {
  const UnitImpl* found = nullptr;
  for (const auto& u : m.units())
    if (u->unit_name() == name) found = u.get();
  INFO("unit " << name);
  REQUIRE(found != nullptr);
  return *found;
}

}  // namespace ptq::test
