// The results store: one SQLite file recording every finished run — its config hash, the
// sweep and swept values, seed, every variant's metrics, timings, peak memory and the
// environment fingerprint (ptq commit, LibTorch, threads, host). A run is recorded in one
// transaction (its old record, if any, replaced), so an interrupted write leaves the previous
// state. Only one machine writes a store: cluster runs write run folders, and
// `ptq results --collect` merges those folders in.
//
// A run belongs to every sweep that asked for it (a run recorded from elsewhere joins a sweep
// whose point has its hash), so queries return one record per (run, variant, sweep) — filter
// on `sweep` to see each run once — with the column names
// below plus the swept keys (a swept `config` file is the field `config_file`):
//   hash sweep config arch seed run_dir fp_top1 fp_loss wall_seconds threads commit libtorch host
//   started variant method label weight act top1 loss delta_top1 method_seconds peak_rss_mb
//   eval_seconds
#pragma once

#include "framework/results/run_record.h"
#include "framework/results/sqlite_db.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace ptq {

// One result: field -> value (numbers as JSON numbers, text as strings, missing as null).
using ResultRow = nlohmann::json;

class ResultsStore {
 public:
  // Opens or creates the store for writing; with create=false it opens an existing store
  // read-only (a missing file is a UserError), as the commands that only query it do.
  explicit ResultsStore(const std::string& path, bool create = true);

  // Records (or replaces) a complete run, atomically; run.sweep (if set) becomes a membership.
  void record(const RunRecord& run);
  // Makes a recorded run a member of `sweep` with the point's swept values.
  void add_to_sweep(const std::string& hash, const std::string& sweep, const nlohmann::json& swept);
  // Whether a run with this hash is recorded.
  bool contains(const std::string& hash);
  size_t run_count();
  // Every (run, variant) whose fields equal `filters` (field -> value as text, e.g.
  // {"sweep", "fmnist_table"}, {"method.p", "0.5"}); sorted by config, variant, seed.
  std::vector<ResultRow> query(const std::map<std::string, std::string>& filters = {});
  const std::string& path() const { return db_.path(); }

 private:
  sql::Database db_;
};

// The value of a field as text for filters and CSV (numbers in their shortest exact form).
std::string field_text(const ResultRow& row, const std::string& field);
// A filter value as the same text: parsed as YAML and read like a config value, so 0.50, 5e-1
// and 0.5 all match the field 0.5, and 1005.0 matches the seed 1005.
std::string filter_text(const std::string& yaml_value);
// The union of the rows' fields, the fixed columns first, then the swept keys sorted.
std::vector<std::string> result_fields(const std::vector<ResultRow>& rows);
std::string results_csv(const std::vector<ResultRow>& rows);

}  // namespace ptq
