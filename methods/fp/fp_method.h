// fp — the floating-point baseline: leaves every quantiser Off. No options.
#pragma once

#include "framework/method/method.h"

namespace ptq::methods {

class FpMethod final : public Method {
 public:
  std::string name() const override { return "fp"; }
  bool quantizes() const override { return false; }
  void apply(MethodContext& ctx) override;
  static std::unique_ptr<Method> from_config(const config::Section& section);
};

}  // namespace ptq::methods
