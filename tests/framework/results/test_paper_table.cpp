// ptq table on a fixture store: the exact Markdown and LaTeX a paper would paste, best-per-column
// bold (ties included), the Welch arrow against the baseline, the FP row and the paper column.
#include <catch2/catch.hpp>

#include "framework/io/atomic_file.h"
#include "framework/results/paper_table.h"
#include "framework/results/plot.h"
#include "tests/support/temp_dir.h"

#include <filesystem>

using namespace ptq;
using Json = nlohmann::json;

namespace {
// One run folder per (method, seed) with W4A4 and W2A2 rows, recorded into `store`.
void add_run(ResultsStore& store, const test::TempDir& dir, const std::string& method, int seed, double w4a4,
             double w2a2) {
  const auto folder = dir.path() / (method + std::to_string(seed));
  io::write_text_atomic((folder / "config.yaml").string(), "seed: " + std::to_string(seed) + "\nmethod: {name: " +
                                                               method + "}\n");
  Json runs = Json::array();
  runs.push_back({{"name", "W4A4"}, {"method", method}, {"top1", w4a4}});
  runs.push_back({{"name", "W2A2"}, {"method", method}, {"top1", w2a2}});
  io::write_text_atomic((folder / "metrics.json").string(),
                        Json{{"config", "fx"}, {"seed", seed}, {"fp", {{"top1", 91.0}}}, {"finished", true},
                             {"runs", runs}}.dump());
  auto run = read_run(folder.string());
  run->sweep = "fixture";
  store.record(*run);
}

PaperTable fixture_table(const test::TempDir& dir) {
  ResultsStore store(dir.file("r.sqlite"));
  add_run(store, dir, "qdrop", 1, 90.0, 85.0);
  add_run(store, dir, "qdrop", 2, 90.2, 85.5);
  add_run(store, dir, "qdrop", 3, 90.4, 86.0);
  add_run(store, dir, "pd_quant", 1, 90.1, 88.0);
  add_run(store, dir, "pd_quant", 2, 90.2, 88.2);
  add_run(store, dir, "pd_quant", 3, 90.3, 88.4);
  const auto spec = load_table_spec(dir.write("t.yaml",
                                              "title: Fixture\n"
                                              "filter: {sweep: fixture}\n"
                                              "rows: method\ncolumns: variant\n"
                                              "row_order: [qdrop, pd_quant]\ncolumn_order: [W4A4, W2A2]\n"
                                              "row_labels: {qdrop: QDrop, pd_quant: PD-Quant}\n"
                                              "fp_row: true\nbaseline: qdrop\n"
                                              "paper: {qdrop: {W2A2: 86.5}}\n"));
  return build_table(spec, store.query(spec.filter));
}
}  // namespace

TEST_CASE("paper table: Markdown for a fixture store", "[results][table]") {
  test::TempDir dir;
  const auto t = fixture_table(dir);
  CHECK(table_markdown(t) ==
        "**Fixture**\n\n"
        "| method | W4A4 | W2A2 | W2A2 (paper) |\n"
        "|---|---:|---:|---:|\n"
        "| FP | 91.00 | 91.00 |  |\n"
        "| QDrop | **90.20** ± 0.20 | 85.50 ± 0.50 | 86.50 |\n"
        "| PD-Quant | **90.20** ± 0.10 | **88.20** ± 0.20 ↑ |  |\n"
        "\n"
        "top1 mean ± std over 3 seeds; bold: best per column; ↑/↓: higher/lower than QDrop at p < 0.05 "
        "(Welch's t-test over seeds).\n");
}

TEST_CASE("paper table: LaTeX (booktabs) and CSV for a fixture store", "[results][table]") {
  test::TempDir dir;
  const auto t = fixture_table(dir);
  CHECK(table_latex(t) ==
        "% Written by ptq table; needs \\usepackage{booktabs}.\n"
        "\\begin{table}[t]\n\\centering\n\\caption{Fixture}\n\\begin{tabular}{lrrr}\n\\toprule\n"
        "method & W4A4 & W2A2 & W2A2 (paper) \\\\\n\\midrule\n"
        "FP & 91.00 & 91.00 &  \\\\\n\\midrule\n"
        "QDrop & $\\mathbf{90.20} \\pm 0.20$ & $85.50 \\pm 0.50$ & 86.50 \\\\\n"
        "PD-Quant & $\\mathbf{90.20} \\pm 0.10$ & $\\mathbf{88.20} \\pm 0.20^{\\uparrow}$ &  \\\\\n"
        "\\bottomrule\n\\end{tabular}\n"
        "\\par\\smallskip{\\footnotesize top1 mean $\\pm$ std over 3 seeds; bold: best per column; "
        "$\\uparrow$/$\\downarrow$: higher/lower than QDrop at $p < 0.05$ (Welch's $t$-test).}\n\\end{table}\n");
  const auto csv = table_csv(t);
  CHECK(csv.rfind("row,column,n,mean,std,best,delta_vs_baseline,p_vs_baseline,paper\n", 0) == 0);
  CHECK(csv.find("QDrop,W2A2,3,85.5,0.5,0,,,86.5\n") != std::string::npos);
  CHECK(csv.find("PD-Quant,W2A2,3,88.2,0.2,1,2.7,") != std::string::npos);
}

