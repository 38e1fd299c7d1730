// ptq summarize PATH... [--out FILE.md] [--json FILE.json] [--baseline METHOD] — mean ± std over
// repeated runs, optionally with each method's difference from a baseline method (Welch's t-test).
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/core/check.h"
#include "framework/experiment/compare.h"
#include "framework/experiment/summary.h"
#include "framework/io/atomic_file.h"

#include <iostream>

namespace ptq::cli {

int cmd_summarize(const Argv& argv) {
  const auto args = parse_args("summarize", argv, ArgSpec{{"out", "json", "baseline"}, {}, {"help"}});
  if (args.flag("help") || args.positional.empty()) {
    std::cout << "usage: ptq summarize PATH... [--out FILE.md] [--json FILE.json] [--baseline METHOD]\n\n"
                 "Groups the rows of every metrics.json under PATH (run folders or files) by config and run\n"
                 "name, e.g. the seeds of one method and bit width, and prints top-1 mean ± std, Δ vs FP,\n"
                 "mean method time and peak memory as a Markdown table. With --baseline, a second table\n"
                 "gives every other method's difference from METHOD at the same run name, Welch's t-test\n"
                 "over the seeds and a verdict at p < 0.05.\n";
    return args.flag("help") ? 0 : 2;
  }
  const auto rows = summarize_runs(args.positional);
  auto md = summary_markdown(rows);
  if (!args.value("baseline").empty())
    md += "\n" + comparison_markdown(compare_to_baseline(rows, args.value("baseline")), args.value("baseline"));
  std::cout << md;
  if (!args.value("out").empty()) io::write_text_atomic(args.value("out"), md);
  if (!args.value("json").empty()) io::write_text_atomic(args.value("json"), summary_json(rows).dump(2) + "\n");
  return 0;
}

}  // namespace ptq::cli
