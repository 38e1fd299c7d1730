// Fuzz targets for ptq's parsers of untrusted input (issue 9). Each takes arbitrary bytes and
// must either succeed or throw ptq::UserError (a clear message for the user); anything else —
// a crash, a sanitizer report, another exception type, a hang — is a finding.
//   config        YAML config text, loaded and validated as `ptq run` does (spec_from_config)
//   safetensors   a safetensors file
//   idx           an IDX (Fashion-MNIST) file, plain or gzip
//   packed        a packed-model file (ptq export), loaded and run on one input
//   sweep         a sweep file (ptq sweep), expanded and validated
//   table         a table spec (ptq table)
// The same functions serve libFuzzer (fuzz_entry.cpp, one executable per target, clang:
// scripts/fuzz.sh) and the corpus replay + mutation smoke run of the test suite (fuzz_smoke.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ptq::fuzz {

using Target = void (*)(const uint8_t* data, size_t size);

struct NamedTarget {
  const char* name;
  Target run;
};

// Every target, by name.
const std::vector<NamedTarget>& targets();

// Runs one input through a target: returns normally for success or a UserError; aborts with a
// message on anything else (the fuzzer's finding).
void run_one(Target target, const uint8_t* data, size_t size);

}  // namespace ptq::fuzz
