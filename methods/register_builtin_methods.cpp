// Registers every built-in method plugin. Explicit registration (rather than static
// initialisers) survives static linking; tests check the expected names are present.
#include "framework/method/method.h"
#include "methods/fp/fp_method.h"
#include "methods/rtn/rtn_method.h"

#include <mutex>

namespace ptq {

void register_builtin_methods() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& r = method_registry();
    r.add("fp", "floating-point baseline: no quantisation", methods::FpMethod::from_config);
    r.add("rtn", "round-to-nearest with any observer, no reconstruction", methods::RtnMethod::from_config);
  });
}

}  // namespace ptq
