// Catch2 main for every ptq test executable: seeds LibTorch and fixes the thread count so
// tests are deterministic and do not oversubscribe a small CI machine.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "framework/core/runtime.h"

int main(int argc, char* argv[]) {
  ptq::configure_threads(0);
  ptq::seed_everything(1234);
  return Catch::Session().run(argc, argv);
}