TEST_CASE("paper table: missing fields, baselines and empty filters are named", "[results][table]") {
  test::TempDir dir;
  ResultsStore store(dir.file("r.sqlite"));
  add_run(store, dir, "qdrop", 1, 90.0, 85.0);
  auto spec = load_table_spec(dir.write("t.yaml", "rows: methd\n"));
  CHECK_THROWS_WITH(build_table(spec, store.query()), Catch::Contains("no field 'methd'") && Catch::Contains("method"));
  spec = load_table_spec(dir.write("t.yaml", "baseline: brecq\n"));
  CHECK_THROWS_WITH(build_table(spec, store.query()), Catch::Contains("baseline row 'brecq' has no results"));
  spec = load_table_spec(dir.write("t.yaml", "filter: {sweep: nope}\n"));
  CHECK_THROWS_WITH(build_table(spec, store.query(spec.filter)), Catch::Contains("no results match"));
  CHECK_THROWS_WITH(load_table_spec(dir.write("t.yaml", "colums: variant\n")), Catch::Contains("unknown key 'colums'"));
  spec = load_table_spec(dir.write("t.yaml", "paper: {qdrop: {W2A3: 50.0}}\n"));
  CHECK_THROWS_WITH(build_table(spec, store.query()), Catch::Contains("paper.qdrop names 'W2A3'") &&
                                                          Catch::Contains("W2A2"));
  spec = load_table_spec(dir.write("t.yaml", "row_order: [qdorp]\n"));
  CHECK_THROWS_WITH(build_table(spec, store.query()), Catch::Contains("did you mean 'qdrop'"));
}

TEST_CASE("paper table: a run in two sweeps counts once; two runs with one seed in a cell are refused",
          "[results][table]") {
  test::TempDir dir;
  ResultsStore store(dir.file("r.sqlite"));
  add_run(store, dir, "qdrop", 1, 90.0, 85.0);
  add_run(store, dir, "qdrop", 2, 90.2, 85.5);
  for (const auto& r : store.query({{"variant", "W4A4"}})) store.add_to_sweep(r["hash"], "other", {});
  auto spec = load_table_spec(dir.write("t.yaml", "rows: method\ncolumns: variant\n"));
  auto t = build_table(spec, store.query());  // no sweep filter: each run appears under two sweeps
  CHECK(t.cells[0][0].values.size() == 2);
  CHECK(t.cells[0][0].mean == Approx(85.25));
  // A second qdrop run with seed 1 but another config (another hash) lands in the same cells.
  const auto folder = dir.path() / "qdrop1b";
  io::write_text_atomic((folder / "config.yaml").string(), "seed: 1\nmethod: {name: qdrop, p: 0.25}\n");
  io::write_text_atomic((folder / "metrics.json").string(),
                        Json{{"config", "fx"}, {"seed", 1}, {"fp", {{"top1", 91.0}}}, {"finished", true},
                             {"runs", Json::array({{{"name", "W4A4"}, {"method", "qdrop"}, {"top1", 89.0}}})}}.dump());
  store.record(*read_run(folder.string()));
  CHECK_THROWS_WITH(build_table(spec, store.query()), Catch::Contains("two different runs with seed 1"));
}

TEST_CASE("paper table: plotted with gnuplot to SVG and PNG", "[results][plot]") {
  if (!gnuplot_available()) {
    WARN("gnuplot is not installed (scripts/setup.sh installs gnuplot-nox); skipping");
    return;
  }
  test::TempDir dir;
  const auto images = plot_table(fixture_table(dir), dir.file("plots/fixture"));
  REQUIRE(images.size() == 2);
  const auto svg = io::read_file(images[0]);
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("PD-Quant") != std::string::npos);
  CHECK(io::read_file(images[1]).substr(1, 3) == "PNG");
  CHECK(std::filesystem::exists(dir.file("plots/fixture.gp")));
}
