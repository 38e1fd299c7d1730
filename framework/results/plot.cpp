#include "framework/results/plot.h"

#include "framework/core/check.h"
#include "framework/core/process.h"
#include "framework/core/strings.h"
#include "framework/io/atomic_file.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <map>
#include <sstream>

#include <sys/wait.h>

namespace ptq {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// A gnuplot string literal (single quotes, '' for a quote).
std::string gp_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// The script body rendered twice: SVG and PNG, with the same size and font.
std::string both_terminals(const std::string& out, const std::string& body) {
  return fmt::format(
      "set terminal svg size 760,460 dynamic noenhanced font 'sans,11' background '#ffffff'\nset output {}\n{}\n"
      "set terminal pngcairo size 760,460 noenhanced font 'sans,10' background '#ffffff'\nset output {}\nreplot\n"
      "unset output\n",
      gp_quote(out + ".svg"), body, gp_quote(out + ".png"));
}

std::vector<std::string> render(const std::string& out, const std::string& data, const std::string& script) {
  PTQ_CHECK(gnuplot_available(), "plotting needs gnuplot: install Debian's gnuplot-nox (scripts/setup.sh does)");
  if (fs::path(out).has_parent_path()) fs::create_directories(fs::path(out).parent_path());
  io::write_text_atomic(out + ".dat", data);
  io::write_text_atomic(out + ".gp", script);
  const int status = std::system(("gnuplot " + shell_quote(out + ".gp") + " 2>" + shell_quote(out + ".log")).c_str());
  PTQ_CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "gnuplot failed on {}.gp; see {}.log", out,
            out);
  fs::remove(out + ".log");
  return {out + ".svg", out + ".png"};
}

}  // namespace

bool gnuplot_available() {
  static const bool available = run_command("gnuplot --version 2>&1").status == 0;  // asked once per process
  return available;
}

std::vector<std::string> plot_table(const PaperTable& t, const std::string& out) {
  // Data: one gnuplot block per row (separated by two blank lines): x, mean, std.
  std::ostringstream data;
  data << "# " << t.spec.title << "\n# x  mean  std   (x = column index: ";
  for (size_t c = 0; c < t.column_keys.size(); ++c) data << (c ? ", " : "") << c << " " << t.column_label(c);
  data << ")\n";
  std::vector<size_t> plotted;
  for (const auto& k : t.spec.plot_rows)
    PTQ_CHECK(std::find(t.row_keys.begin(), t.row_keys.end(), k) != t.row_keys.end(),
              "table {}: plot.rows names '{}', which is no row of the results ({}){}", t.spec.file, k,
              join(t.row_keys, ", "), did_you_mean(k, t.row_keys));
  for (size_t r = 0; r < t.row_keys.size(); ++r) {
    const auto& only = t.spec.plot_rows;
    if (!only.empty() && std::find(only.begin(), only.end(), t.row_keys[r]) == only.end()) continue;
    bool any = false;
    for (size_t c = 0; c < t.column_keys.size(); ++c) {
      const auto& cell = t.cells[r][c];
      if (cell.values.empty()) continue;
      data << fmt::format("{} {:.6g} {:.6g}\n", c, cell.mean, cell.stddev);
      any = true;
    }
    if (any) {
      data << "\n\n";
      plotted.push_back(r);
    }
  }
  std::string xtics;
  for (size_t c = 0; c < t.column_keys.size(); ++c) xtics += fmt::format("{}{} {}", c ? ", " : "", gp_quote(t.column_label(c)), c);
  std::string body = fmt::format(
      "set title {}\nset ylabel {}\nset xlabel {}\nset xtics ({})\nset xrange [-0.3:{}]\nset key outside right\n"
      "set grid ytics lc rgb '#dddddd'\nset border 3\nset tics nomirror\n",
      gp_quote(t.spec.title), gp_quote(t.spec.metric + " (mean ± std over seeds)"), gp_quote(join(t.spec.columns, " / ")),
      xtics, static_cast<double>(t.column_keys.size()) - 0.7);
  if (t.spec.plot_ymin || t.spec.plot_ymax)
    body += fmt::format("set yrange [{}:{}]\n", t.spec.plot_ymin ? fmt::format("{}", *t.spec.plot_ymin) : "",
                        t.spec.plot_ymax ? fmt::format("{}", *t.spec.plot_ymax) : "");
  std::vector<std::string> plots;
  for (size_t i = 0; i < plotted.size(); ++i)
    plots.push_back(fmt::format("{} index {} using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.8 title {}",
                                gp_quote(out + ".dat"), i, gp_quote(t.row_label(plotted[i]))));
  std::vector<double> fp;
  for (const auto& v : t.fp)
    if (v) fp.push_back(*v);
  if (!fp.empty()) {
    double m = 0.0;
    for (double v : fp) m += v;
    plots.push_back(fmt::format("{:.6g} with lines dt 2 lc rgb '#555555' title 'FP'", m / fp.size()));
  }
  body += "plot " + join(plots, ", \\\n     ");
  return render(out, data.str(), both_terminals(out, body));
}

