#include "tests/fuzz/fuzz_targets.h"

#include "framework/config/config.h"
#include "framework/core/check.h"
#include "framework/data/idx.h"
#include "framework/deploy/packed_model.h"
#include "framework/experiment/experiment_spec.h"
#include "framework/io/safetensors.h"
#include "framework/method/method.h"
#include "framework/results/table_spec.h"
#include "framework/sweep/sweep_spec.h"

#include <c10/util/Exception.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace ptq::fuzz {
namespace {

std::string text(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// The loaders that read files get the bytes through a file in /dev/shm (or /tmp).
std::string as_file(const uint8_t* data, size_t size, const char* suffix) {
  static const std::string dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  const std::string path = dir + "/ptq-fuzz-" + std::to_string(getpid()) + suffix;
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

void config_target(const uint8_t* data, size_t size) {
  register_builtin_methods();
  const auto cfg = config::Config::from_string(text(data, size), "fuzz.yaml");
  spec_from_config(cfg);
}

void safetensors_target(const uint8_t* data, size_t size) { io::safetensors_from_bytes(text(data, size), "fuzz"); }

void idx_target(const uint8_t* data, size_t size) { data::read_idx(as_file(data, size, ".idx")); }

void packed_target(const uint8_t* data, size_t size) {
  register_builtin_methods();
  const auto file = io::safetensors_from_bytes(text(data, size), "fuzz");
  PackedExport e;
  e.tensors = file.tensors;
  e.metadata = file.metadata;
  const auto pm = packed_model_from_export(e, "fuzz");
  torch::NoGradGuard no_grad;
  const auto& s = pm.loaded.model->input_shape();
  pm.loaded.model->forward(torch::zeros({1, s[0], s[1], s[2]}));
}

// "@SRC@" in a sweep stands for the source tree, so the seeds can name the shipped configs.
std::string with_source_dir(std::string s) {
  for (size_t at = s.find("@SRC@"); at != std::string::npos; at = s.find("@SRC@", at)) s.replace(at, 5, PTQ_SOURCE_DIR);
  return s;
}

void sweep_target(const uint8_t* data, size_t size) {
  register_builtin_methods();
  const auto yaml = with_source_dir(text(data, size));
  load_sweep(as_file(reinterpret_cast<const uint8_t*>(yaml.data()), yaml.size(), ".sweep.yaml"));
}

void table_target(const uint8_t* data, size_t size) { load_table_spec(as_file(data, size, ".table.yaml")); }

}  // namespace

const std::vector<NamedTarget>& targets() {
  static const std::vector<NamedTarget> all{{"config", &config_target},   {"safetensors", &safetensors_target},
                                            {"idx", &idx_target},         {"packed", &packed_target},
                                            {"sweep", &sweep_target},     {"table", &table_target}};
  return all;
}

void run_one(Target target, const uint8_t* data, size_t size) {
  try {
    target(data, size);
  } catch (const UserError&) {
    // The expected outcome for bad input.
  } catch (const InternalError& e) {
    std::fprintf(stderr, "fuzz finding: internal error: %s\n", e.what());
    std::abort();
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "fuzz finding: LibTorch error escaped: %s\n", e.what());
    std::abort();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz finding: unexpected exception: %s\n", e.what());
    std::abort();
  }
}

}  // namespace ptq::fuzz
