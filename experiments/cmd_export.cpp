// ptq export RUN_DIR [--variant NAME] [--out FILE] — packs the quantised models a run saved
// (RUN_DIR/quantized/*.safetensors) into packed low-bit weights + scales
// (RUN_DIR/packed/<variant>.safetensors; layout in README "Packed export").
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/core/check.h"
#include "framework/core/runtime.h"
#include "framework/deploy/packed_model.h"
#include "framework/io/safetensors.h"
#include "kernels/pack/packed_format.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <map>

namespace ptq::cli {
namespace {

namespace fs = std::filesystem;

// "Int4 ×18, int8 ×2" style summary of the packed formats.
std::string format_mix(const PackedExport& e) {
  std::map<std::string, int> count;
  for (const auto& l : e.layers) ++count[kernels::format_traits(l.format).name];
  std::string s;
  for (const auto& [name, n] : count) s += fmt::format("{}{} ×{}", s.empty() ? "" : ", ", name, n);
  return s.empty() ? "none" : s;
}

}  // namespace

// Variants of a run to work on: all of them, or the one named (file name or variant name).
std::vector<std::string> selected_variants(const std::string& run_dir, const std::string& wanted) {
  auto names = quantized_variants(run_dir);
  if (wanted.empty()) return names;
  const auto path = quantized_model_path(run_dir, wanted);
  PTQ_CHECK(fs::exists(path), "run '{}' has no quantised variant '{}'; it has: {}", run_dir, wanted,
            fmt::join(names, ", "));
  return {fs::path(path).stem().string()};
}

int cmd_export(const Argv& argv) {
  const auto a = parse_args("export", argv, {{"variant", "out", "threads"}, {}, {}});
  if (a.flag("help") || a.positional.size() != 1) {
    std::cout << "usage: ptq export RUN_DIR [--variant NAME] [--out FILE] [--threads N]\n\n"
                 "Packs each quantised model of a run (RUN_DIR/quantized/<variant>.safetensors, written by\n"
                 "ptq run) into packed low-bit weights with their scales and zero points, written to\n"
                 "RUN_DIR/packed/<variant>.safetensors (or FILE, with one variant). Run them with\n"
                 "`ptq eval --packed FILE`, compare them with `ptq check-packed RUN_DIR`.\n";
    return a.flag("help") ? 0 : 2;
  }
  configure_threads(std::stoi(a.value("threads", "0")));
  const std::string run_dir = a.positional[0];
  const auto variants = selected_variants(run_dir, a.value("variant"));
  PTQ_CHECK(a.value("out").empty() || variants.size() == 1,
            "--out names one file but run '{}' has {} quantised variants; add --variant NAME", run_dir,
            variants.size());
  for (const auto& v : variants) {
    const auto src = quantized_model_path(run_dir, v);
    auto loaded = load_quantized_model(src);
    const auto e = export_packed(*loaded.model, loaded.info);
    const std::string out = a.value("out").empty() ? packed_model_path(run_dir, v) : a.value("out");
    if (fs::path(out).has_parent_path()) fs::create_directories(fs::path(out).parent_path());
    io::save_safetensors(out, e.tensors, e.metadata);
    int64_t packed_bytes = 0, float_bytes = 0;
    for (const auto& l : e.layers) {
      packed_bytes += l.bytes;
      int64_t numel = 1;
      for (auto d : l.shape) numel *= d;
      float_bytes += 4 * numel;
    }
    std::cout << fmt::format("{}: {} packed layers ({}), {} float layers; packed weights {:.1f} KiB vs {:.1f} KiB "
                             "float32 ({:.1f}× smaller) -> {}\n",
                             loaded.info.variant, e.layers.size(), format_mix(e), e.float_layers.size(),
                             packed_bytes / 1024.0, float_bytes / 1024.0,
                             packed_bytes ? static_cast<double>(float_bytes) / packed_bytes : 0.0, out);
  }
  return 0;
}

}  // namespace ptq::cli
