// A paper table, described in YAML (experiments/tables/*.yaml) and rendered by `ptq table`:
//
//   title: Fashion-MNIST ResNet-8, top-1 (%)
//   store: runs/results.sqlite        # default; --store overrides
//   filter: {sweep: fmnist_table}     # fields that rows of the store must equal
//   rows: method                      # field(s) naming a table row (a list joins with " / ")
//   columns: variant                  # field(s) naming a column
//   metric: top1                      # the value averaged over seeds in each cell
//   row_order: [rtn, adaround, brecq, qdrop]   # optional; unlisted rows follow, sorted
//   column_order: [W4A4, W2A4, W2A2]
//   row_labels: {rtn: RTN, qdrop: QDrop}       # optional display names
//   column_labels: {}
//   fp_row: true                      # a first row with the FP model's top-1 per column
//   baseline: qdrop                   # mark cells that differ from this row (Welch's t over seeds)
//   alpha: 0.05
//   higher_is_better: true            # which way "best" (bold) points
//   decimals: 2
//   paper: {qdrop: {W4A4: 88.0}}      # published numbers: a "(paper)" column after each column that has one
//   out: experiments/tables/fmnist    # writes out.md, out.tex, out.csv (formats)
//   formats: [md, tex, csv]
//   plot: {rows: [adaround, qdrop], ymin: 85, ymax: 91}   # ptq plot / --plot: which rows, y range
//
// Paths are relative to the folder `ptq table` runs in (the repository root for the presets).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ptq {

struct TableSpec {
  std::string file, title, store, metric = "top1", baseline, out;
  std::map<std::string, std::string> filter;
  std::vector<std::string> rows = {"method"}, columns = {"variant"};
  std::vector<std::string> row_order, column_order, formats = {"md", "tex", "csv"};
  std::map<std::string, std::string> row_labels, column_labels;
  std::map<std::string, std::map<std::string, double>> paper;  // row key -> column key -> value
  bool fp_row = false, higher_is_better = true;
  double alpha = 0.05;
  int decimals = 2;
  std::vector<std::string> plot_rows;  // empty: every row
  std::optional<double> plot_ymin, plot_ymax;
};

TableSpec load_table_spec(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace ptq
