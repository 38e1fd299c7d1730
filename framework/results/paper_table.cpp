#include "framework/results/paper_table.h"

#include "framework/core/check.h"
#include "framework/core/statistics.h"
#include "framework/core/strings.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace ptq {
namespace {

std::string key_of(const ResultRow& row, const std::vector<std::string>& fields) {
  std::vector<std::string> parts;
  for (const auto& f : fields) parts.push_back(field_text(row, f));
  return join(parts, " / ");
}

// `order` first (those present), then the rest sorted.
std::vector<std::string> ordered(const std::set<std::string>& present, const std::vector<std::string>& order) {
  std::vector<std::string> out;
  for (const auto& k : order)
    if (present.count(k)) out.push_back(k);
  for (const auto& k : present)
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  return out;
}

std::string latex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': case '%': case '$': case '#': case '_': case '{': case '}': out += std::string("\\") + c; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '\\': out += "\\textbackslash{}"; break;
      default: out += c;
    }
  }
  return out;
}

int arrow(const TableCell& c, double alpha) {
  if (!c.vs_baseline || !c.vs_baseline->valid || c.vs_baseline->p >= alpha) return 0;
  return c.vs_baseline->delta > 0 ? 1 : -1;
}

// Markdown cells: a '|' would end the cell.
std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

std::string PaperTable::row_label(size_t r) const {
  const auto it = spec.row_labels.find(row_keys[r]);
  return it == spec.row_labels.end() ? row_keys[r] : it->second;
}

std::string PaperTable::column_label(size_t c) const {
  const auto it = spec.column_labels.find(column_keys[c]);
  return it == spec.column_labels.end() ? column_keys[c] : it->second;
}

bool PaperTable::column_has_paper(size_t c) const {
  for (const auto& row : cells)
    if (row[c].paper) return true;
  return false;
}

