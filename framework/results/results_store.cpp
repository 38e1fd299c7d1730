#include "framework/results/results_store.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/core/time_text.h"
#include "framework/sweep/config_hash.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <set>

namespace ptq {
namespace {

using Json = nlohmann::json;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '1');
CREATE TABLE IF NOT EXISTS runs(
  hash TEXT PRIMARY KEY, config TEXT NOT NULL, arch TEXT, seed INTEGER, run_dir TEXT,
  fp_top1 REAL, fp_loss REAL, wall_seconds REAL, threads INTEGER, commit_id TEXT, libtorch TEXT, host TEXT,
  started TEXT, env TEXT, config_yaml TEXT, recorded TEXT);
CREATE TABLE IF NOT EXISTS results(
  hash TEXT NOT NULL REFERENCES runs(hash) ON DELETE CASCADE, variant TEXT NOT NULL, method TEXT, label TEXT,
  weight TEXT, act TEXT, top1 REAL, loss REAL, delta_top1 REAL, method_seconds REAL, peak_rss_mb REAL,
  eval_seconds REAL, row_json TEXT, PRIMARY KEY(hash, variant));
CREATE TABLE IF NOT EXISTS sweep_runs(
  sweep TEXT NOT NULL, hash TEXT NOT NULL REFERENCES runs(hash) ON DELETE CASCADE, swept TEXT,
  PRIMARY KEY(sweep, hash));
)";

const std::vector<std::string> kFixedFields = {
    "hash", "sweep", "config", "arch", "seed", "run_dir", "fp_top1", "fp_loss", "wall_seconds", "threads", "commit",
    "libtorch", "host", "started", "variant", "method", "label", "weight", "act", "top1", "loss", "delta_top1",
    "method_seconds", "peak_rss_mb", "eval_seconds"};

sql::Value num(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return nullptr;
  return j[key].get<double>();
}

sql::Value text(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return nullptr;
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

std::string now_utc() { return utc_time_text("%Y-%m-%dT%H:%M:%SZ"); }

Json to_json(const sql::Value& v) {
  if (auto* n = std::get_if<int64_t>(&v)) return *n;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

}  // namespace

ResultsStore::ResultsStore(const std::string& path, bool create) : db_(path, create) {
  if (create) {
    db_.exec(kSchema);
    return;
  }
  PTQ_CHECK(!db_.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sweep_runs'").empty(),
            "'{}' is not a ptq results store (no sweep_runs table); pass the store a sweep wrote (default {})", path,
            "runs/results.sqlite");
}

void ResultsStore::record(const RunRecord& run) {
  const Json& m = run.metrics;
  double wall = m.value("wall_seconds", 0.0);
  if (wall <= 0.0 && m.contains("runs"))
    for (const auto& r : m["runs"]) wall += r.value("method_seconds", 0.0) + r.value("eval_seconds", 0.0);
  sql::Transaction tx(db_);
  // An upsert, not delete + insert: the run's sweep memberships (other sweeps' too) stay.
  db_.query(
      "INSERT INTO runs(hash, config, arch, seed, run_dir, fp_top1, fp_loss, wall_seconds, threads, commit_id, "
      "libtorch, host, started, env, config_yaml, recorded) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
      "ON CONFLICT(hash) DO UPDATE SET config = excluded.config, arch = excluded.arch, seed = excluded.seed, "
      "run_dir = excluded.run_dir, fp_top1 = excluded.fp_top1, fp_loss = excluded.fp_loss, "
      "wall_seconds = excluded.wall_seconds, threads = excluded.threads, commit_id = excluded.commit_id, "
      "libtorch = excluded.libtorch, host = excluded.host, started = excluded.started, env = excluded.env, "
      "config_yaml = excluded.config_yaml, recorded = excluded.recorded",
      {run.hash, run.config, text(m.value("model", Json::object()), "arch"),
       static_cast<int64_t>(m.value("seed", uint64_t{0})), run.dir, num(m["fp"], "top1"), num(m["fp"], "loss"), wall,
       static_cast<int64_t>(run.env.value("threads", 0)), text(run.env, "ptq_commit"), text(run.env, "libtorch"),
       text(run.env, "host"), text(run.env, "started"), run.env.dump(), run.config_yaml, now_utc()});
  db_.query("DELETE FROM results WHERE hash = ?1", {run.hash});
  if (!run.sweep.empty())
    db_.query("INSERT OR REPLACE INTO sweep_runs(sweep, hash, swept) VALUES (?1, ?2, ?3)",
              {run.sweep, run.hash, run.swept.dump()});
  for (const auto& r : m["runs"])
    db_.query(
        "INSERT INTO results(hash, variant, method, label, weight, act, top1, loss, delta_top1, method_seconds, "
        "peak_rss_mb, eval_seconds, row_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        {run.hash, r.value("name", "?"), text(r, "method"), text(r, "label"), text(r, "weight"), text(r, "act"),
         num(r, "top1"), num(r, "loss"), num(r, "delta_top1"), num(r, "method_seconds"),
         num(r, "method_peak_rss_mb"), num(r, "eval_seconds"), r.dump()});
  tx.commit();
}

