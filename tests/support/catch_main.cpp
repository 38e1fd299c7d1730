// Catch2 main for every ptq test executable: seeds LibTorch and uses one LibTorch thread
// (PTQ_TEST_THREADS overrides), because CTest already runs one test process per core and
// nested parallelism oversubscribes a small CI machine.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "framework/core/runtime.h"

#include <cstdlib>

int main(int argc, char* argv[]) {
  const char* threads = std::getenv("PTQ_TEST_THREADS");
  ptq::configure_threads(threads ? std::atoi(threads) : 1);
  ptq::seed_everything(1234);
  return Catch::Session().run(argc, argv);
}
