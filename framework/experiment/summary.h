// Summaries over repeated runs (seeds): reads metrics.json files written by run_experiment and
// groups every row by (config, method, run name) — e.g. the three seeds of qdrop "W2A4" — into
// mean ± sample standard deviation of top-1, with the mean method time and peak memory.
// `ptq summarize` prints it; the results tables in the READMEs are made with it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ptq {

struct SummaryRow {
  std::string config, run, method, label;
  std::vector<double> top1;           // one per seed / repeat
  std::vector<uint64_t> seeds;
  double method_seconds = 0.0;        // mean
  double peak_rss_mb = 0.0;           // mean (0 when not recorded)
  double fp_top1 = 0.0;               // mean FP top-1 of the same runs
  double mean() const;
  double stddev() const;              // sample standard deviation (0 for one value)
};

// The metrics.json files under `path` (a folder searched recursively, sorted), or `path` itself
// when it is a file.
std::vector<std::string> find_metrics_files(const std::string& path);

// Reads every metrics.json under `paths` (files, or folders searched recursively).
std::vector<SummaryRow> summarize_runs(const std::vector<std::string>& paths);
std::string summary_markdown(const std::vector<SummaryRow>& rows);
nlohmann::json summary_json(const std::vector<SummaryRow>& rows);

}  // namespace ptq
