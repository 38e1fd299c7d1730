// Pivots results-store rows into a paper's table and renders it as Markdown, LaTeX (booktabs)
// and CSV: rows × columns of mean ± sample std over seeds, the best mean per column in bold,
// arrows where a row differs from the baseline row at p < alpha (Welch's t-test over seeds,
// ↑ higher / ↓ lower), an optional FP row and optional "(paper)" columns of published numbers.
#pragma once

#include "framework/experiment/compare.h"
#include "framework/results/results_store.h"
#include "framework/results/table_spec.h"

#include <optional>
#include <string>
#include <vector>

namespace ptq {

struct TableCell {
  std::vector<double> values;  // one per run (seed)
  double mean = 0.0, stddev = 0.0;
  bool best = false;
  std::optional<WelchTest> vs_baseline;  // set for non-baseline rows when the baseline has this column
  std::optional<double> paper;
};

struct PaperTable {
  TableSpec spec;
  std::vector<std::string> row_keys, column_keys;  // as in the store
  std::vector<std::vector<TableCell>> cells;       // [row][column]
  std::vector<std::optional<double>> fp;           // per column (fp_row)
  size_t max_seeds = 0;
  std::string row_label(size_t r) const;
  std::string column_label(size_t c) const;
  bool column_has_paper(size_t c) const;
};

PaperTable build_table(const TableSpec& spec, const std::vector<ResultRow>& rows);

std::string table_markdown(const PaperTable& t);
std::string table_latex(const PaperTable& t);
std::string table_csv(const PaperTable& t);

}  // namespace ptq
