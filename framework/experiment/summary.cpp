#include "framework/experiment/summary.h"

#include "framework/core/check.h"
#include "framework/core/statistics.h"
#include "framework/io/atomic_file.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <tuple>

namespace ptq {
namespace fs = std::filesystem;
using Json = nlohmann::json;

double SummaryRow::mean() const { return top1.empty() ? 0.0 : ptq::mean(top1); }

double SummaryRow::stddev() const { return sample_stddev(top1); }

std::vector<std::string> find_metrics_files(const std::string& path) {
  PTQ_CHECK(fs::exists(path), "{} does not exist", path);
  if (fs::is_regular_file(path)) return {path};
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(path))
    if (e.is_regular_file() && e.path().filename() == "metrics.json") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<SummaryRow> summarize_runs(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    PTQ_CHECK(fs::exists(p), "summarize: {} does not exist", p);
    for (const auto& f : find_metrics_files(p)) files.push_back(f);
  }
  std::sort(files.begin(), files.end());
  PTQ_CHECK(!files.empty(), "summarize: no metrics.json found under the given paths");
  using Key = std::tuple<std::string, std::string, std::string>;  // config, method, run name
  std::map<Key, SummaryRow> rows;
  std::vector<Key> order;
  std::map<Key, std::pair<double, double>> sums;  // seconds, rss
  std::map<Key, std::pair<double, int>> fp;
  for (const auto& f : files) {
    Json m;
    try {
      m = Json::parse(io::read_file(f.string()));
    } catch (const Json::exception& e) {
      PTQ_FAIL("summarize: {} is not valid JSON ({}); remove it or rerun that experiment", f.string(), e.what());
    }
    if (!m.contains("runs") || !m.contains("fp") || !m.value("finished", true)) continue;  // an unfinished run
    const std::string config = m.value("config", "?");
    const uint64_t seed = m.value("seed", uint64_t{0});
    for (const auto& r : m["runs"]) {
      const Key key{config, r.value("method", "?"), r.value("name", "?")};
      auto [it, fresh] = rows.try_emplace(key);
      if (fresh) order.push_back(key);
      auto& row = it->second;
      row.config = config;
      row.run = std::get<2>(key);
      row.method = r.value("method", "?");
      row.label = r.value("label", "?");
      row.top1.push_back(r.value("top1", 0.0));
      row.seeds.push_back(seed);
      sums[key].first += r.value("method_seconds", 0.0);
      sums[key].second += r.value("method_peak_rss_mb", 0.0);
      fp[key].first += m["fp"].value("top1", 0.0);
      fp[key].second += 1;
    }
  }
  std::vector<SummaryRow> out;
  for (const auto& key : order) {
    auto row = rows[key];
    const double n = static_cast<double>(row.top1.size());
    row.method_seconds = sums[key].first / n;
    row.peak_rss_mb = sums[key].second / n;
    row.fp_top1 = fp[key].first / fp[key].second;
    out.push_back(row);
  }
  return out;
}

std::string summary_markdown(const std::vector<SummaryRow>& rows) {
  std::string out =
      "| config | run | method | W/A | top-1 (%) mean ± std | seeds | Δ vs FP | method time (s) | peak RSS (MiB) |\n"
      "|---|---|---|---|---:|---:|---:|---:|---:|\n";
  std::string last_config;
  for (const auto& r : rows) {
    if (r.config != last_config)
      out += fmt::format("| {} | FP | fp | W32A32 | {:.2f} | | | | |\n", r.config, r.fp_top1);
    last_config = r.config;
    out += fmt::format("| {} | {} | {} | {} | {:.2f} ± {:.2f} | {} | {:+.2f} | {:.1f} | {} |\n", r.config, r.run,
                       r.method, r.label, r.mean(), r.stddev(), r.top1.size(), r.mean() - r.fp_top1, r.method_seconds,
                       r.peak_rss_mb > 0 ? fmt::format("{:.0f}", r.peak_rss_mb) : std::string("–"));
  }
  return out;
}

Json summary_json(const std::vector<SummaryRow>& rows) {
  Json out = Json::array();
  for (const auto& r : rows)
    out.push_back({{"config", r.config},
                   {"run", r.run},
                   {"method", r.method},
                   {"label", r.label},
                   {"top1", r.top1},
                   {"seeds", r.seeds},
                   {"top1_mean", r.mean()},
                   {"top1_std", r.stddev()},
                   {"fp_top1", r.fp_top1},
                   {"method_seconds_mean", r.method_seconds},
                   {"peak_rss_mb_mean", r.peak_rss_mb}});
  return out;
}

}  // namespace ptq
