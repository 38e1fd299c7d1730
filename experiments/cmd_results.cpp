// ptq results [--store DB] [--collect DIR]... [--filter key=value]... [--format md|csv|json]
//             [--fields a,b,...] [--out FILE] — query (and fill) the results store.
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/experiment/summary.h"
#include "framework/io/atomic_file.h"
#include "framework/results/results_store.h"
#include "framework/sweep/sweep_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace ptq::cli {
namespace {

namespace fs = std::filesystem;

// Records every complete run folder under `root` (a run folder holds metrics.json).
std::pair<size_t, size_t> collect(ResultsStore& store, const std::string& root) {
  PTQ_CHECK(fs::exists(root), "--collect: {} does not exist", root);
  PTQ_CHECK(fs::is_directory(root), "--collect: {} is not a folder of run folders", root);
  size_t recorded = 0, incomplete = 0;
  for (const auto& file : find_metrics_files(root)) {
    const auto run = read_run(fs::path(file).parent_path().string());
    if (!run) {
      ++incomplete;
      continue;
    }
    store.record(*run);
    ++recorded;
  }
  return {recorded, incomplete};
}

std::string markdown(const std::vector<ResultRow>& rows, const std::vector<std::string>& fields) {
  std::string out = "| " + join(fields, " | ") + " |\n|";
  for (size_t i = 0; i < fields.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& r : rows) {
    std::vector<std::string> cells;
    for (const auto& f : fields) {
      std::string t = field_text(r, f);
      if (r.contains(f) && r[f].is_number_float()) t = fmt::format("{:.4g}", r[f].get<double>());
      if (f == "hash") t = t.substr(0, 16);
      cells.push_back(t);
    }
    out += "| " + join(cells, " | ") + " |\n";
  }
  return out;
}

}  // namespace

int cmd_results(const Argv& argv) {
  const auto a = parse_args("results", argv, {{"store", "format", "fields", "out"}, {"collect", "filter"}, {"help"}});
  if (a.flag("help")) {
    std::cout << "usage: ptq results [--store FILE.sqlite] [--collect DIR]... [--filter key=value]...\n"
                 "                   [--format md|csv|json] [--fields a,b,...] [--out FILE]\n\n"
                 "Lists the runs recorded in the results store (default runs/results.sqlite), one row per run\n"
                 "and variant. --collect records every finished run folder under DIR first (run folders of\n"
                 "ptq run, ptq sweep or Slurm array tasks). --filter keeps rows whose field equals the value,\n"
                 "e.g. --filter sweep=fmnist_table --filter method=qdrop --filter variant=W2A2. Fields: the\n"
                 "store's columns (see --format csv) and the swept keys.\n";
    return 0;
  }
  PTQ_CHECK(a.positional.empty(), "ptq results takes no positional arguments (got '{}'); see ptq results --help",
            a.positional.front());
  const std::string path = a.value("store", kDefaultStore);
  const auto collect_dirs = a.all("collect");
  ResultsStore store(path, !collect_dirs.empty());
  for (const auto& dir : collect_dirs) {
    const auto [recorded, incomplete] = collect(store, dir);
    std::cerr << "collected " << recorded << " finished runs from " << dir;
    if (incomplete) std::cerr << " (" << incomplete << " unfinished folders skipped)";
    std::cerr << " into " << path << "\n";
  }
  std::map<std::string, std::string> filters;
  for (const auto& f : a.all("filter")) {
    const auto eq = f.find('=');
    PTQ_CHECK(eq != std::string::npos && eq > 0, "--filter expects key=value, got '{}'", f);
    filters[f.substr(0, eq)] = filter_text(f.substr(eq + 1));
  }
  const auto rows = store.query(filters);
  const auto all_fields = result_fields(rows.empty() ? store.query() : rows);
  for (const auto& [k, v] : filters)
    PTQ_CHECK(std::find(all_fields.begin(), all_fields.end(), k) != all_fields.end(),
              "--filter {}: no such field{}; fields: {}", k, did_you_mean(k, all_fields), join(all_fields, ", "));
  const std::string format = a.value("format", "md");
  std::string out;
  if (format == "csv") {
    out = results_csv(rows);
  } else if (format == "json") {
    out = nlohmann::json(rows).dump(2) + "\n";
  } else {
    PTQ_CHECK(format == "md", "--format is md, csv or json, got '{}'", format);
    std::vector<std::string> fields = {"sweep", "config", "variant", "method", "label", "seed", "top1",
                                       "method_seconds", "peak_rss_mb", "hash"};
    if (!a.value("fields").empty()) fields = split(a.value("fields"), ',');
    for (const auto& f : fields)
      PTQ_CHECK(std::find(all_fields.begin(), all_fields.end(), f) != all_fields.end(), "--fields: no field '{}'{}", f,
                did_you_mean(f, all_fields));
    out = markdown(rows, fields) + fmt::format("\n{} rows from {} runs in {}\n", rows.size(), store.run_count(), path);
  }
  if (!a.value("out").empty()) io::write_text_atomic(a.value("out"), out);
  else std::cout << out;
  return 0;
}

}  // namespace ptq::cli
