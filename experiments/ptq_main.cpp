// `ptq` — the command-line runner. Dispatches to a subcommand and turns errors into
// messages: user errors (bad config, missing file, wrong shape) exit with status 2 and
// one clear message; internal errors and LibTorch failures exit with status 3.
#include "experiments/commands.h"
#include "framework/core/check.h"
#include "framework/core/strings.h"

#include <c10/util/Exception.h>

#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>

namespace {

void usage() {
  std::cout << "ptq — post-training quantisation by reconstruction\n\n"
               "usage: ptq <command> [options]   (ptq <command> --help for details)\n\n"
               "commands:\n"
               "  run      CONFIG   quantise and evaluate a model as the config says (the main job)\n"
               "  train    CONFIG   train the config's FP model and write safetensors weights\n"
               "  eval     CONFIG   FP top-1, loss and throughput of the config's model\n"
               "  predict  CONFIG   logits for an input tensor (to compare with PyTorch)\n"
               "  embed    DIR      sentence embeddings of a BERT-style encoder folder (e.g. all-MiniLM-L6-v2)\n"
               "  list     [TOPIC]  models, methods, observers and number formats\n"
               "  summarize PATH... mean ± std over repeated runs (seeds) as a Markdown table\n"
               "  sweep    SWEEP    a grid of runs over config keys and seeds, resumable\n"
               "  results           query the results store (and --collect run folders into it)\n"
               "  table    TABLE    a paper table (Markdown, LaTeX, CSV) from the results store\n"
               "  plot     TABLE    metric versus bit width per method; --run RUN_DIR: per-unit diagnostics\n"
               "  export   RUN_DIR  pack a run's quantised models into low-bit weights (safetensors)\n"
               "  check-packed RUN_DIR  packed vs fake-quant: weights, per-layer outputs, logits, top-1\n";
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write then fails with EFBIG, which ptq reports like a
  // full disk, instead of the default SIGXFSZ killing the process mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  const std::vector<std::string> full(argv, argv + argc);
  if (argc < 2 || full[1] == "--help" || full[1] == "-h" || full[1] == "help") {
    usage();
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = full[1];
  const std::vector<std::string> rest(full.begin() + 2, full.end());
  try {
    if (cmd == "run") return ptq::cli::cmd_run(rest, full);
    if (cmd == "train") return ptq::cli::cmd_train(rest, full);
    if (cmd == "eval") return ptq::cli::cmd_eval(rest);
    if (cmd == "predict") return ptq::cli::cmd_predict(rest);
    if (cmd == "embed") return ptq::cli::cmd_embed(rest);
    if (cmd == "list") return ptq::cli::cmd_list(rest);
    if (cmd == "summarize") return ptq::cli::cmd_summarize(rest);
    if (cmd == "sweep") return ptq::cli::cmd_sweep(rest);
    if (cmd == "results") return ptq::cli::cmd_results(rest);
    if (cmd == "table") return ptq::cli::cmd_table(rest);
    if (cmd == "plot") return ptq::cli::cmd_plot(rest);
    if (cmd == "export") return ptq::cli::cmd_export(rest);
    if (cmd == "check-packed") return ptq::cli::cmd_check_packed(rest);
    std::cerr << "error: unknown command '" << cmd << "'"
              << ptq::did_you_mean(cmd, {"run", "train", "eval", "predict", "embed", "list", "summarize", "sweep", "results", "table", "plot", "export", "check-packed"}) << "; see 'ptq --help'\n";
    return 2;
  } catch (const ptq::UserError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const ptq::InternalError& e) {
    std::cerr << e.what() << "\n";
    return 3;
  } catch (const c10::Error& e) {
    std::cerr << "LibTorch error: " << e.what_without_backtrace() << "\n";
    return 3;
  } catch (const std::filesystem::filesystem_error& e) {  // a path the user gave or a folder ptq writes
    std::cerr << "error: " << e.what() << "; check that the path exists and is readable/writable\n";
    return 2;
  } catch (const nlohmann::json::exception& e) {  // a damaged JSON file (metrics.json, env.json, ...)
    std::cerr << "error: invalid or unexpected JSON: " << e.what()
              << "; a run folder may be damaged (move it away or rerun it)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 3;
  }
}