PaperTable build_table(const TableSpec& spec, const std::vector<ResultRow>& rows) {
  PaperTable t;
  t.spec = spec;
  PTQ_CHECK(!rows.empty(), "table {}: no results match the filter {}; check the store ({}) with ptq results", spec.file,
            spec.filter.empty() ? std::string("(none)") : nlohmann::json(spec.filter).dump(), spec.store);
  const auto fields = result_fields(rows);
  for (const auto& f : spec.rows)
    PTQ_CHECK(std::find(fields.begin(), fields.end(), f) != fields.end(), "table {}: rows: no field '{}'{}", spec.file,
              f, did_you_mean(f, fields));
  for (const auto& f : spec.columns)
    PTQ_CHECK(std::find(fields.begin(), fields.end(), f) != fields.end(), "table {}: columns: no field '{}'{}",
              spec.file, f, did_you_mean(f, fields));
  std::set<std::string> row_set, column_set;
  std::map<std::pair<std::string, std::string>, std::vector<double>> values;
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> cell_seeds;  // seed -> hash
  std::set<std::pair<std::string, std::string>> seen;  // (run hash, variant): a run in two sweeps counts once
  std::map<std::string, std::map<std::string, double>> fp_by_run;  // column -> run hash -> FP value
  for (const auto& r : rows) {
    PTQ_CHECK(r.contains(spec.metric) && (r[spec.metric].is_number() || r[spec.metric].is_null()),
              "table {}: metric '{}' is not a numeric field{}", spec.file, spec.metric,
              did_you_mean(spec.metric, fields));
    if (!r[spec.metric].is_number()) continue;
    if (!seen.insert({field_text(r, "hash"), field_text(r, "variant")}).second) continue;
    const auto rk = key_of(r, spec.rows), ck = key_of(r, spec.columns);
    // A cell averages seeds: two different runs with one seed mean another field varies.
    const auto [it, fresh] = cell_seeds[{rk, ck}].emplace(field_text(r, "seed"), field_text(r, "hash"));
    PTQ_CHECK(fresh || it->second == field_text(r, "hash"),
              "table {}: cell ({}, {}) has two different runs with seed {} (hashes {} and {}); another field varies "
              "between them: add it to `rows`/`columns` or to `filter` (ptq results --filter ... --format csv shows "
              "the fields)",
              spec.file, rk, ck, it->first, it->second.substr(0, 16), field_text(r, "hash").substr(0, 16));
    row_set.insert(rk);
    column_set.insert(ck);
    values[{rk, ck}].push_back(r[spec.metric].get<double>());
    if (r.contains("fp_top1") && r["fp_top1"].is_number()) fp_by_run[ck][field_text(r, "hash")] = r["fp_top1"].get<double>();
  }
  t.row_keys = ordered(row_set, spec.row_order);
  t.column_keys = ordered(column_set, spec.column_order);
  // Keys of the spec that name no row or column are typos: a paper number would silently vanish.
  const auto check_keys = [&](const std::string& what, const std::vector<std::string>& keys, bool columns) {
    const auto& known = columns ? t.column_keys : t.row_keys;
    for (const auto& k : keys)
      PTQ_CHECK(std::find(known.begin(), known.end(), k) != known.end(),
                "table {}: {} names '{}', which is no {} of the results ({}){}", spec.file, what, k,
                columns ? "column" : "row", join(known, ", "), did_you_mean(k, known));
  };
  const auto keys_of = [](const std::map<std::string, std::string>& m) {
    std::vector<std::string> out;
    for (const auto& kv : m) out.push_back(kv.first);
    return out;
  };
  check_keys("row_order", spec.row_order, false);
  check_keys("column_order", spec.column_order, true);
  check_keys("row_labels", keys_of(spec.row_labels), false);
  check_keys("column_labels", keys_of(spec.column_labels), true);
  for (const auto& [row, cols] : spec.paper) {
    check_keys("paper", {row}, false);
    std::vector<std::string> ck;
    for (const auto& kv : cols) ck.push_back(kv.first);
    check_keys("paper." + row, ck, true);
  }
  if (!spec.baseline.empty())
    PTQ_CHECK(row_set.count(spec.baseline), "table {}: the baseline row '{}' has no results (rows: {}){}", spec.file,
              spec.baseline, join(t.row_keys, ", "), did_you_mean(spec.baseline, t.row_keys));
  t.cells.assign(t.row_keys.size(), std::vector<TableCell>(t.column_keys.size()));
  for (size_t r = 0; r < t.row_keys.size(); ++r)
    for (size_t c = 0; c < t.column_keys.size(); ++c) {
      auto& cell = t.cells[r][c];
      const auto it = values.find({t.row_keys[r], t.column_keys[c]});
      if (it != values.end()) cell.values = it->second;
      cell.mean = mean(cell.values);
      cell.stddev = sample_stddev(cell.values);
      t.max_seeds = std::max(t.max_seeds, cell.values.size());
      const auto pr = spec.paper.find(t.row_keys[r]);
      if (pr != spec.paper.end() && pr->second.count(t.column_keys[c])) cell.paper = pr->second.at(t.column_keys[c]);
    }
  for (size_t c = 0; c < t.column_keys.size(); ++c) {
    // Best: the extreme mean at the displayed precision (ties are all bold).
    const double scale = std::pow(10.0, spec.decimals);
    std::optional<double> best;
    for (const auto& row : t.cells)
      if (!row[c].values.empty()) {
        const double v = std::round(row[c].mean * scale);
        if (!best || (spec.higher_is_better ? v > *best : v < *best)) best = v;
      }
    for (auto& row : t.cells)
      row[c].best = !row[c].values.empty() && best && std::round(row[c].mean * scale) == *best;
    if (!spec.baseline.empty()) {
      const size_t b = std::find(t.row_keys.begin(), t.row_keys.end(), spec.baseline) - t.row_keys.begin();
      for (size_t r = 0; r < t.row_keys.size(); ++r)
        if (r != b && !t.cells[r][c].values.empty() && !t.cells[b][c].values.empty())
          t.cells[r][c].vs_baseline = welch_t_test(t.cells[r][c].values, t.cells[b][c].values);
    }
    std::vector<double> fp;
    for (const auto& [hash, v] : fp_by_run[t.column_keys[c]]) fp.push_back(v);
    t.fp.push_back(spec.fp_row && !fp.empty() ? std::optional<double>(mean(fp)) : std::nullopt);
  }
  return t;
}

std::string table_markdown(const PaperTable& t) {
  const int d = t.spec.decimals;
  std::string head = "| " + md_escape(join(t.spec.rows, " / ")), rule = "|---";
  for (size_t c = 0; c < t.column_keys.size(); ++c) {
    head += " | " + md_escape(t.column_label(c));
    rule += "|---:";
    if (t.column_has_paper(c)) {
      head += " | " + md_escape(t.column_label(c)) + " (paper)";
      rule += "|---:";
    }
  }
  std::string out = t.spec.title.empty() ? "" : "**" + t.spec.title + "**\n\n";
  out += head + " |\n" + rule + "|\n";
  if (t.spec.fp_row) {
    out += "| FP";
    for (size_t c = 0; c < t.column_keys.size(); ++c) {
      out += " | " + (t.fp[c] ? fmt::format("{:.{}f}", *t.fp[c], d) : std::string("–"));
      if (t.column_has_paper(c)) out += " | ";
    }
    out += " |\n";
  }
  for (size_t r = 0; r < t.row_keys.size(); ++r) {
    out += "| " + md_escape(t.row_label(r));
    for (size_t c = 0; c < t.column_keys.size(); ++c) {
      const auto& cell = t.cells[r][c];
      std::string s = "–";
      if (!cell.values.empty()) {
        const std::string m = fmt::format("{:.{}f}", cell.mean, d);
        s = (cell.best ? "**" + m + "**" : m) + fmt::format(" ± {:.{}f}", cell.stddev, d);
        if (cell.values.size() != t.max_seeds) s += fmt::format(" (n={})", cell.values.size());
        const int a = arrow(cell, t.spec.alpha);
        if (a) s += a > 0 ? " ↑" : " ↓";
      }
      out += " | " + s;
      if (t.column_has_paper(c)) out += " | " + (cell.paper ? fmt::format("{:.{}f}", *cell.paper, d) : std::string());
    }
    out += " |\n";
  }
  out += fmt::format("\n{} mean ± std over {} seeds; bold: best per column", t.spec.metric, t.max_seeds);
  if (!t.spec.baseline.empty())
    out += fmt::format("; ↑/↓: higher/lower than {} at p < {} (Welch's t-test over seeds)",
                       t.spec.row_labels.count(t.spec.baseline) ? t.spec.row_labels.at(t.spec.baseline) : t.spec.baseline,
                       t.spec.alpha);
  return out + ".\n";
}