void ResultsStore::add_to_sweep(const std::string& hash, const std::string& sweep, const Json& swept) {
  PTQ_CHECK(contains(hash), "results store '{}': no run {} to add to sweep {}", path(), hash.substr(0, 16), sweep);
  db_.query("INSERT OR REPLACE INTO sweep_runs(sweep, hash, swept) VALUES (?1, ?2, ?3)", {sweep, hash, swept.dump()});
}

bool ResultsStore::contains(const std::string& hash) {
  return !db_.query("SELECT 1 FROM runs WHERE hash = ?1", {hash}).empty();
}

size_t ResultsStore::run_count() {
  return static_cast<size_t>(std::get<int64_t>(db_.query("SELECT COUNT(*) FROM runs")[0][0]));
}

std::vector<ResultRow> ResultsStore::query(const std::map<std::string, std::string>& filters) {
  const auto rows = db_.query(
      "SELECT r.hash, s.sweep, r.config, r.arch, r.seed, r.run_dir, r.fp_top1, r.fp_loss, r.wall_seconds, r.threads, "
      "r.commit_id, r.libtorch, r.host, r.started, x.variant, x.method, x.label, x.weight, x.act, x.top1, x.loss, "
      "x.delta_top1, x.method_seconds, x.peak_rss_mb, x.eval_seconds, s.swept "
      "FROM runs r JOIN results x ON x.hash = r.hash LEFT JOIN sweep_runs s ON s.hash = r.hash "
      "ORDER BY r.config, x.variant, r.seed, r.hash, s.sweep");
  std::vector<ResultRow> out;
  for (const auto& row : rows) {
    Json j = Json::object();
    for (size_t i = 0; i < kFixedFields.size(); ++i) j[kFixedFields[i]] = to_json(row[i]);
    const Json swept = Json::parse(sql::as_text(row.back()), nullptr, false);
    if (swept.is_object())
      for (const auto& [k, v] : swept.items()) {
        const std::string field = k == "config" ? "config_file" : k;
        if (!j.contains(field)) j[field] = v;
      }
    bool keep = true;
    for (const auto& [field, want] : filters) keep = keep && field_text(j, field) == want;
    if (keep) out.push_back(std::move(j));
  }
  return out;
}

std::string filter_text(const std::string& yaml_value) {
  YAML::Node node;
  try {
    node = YAML::Load(yaml_value);
  } catch (const YAML::Exception&) {
    return yaml_value;
  }
  if (!node.IsScalar()) return yaml_value;
  const Json j = canonical_json(node);
  return j.is_string() ? j.get<std::string>() : field_text(Json{{"v", j}}, "v");
}

std::string field_text(const ResultRow& row, const std::string& field) {
  if (!row.contains(field) || row[field].is_null()) return "";
  const Json& v = row[field];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 1e15) return fmt::format("{}", static_cast<long long>(d));
    return fmt::format("{}", d);
  }
  return v.dump();
}

std::vector<std::string> result_fields(const std::vector<ResultRow>& rows) {
  std::vector<std::string> out = kFixedFields;
  std::set<std::string> extra;
  for (const auto& r : rows)
    for (const auto& [k, v] : r.items())
      if (std::find(kFixedFields.begin(), kFixedFields.end(), k) == kFixedFields.end()) extra.insert(k);
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::string results_csv(const std::vector<ResultRow>& rows) {
  const auto fields = result_fields(rows);
  std::string out = join(fields, ",") + "\n";
  for (const auto& r : rows) {
    std::vector<std::string> cells;
    for (const auto& f : fields) cells.push_back(csv_field(field_text(r, f)));
    out += join(cells, ",") + "\n";
  }
  return out;
}

}  // namespace ptq
