#include "framework/results/table_spec.h"

#include "framework/config/config.h"
#include "framework/core/check.h"
#include "framework/sweep/config_hash.h"
#include "framework/sweep/sweep_spec.h"

namespace ptq {
namespace {

// A string or a list of strings.
std::vector<std::string> names(const config::Section& s, const std::string& key, std::vector<std::string> def) {
  const YAML::Node n = s.get_node(key);
  if (!n.IsDefined() || n.IsNull()) return def;
  std::vector<std::string> out;
  if (n.IsScalar()) out.push_back(n.Scalar());
  else if (n.IsSequence())
    for (const auto& item : n) {
      PTQ_CHECK(item.IsScalar(), "{}: expected a field name or a list of field names ({})", key, s.source_of(key));
      out.push_back(item.Scalar());
    }
  PTQ_CHECK(!out.empty(), "{}: expected a field name or a list of field names ({})", key, s.source_of(key));
  return out;
}

// A mapping of scalars, values as the store's field text (1.0 -> "1", 0.5 -> "0.5").
std::map<std::string, std::string> text_map(const config::Section& s) {
  s.allow_any();
  std::map<std::string, std::string> out;
  for (const auto& key : s.keys()) {
    const YAML::Node n = s.get_node(key);
    PTQ_CHECK(n.IsScalar(), "{}.{}: expected a single value ({})", s.path(), key, s.source_of(key));
    const auto j = canonical_json(n);
    out[key] = j.is_string() ? j.get<std::string>() : j.dump();
  }
  return out;
}

}  // namespace

TableSpec load_table_spec(const std::string& path, const std::vector<std::string>& overrides) {
  const auto cfg = config::Config::load(path, overrides);
  const auto top = cfg.section("");
  TableSpec t;
  t.file = path;
  t.title = top.get_string("title", cfg.name());
  t.store = top.get_string("store", kDefaultStore);
  t.metric = top.get_string("metric", t.metric);
  t.baseline = top.get_string("baseline", "");
  t.out = top.get_string("out", "");
  t.filter = text_map(top.section("filter"));
  t.rows = names(top, "rows", t.rows);
  t.columns = names(top, "columns", t.columns);
  t.row_order = top.get_string_list("row_order", {});
  t.column_order = top.get_string_list("column_order", {});
  t.row_labels = text_map(top.section("row_labels"));
  t.column_labels = text_map(top.section("column_labels"));
  t.fp_row = top.get_bool("fp_row", false);
  t.higher_is_better = top.get_bool("higher_is_better", true);
  t.alpha = top.get_double("alpha", 0.05, config::DoubleRange{0.0, 1.0, true, true});
  t.decimals = static_cast<int>(top.get_int("decimals", 2, config::IntRange{0, 6}));
  t.formats = top.get_string_list("formats", t.formats);
  for (const auto& f : t.formats)
    PTQ_CHECK(f == "md" || f == "tex" || f == "csv", "{}: formats are md, tex and csv, got '{}' ({})", path, f,
              top.source_of("formats"));
  const auto plot = top.section("plot");
  t.plot_rows = plot.get_string_list("rows", {});
  if (plot.has("ymin")) t.plot_ymin = plot.get_double("ymin");
  if (plot.has("ymax")) t.plot_ymax = plot.get_double("ymax");
  auto paper = top.section("paper");
  paper.allow_any();
  for (const auto& row : paper.keys()) {
    const auto cols = paper.section(row);
    for (const auto& col : cols.keys()) t.paper[row][col] = cols.get_double(col);
  }
  cfg.check_all_used();
  return t;
}

}  // namespace ptq