std::string table_latex(const PaperTable& t) {
  const int d = t.spec.decimals;
  size_t ncols = 0;
  std::string head = latex_escape(join(t.spec.rows, " / "));
  for (size_t c = 0; c < t.column_keys.size(); ++c) {
    head += " & " + latex_escape(t.column_label(c));
    ++ncols;
    if (t.column_has_paper(c)) {
      head += " & " + latex_escape(t.column_label(c)) + " (paper)";
      ++ncols;
    }
  }
  std::string out = "% Written by ptq table; needs \\usepackage{booktabs}.\n\\begin{table}[t]\n\\centering\n";
  if (!t.spec.title.empty()) out += "\\caption{" + latex_escape(t.spec.title) + "}\n";
  out += "\\begin{tabular}{l" + std::string(ncols, 'r') + "}\n\\toprule\n" + head + " \\\\\n\\midrule\n";
  if (t.spec.fp_row) {
    out += "FP";
    for (size_t c = 0; c < t.column_keys.size(); ++c) {
      out += " & " + (t.fp[c] ? fmt::format("{:.{}f}", *t.fp[c], d) : std::string("--"));
      if (t.column_has_paper(c)) out += " & ";
    }
    out += " \\\\\n\\midrule\n";
  }
  for (size_t r = 0; r < t.row_keys.size(); ++r) {
    out += latex_escape(t.row_label(r));
    for (size_t c = 0; c < t.column_keys.size(); ++c) {
      const auto& cell = t.cells[r][c];
      std::string s = "--";
      if (!cell.values.empty()) {
        const std::string m = fmt::format("{:.{}f}", cell.mean, d);
        s = "$" + (cell.best ? "\\mathbf{" + m + "}" : m) + fmt::format(" \\pm {:.{}f}", cell.stddev, d);
        const int a = arrow(cell, t.spec.alpha);
        if (a) s += a > 0 ? "^{\\uparrow}" : "^{\\downarrow}";
        s += "$";
        if (cell.values.size() != t.max_seeds) s += fmt::format(" (n={})", cell.values.size());
      }
      out += " & " + s;
      if (t.column_has_paper(c)) out += " & " + (cell.paper ? fmt::format("{:.{}f}", *cell.paper, d) : std::string());
    }
    out += " \\\\\n";
  }
  out += "\\bottomrule\n\\end{tabular}\n";
  out += fmt::format("\\par\\smallskip{{\\footnotesize {} mean $\\pm$ std over {} seeds; bold: best per column",
                     latex_escape(t.spec.metric), t.max_seeds);
  if (!t.spec.baseline.empty())
    out += fmt::format("; $\\uparrow$/$\\downarrow$: higher/lower than {} at $p < {}$ (Welch's $t$-test)",
                       latex_escape(t.spec.row_labels.count(t.spec.baseline) ? t.spec.row_labels.at(t.spec.baseline)
                                                                             : t.spec.baseline),
                       t.spec.alpha);
  return out + ".}\n\\end{table}\n";
}

std::string table_csv(const PaperTable& t) {
  std::string out = "row,column,n,mean,std,best,delta_vs_baseline,p_vs_baseline,paper\n";
  for (size_t r = 0; r < t.row_keys.size(); ++r)
    for (size_t c = 0; c < t.column_keys.size(); ++c) {
      const auto& cell = t.cells[r][c];
      if (cell.values.empty()) continue;
      const auto& w = cell.vs_baseline;
      out += fmt::format("{},{},{},{:.6g},{:.6g},{},{},{},{}\n", csv_field(t.row_label(r)), csv_field(t.column_label(c)),
                         cell.values.size(), cell.mean, cell.stddev, cell.best ? 1 : 0,
                         w ? fmt::format("{:.6g}", w->delta) : std::string(),
                         w && w->valid ? fmt::format("{:.6g}", w->p) : std::string(),
                         cell.paper ? fmt::format("{:.6g}", *cell.paper) : std::string());
    }
  return out;
}

}  // namespace ptq
