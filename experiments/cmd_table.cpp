// ptq table TABLE.yaml [--store DB] [--set key=value]... [--out BASE] [--plot] — a paper table
// from the results store, as Markdown (printed) and the spec's formats (written to BASE.*).
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/core/check.h"
#include "framework/io/atomic_file.h"
#include "framework/results/paper_table.h"
#include "framework/results/plot.h"

#include <iostream>

namespace ptq::cli {

int cmd_table(const Argv& argv) {
  const auto a = parse_args("table", argv, {{"store", "out"}, {"set"}, {"plot", "help"}});
  if (a.flag("help") || a.positional.size() != 1) {
    std::cout << "usage: ptq table TABLE.yaml [--store FILE.sqlite] [--set key=value]... [--out BASE] [--plot]\n\n"
                 "Pivots the results store into a paper's table (rows = methods, columns = bit widths, or\n"
                 "any fields; see experiments/tables/README.md): mean ± std over seeds, the best per column\n"
                 "in bold, ↑/↓ where a row differs from the baseline (Welch's t-test), optional published\n"
                 "numbers beside. Prints Markdown; writes BASE.md, BASE.tex and BASE.csv (the spec's `out`\n"
                 "and `formats`); --plot also draws BASE.svg and BASE.png with gnuplot.\n";
    return a.flag("help") ? 0 : 2;
  }
  auto spec = load_table_spec(a.positional[0], a.all("set"));
  if (!a.value("store").empty()) spec.store = a.value("store");
  if (!a.value("out").empty()) spec.out = a.value("out");
  ResultsStore store(spec.store, false);
  const auto table = build_table(spec, store.query(spec.filter));
  const auto md = table_markdown(table);
  std::cout << md;
  if (!spec.out.empty()) {
    for (const auto& f : spec.formats) {
      const std::string text = f == "md" ? md : f == "tex" ? table_latex(table) : table_csv(table);
      io::write_text_atomic(spec.out + "." + f, text);
      std::cerr << "wrote " << spec.out << "." << f << "\n";
    }
  }
  if (a.flag("plot")) {
    PTQ_CHECK(!spec.out.empty(), "--plot needs an output name: set `out:` in {} or pass --out BASE", spec.file);
    for (const auto& p : plot_table(table, spec.out)) std::cerr << "wrote " << p << "\n";
  }
  return 0;
}

}  // namespace ptq::cli
