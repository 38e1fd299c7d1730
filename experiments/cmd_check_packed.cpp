// ptq check-packed RUN_DIR [--variant NAME] [--samples N] — runs each quantised model of a run
// in fake-quant and packed form on the same test images and reports weight, per-layer and
// logit errors and top-1 agreement (framework/deploy/check_packed.h). Exit status 1 when a
// variant fails. Uses RUN_DIR/packed/<variant>.safetensors when `ptq export` wrote it, else
// exports in memory.
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/core/check.h"
#include "framework/core/runtime.h"
#include "framework/deploy/check_packed.h"
#include "framework/experiment/sources.h"
#include "framework/io/atomic_file.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <numeric>

namespace ptq::cli {

int cmd_check_packed(const Argv& argv) {
  const auto a = parse_args("check-packed", argv, {{"variant", "samples", "batch-size", "threads"}, {}, {}});
  if (a.flag("help") || a.positional.size() != 1) {
    std::cout << "usage: ptq check-packed RUN_DIR [--variant NAME] [--samples N] [--batch-size B] [--threads N]\n\n"
                 "Runs each quantised model of the run in its fake-quant form and its packed form on the\n"
                 "first N test images (default 1000) and reports the error of every layer's weight and\n"
                 "output, the logits' max abs and relative error and top-1 agreement. Fails (exit 1) when\n"
                 "the weights differ, the relative logit error exceeds the packed format's tolerance or a\n"
                 "top-1 disagreement is not a near tie. Writes RUN_DIR/packed/check-<variant>.json.\n";
    return a.flag("help") ? 0 : 2;
  }
  configure_threads(std::stoi(a.value("threads", "0")));
  const std::string run_dir = a.positional[0];
  const int64_t samples = std::stoll(a.value("samples", "1000"));
  const int64_t batch = std::stoll(a.value("batch-size", "256"));
  PTQ_CHECK(samples > 0 && batch > 0, "--samples and --batch-size must be positive");
  bool all_passed = true;
  for (const auto& v : selected_variants(run_dir, a.value("variant"))) {
    auto fq = load_quantized_model(quantized_model_path(run_dir, v));
    const auto packed_path = packed_model_path(run_dir, v);
    const bool from_file = std::filesystem::exists(packed_path);
    const auto packed = from_file ? load_packed_model(packed_path)
                                  : packed_model_from_export(export_packed(*fq.model, fq.info), "in-memory export");
    const auto data = load_datasets(fq.spec);
    const int64_t n = std::min(samples, data.test->size());
    std::vector<int64_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    const auto images = data.test->batch(idx).first;
    const auto c = check_packed(*fq.model, packed, images, batch);
    std::cout << fmt::format("== {} ({}; packed model from {})\n", fq.info.variant, fq.spec.model.arch,
                             from_file ? packed_path : "an in-memory export")
              << c.report();
    std::filesystem::create_directories(std::filesystem::path(packed_path).parent_path());
    auto j = c.to_json();
    j["variant"] = fq.info.variant;
    j["packed_source"] = from_file ? packed_path : "in-memory export";
    io::write_file_atomic((std::filesystem::path(packed_path).parent_path() / ("check-" + v + ".json")).string(),
                          j.dump(2) + "\n");
    all_passed = all_passed && c.passed;
  }
  return all_passed ? 0 : 1;
}

}  // namespace ptq::cli