std::vector<std::string> plot_run(const std::string& run_dir, const std::string& out, const std::string& variant) {
  const fs::path dir(run_dir);
  PTQ_CHECK(fs::exists(dir / "metrics.json"), "{} is not a run folder (no metrics.json)", run_dir);
  const Json m = Json::parse(io::read_file((dir / "metrics.json").string()));
  std::vector<std::string> images;

  // Loss curves of one variant from recon.jsonl.
  if (fs::exists(dir / "recon.jsonl")) {
    std::map<std::string, std::vector<std::string>> lines;  // variant -> lines
    std::vector<std::string> variants;
    std::string current;
    std::istringstream in(io::read_file((dir / "recon.jsonl").string()));
    for (std::string line; std::getline(in, line);) {
      const Json j = Json::parse(line, nullptr, false);
      if (j.is_discarded()) continue;
      if (j.contains("start")) {
        current = j.value("variant", "");
        if (!lines.count(current)) variants.push_back(current);
        lines[current];
        continue;
      }
      if (!lines.count(current)) variants.push_back(current);
      lines[current].push_back(line);
    }
    const std::string pick = variant.empty() ? (variants.empty() ? "" : variants.back()) : variant;
    PTQ_CHECK(variant.empty() || lines.count(variant), "{}/recon.jsonl has no variant '{}' (variants: {}){}", run_dir,
              variant, join(variants, ", "), did_you_mean(variant, variants));
    std::map<std::string, std::string> blocks;  // "pass group" -> "iter loss" lines
    std::vector<std::string> order;
    for (const auto& line : lines[pick]) {
      const Json j = Json::parse(line);
      if (!j.contains("iter") || !j.contains("loss") || !j["loss"].contains("rec")) continue;
      const std::string key = j.value("pass", "") + " " + j.value("group", "");
      if (!blocks.count(key)) order.push_back(key);
      blocks[key] += fmt::format("{} {:.6g}\n", j["iter"].get<int64_t>(), j["loss"]["rec"].get<double>());
    }
    if (!order.empty()) {
      std::string data = "# reconstruction loss (rec term) per group: iter loss\n", plots;
      for (size_t i = 0; i < order.size(); ++i) {
        data += "# " + order[i] + "\n" + blocks[order[i]] + "\n\n";
        plots += fmt::format("{}{} index {} using 1:2 with linespoints lw 1.5 pt 7 ps 0.5 title {}", i ? ", \\\n     " : "",
                             gp_quote(out + "-loss.dat"), i, gp_quote(order[i]));
      }
      const std::string body = fmt::format(
          "set title {}\nset xlabel 'iteration'\nset ylabel 'reconstruction loss'\nset logscale y\nset key outside right\n"
          "set grid lc rgb '#dddddd'\nplot {}",
          gp_quote(m.value("config", "") + " " + pick + ": reconstruction loss per group"), plots);
      for (auto& p : render(out + "-loss", data, both_terminals(out + "-loss", body))) images.push_back(p);
    }
  }

  // SQNR per unit, every variant.
  std::vector<std::string> units, names;
  std::vector<std::map<std::string, double>> sqnr;
  for (const auto& r : m.value("runs", Json::array())) {
    if (!r.contains("per_unit_sqnr_db")) continue;
    names.push_back(r.value("name", "?"));
    sqnr.emplace_back();
    for (const auto& [unit, db] : r["per_unit_sqnr_db"].items()) {
      if (std::find(units.begin(), units.end(), unit) == units.end()) units.push_back(unit);
      if (db.is_number()) sqnr.back()[unit] = db.get<double>();
    }
  }
  if (!units.empty()) {
    const auto dq = [](std::string s) {  // a data-file string: double quotes
      for (char& c : s)
        if (c == '"') c = '\'';
      return "\"" + s + "\"";
    };
    std::string data = "# unit";
    for (const auto& n : names) data += " " + dq(n);
    data += "\n";
    for (const auto& u : units) {
      data += dq(u);
      for (const auto& s : sqnr) data += s.count(u) ? fmt::format(" {:.4f}", s.at(u)) : std::string(" NaN");
      data += "\n";
    }
    std::string plots;
    for (size_t i = 0; i < names.size(); ++i)
      plots += fmt::format("{}{} using {}:xtic(1) title {}", i ? ", " : "", gp_quote(out + "-sqnr.dat"), i + 2,
                           gp_quote(names[i]));
    const std::string body = fmt::format(
        "set title {}\nset ylabel 'SQNR (dB)'\nset style data histograms\nset style histogram clustered gap 1\n"
        "set style fill solid 0.8 border -1\nset xtics rotate by -45\nset key outside right\nset grid ytics lc rgb "
        "'#dddddd'\nset datafile missing 'NaN'\nplot {}",
        gp_quote(m.value("config", "") + ": SQNR per unit"), plots);
    for (auto& p : render(out + "-sqnr", data, both_terminals(out + "-sqnr", body))) images.push_back(p);
  }
  PTQ_CHECK(!images.empty(), "{} has neither recon.jsonl loss lines nor per-unit SQNR; nothing to plot", run_dir);
  return images;
}

}  // namespace ptq
