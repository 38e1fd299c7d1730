// libFuzzer entry of one target, chosen at compile time (-DPTQ_FUZZ_TARGET="name").
#include "tests/fuzz/fuzz_targets.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ptq::fuzz::Target target = [] {
    for (const auto& t : ptq::fuzz::targets())
      if (std::strcmp(t.name, PTQ_FUZZ_TARGET) == 0) return t.run;
    return ptq::fuzz::Target{nullptr};
  }();
  if (target) ptq::fuzz::run_one(target, data, size);
  return 0;
}
