#include "framework/sweep/sweep_spec.h"

#include "framework/core/check.h"
#include "framework/core/logging.h"
#include "framework/core/strings.h"
#include "framework/experiment/experiment_spec.h"
#include "framework/sweep/config_hash.h"

#include <filesystem>
#include <map>
#include <set>

namespace ptq {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
// One point before resolution: key -> value, in the order the keys were swept.
using Assignment = std::vector<std::pair<std::string, YAML::Node>>;
struct Axis {
  std::string key;
  std::vector<YAML::Node> values;
};

void emit_flow(YAML::Emitter& out, const YAML::Node& node) {
  if (node.IsScalar()) {
    if (node.Tag() == "!") out << YAML::DoubleQuoted;
    out << node.Scalar();
  } else if (node.IsSequence()) {
    out << YAML::Flow << YAML::BeginSeq;
    for (const auto& item : node) emit_flow(out, item);
    out << YAML::EndSeq;
  } else if (node.IsMap()) {
    out << YAML::Flow << YAML::BeginMap;
    for (const auto& kv : node) {
      out << YAML::Key << kv.first.Scalar() << YAML::Value;
      emit_flow(out, kv.second);
    }
    out << YAML::EndMap;
  } else {
    out << YAML::Null;
  }
}

std::vector<YAML::Node> axis_values(const config::Section& s, const std::string& key) {
  const YAML::Node node = s.get_node(key);
  PTQ_CHECK(node.IsSequence() && node.size() > 0,
            "{}.{}: an axis needs a non-empty list of values, e.g. [2, 4] ({})", s.path(), key, s.source_of(key));
  return {node.begin(), node.end()};
}

std::vector<Axis> read_axes(const config::Section& s) {
  s.allow_any();
  std::vector<Axis> axes;
  for (const auto& key : s.keys()) axes.push_back({key, axis_values(s, key)});
  return axes;
}

// zip: a list of mappings whose lists have one length each.
std::vector<std::vector<Axis>> read_zips(const config::Section& top) {
  const YAML::Node node = top.get_node("zip");
  if (!node.IsDefined() || node.IsNull()) return {};
  PTQ_CHECK(node.IsSequence(), "zip: expected a list of mappings such as [{{quant.weight.bits: [4, 2], "
            "quant.act.bits: [4, 2]}}] ({})", top.source_of("zip"));
  std::vector<std::vector<Axis>> zips;
  for (const auto& group : node) {
    PTQ_CHECK(group.IsMap() && group.size() > 0, "zip: each entry must be a mapping of keys to lists ({})",
              top.source_of("zip"));
    std::vector<Axis> axes;
    for (const auto& kv : group) {
      const std::string key = kv.first.Scalar();
      PTQ_CHECK(kv.second.IsSequence() && kv.second.size() > 0, "zip: '{}' needs a non-empty list ({})", key,
                top.source_of("zip"));
      axes.push_back({key, {kv.second.begin(), kv.second.end()}});
      PTQ_CHECK(axes.back().values.size() == axes.front().values.size(),
                "zip: '{}' has {} values but '{}' has {}; zipped lists vary together and need one length ({})", key,
                axes.back().values.size(), axes.front().key, axes.front().values.size(), top.source_of("zip"));
    }
    zips.push_back(std::move(axes));
  }
  return zips;
}

std::vector<Assignment> read_assignments(const config::Section& top, const std::string& key) {
  const YAML::Node node = top.get_node(key);
  if (!node.IsDefined() || node.IsNull()) return {};
  PTQ_CHECK(node.IsSequence(), "{}: expected a list of mappings such as [{{method.p: 0.5}}] ({})", key,
            top.source_of(key));
  std::vector<Assignment> out;
  for (const auto& entry : node) {
    PTQ_CHECK(entry.IsMap() && entry.size() > 0, "{}: each entry must be a non-empty mapping of keys to values ({})",
              key, top.source_of(key));
    Assignment a;
    for (const auto& kv : entry) a.emplace_back(kv.first.Scalar(), kv.second);
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<Assignment> cross(const std::vector<Assignment>& points, const std::vector<Assignment>& options) {
  std::vector<Assignment> out;
  for (const auto& p : points)
    for (const auto& o : options) {
      Assignment a = p;
      a.insert(a.end(), o.begin(), o.end());
      out.push_back(std::move(a));
    }
  return out;
}

const YAML::Node* find(const Assignment& a, const std::string& key) {
  for (const auto& kv : a)
    if (kv.first == key) return &kv.second;
  return nullptr;
}

bool matches(const Assignment& point, const Assignment& rule) {
  for (const auto& [key, value] : rule) {
    const YAML::Node* v = find(point, key);
    if (!v || canonical_json(*v) != canonical_json(value)) return false;
  }
  return true;
}

std::string describe(const Assignment& a) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : a) parts.push_back(override_string(k, v));
  return parts.empty() ? "(the base config)" : join(parts, ", ");
}

}  // namespace

std::string override_string(const std::string& key, const YAML::Node& value) {
  YAML::Emitter out;
  emit_flow(out, value);
  return key + "=" + out.c_str();
}

std::string SweepSpec::root() const { return (fs::path(output) / name).string(); }

SweepSpec load_sweep(const std::string& path, const std::vector<std::string>& overrides) {
  const auto cfg = config::Config::load(path, overrides);
  const auto top = cfg.section("");
  SweepSpec spec;
  spec.file = path;
  spec.name = top.get_string("name", cfg.name());
  PTQ_CHECK(!spec.name.empty() && spec.name[0] != '.' &&
                spec.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                    std::string::npos,
            "{}: name '{}' must be a plain folder name (letters, digits, '_', '.', '-')", path, spec.name);
  const fs::path here = fs::path(path).parent_path();
  const auto relative = [&](const std::string& p) { return fs::path(p).is_absolute() ? p : (here / p).string(); };
  const std::string base_config = top.get_string("config", "");
  spec.output = top.get_string("output", spec.output);
  spec.store = top.get_string("store", kDefaultStore);
  spec.jobs = static_cast<int>(top.get_int("jobs", 1, config::IntRange{1, 1024}));
  spec.threads = static_cast<int>(top.get_int("threads", 0, config::IntRange{0, 4096}));
  const auto sl = top.section("slurm");
  spec.slurm.partition = sl.get_string("partition", "");
  spec.slurm.time = sl.get_string("time", spec.slurm.time);
  spec.slurm.mem = sl.get_string("mem", "");
  spec.slurm.account = sl.get_string("account", "");
  spec.slurm.cpus_per_task = static_cast<int>(sl.get_int("cpus_per_task", 2, config::IntRange{1, 4096}));
  spec.slurm.gpus = static_cast<int>(sl.get_int("gpus", 0, config::IntRange{0, 64}));
  spec.slurm.max_parallel = static_cast<int>(sl.get_int("max_parallel", 0, config::IntRange{0, 100000}));
  spec.slurm.extra = sl.get_string_list("extra", {});

  auto set = top.section("set");
  set.allow_any();
  std::vector<std::string> common;
  for (const auto& key : set.keys()) common.push_back(override_string(key, set.get_node(key)));

  const auto grid = read_axes(top.section("grid"));
  const auto zips = read_zips(top);
  const auto seeds = top.get_int_list("seeds", {});
  const auto excludes = read_assignments(top, "exclude");
  const auto includes = read_assignments(top, "include");
  cfg.check_all_used();

  std::set<std::string> swept_keys;
  std::vector<Assignment> points{Assignment{}};
  for (const auto& axis : grid) {
    PTQ_CHECK(swept_keys.insert(axis.key).second, "{}: '{}' is swept twice", path, axis.key);
    std::vector<Assignment> options;
    for (const auto& v : axis.values) options.push_back({{axis.key, v}});
    points = cross(points, options);
  }
  for (const auto& group : zips) {
    std::vector<Assignment> options(group.front().values.size());
    for (const auto& axis : group) {
      PTQ_CHECK(swept_keys.insert(axis.key).second, "{}: '{}' is swept twice", path, axis.key);
      for (size_t i = 0; i < axis.values.size(); ++i) options[i].emplace_back(axis.key, axis.values[i]);
    }
    points = cross(points, options);
  }
  std::vector<Assignment> seed_options;
  for (int64_t s : seeds) seed_options.push_back({{"seed", YAML::Node(std::to_string(s))}});
  if (!seeds.empty()) {
    PTQ_CHECK(swept_keys.insert("seed").second, "{}: 'seed' is both an axis and `seeds`; keep one", path);
    points = cross(points, seed_options);
  }
  for (const auto& rule : excludes)
    for (const auto& [key, v] : rule)
      PTQ_CHECK(swept_keys.count(key), "exclude: '{}' is not swept (swept: {}); an exclude rule names swept keys{}",
                key, join({swept_keys.begin(), swept_keys.end()}, ", "),
                did_you_mean(key, {swept_keys.begin(), swept_keys.end()}));
  std::vector<Assignment> kept;
  std::vector<bool> rule_used(excludes.size(), false);
  for (auto& p : points) {
    bool drop = false;
    for (size_t r = 0; r < excludes.size(); ++r)
      if (matches(p, excludes[r])) drop = rule_used[r] = true;
    if (!drop) kept.push_back(std::move(p));
  }
  for (size_t r = 0; r < excludes.size(); ++r)
    if (!rule_used[r])
      log_warn("sweep {}: exclude rule {} matches no point (a value the axes do not take?)", path,
               describe(excludes[r]));
  for (const auto& inc : includes) {
    if (find(inc, "seed") || seeds.empty()) kept.push_back(inc);
    else for (const auto& p : cross({inc}, seed_options)) kept.push_back(p);
  }
  // A sweep without axes, seeds or includes is one run of the base config.
  if (grid.empty() && zips.empty() && seeds.empty() && includes.empty() && kept.empty()) kept.push_back({});
  PTQ_CHECK(!kept.empty(), "{}: every point is excluded; nothing to run", path);

  std::set<std::string> hashes;
  for (const auto& a : kept) {
    SweepPoint p;
    p.overrides = common;
    const YAML::Node* c = find(a, "config");
    PTQ_CHECK(c || !base_config.empty(), "{}: no experiment config; set `config:` or sweep a `config` axis", path);
    p.config_path = relative(c ? c->Scalar() : base_config);
    for (const auto& [key, value] : a) {
      p.swept[key] = key == "config" ? Json(value.Scalar()) : canonical_json(value);
      if (key != "config") p.overrides.push_back(override_string(key, value));
    }
    try {
      p.resolved = config::Config::load(p.config_path, p.overrides);
      spec_from_config(p.resolved);  // validates every key, range and method option now
    } catch (const UserError& e) {
      PTQ_FAIL("sweep {} point {}: {}", path, describe(a), e.what());
    }
    p.hash = run_hash(p.resolved);
    p.short_hash = p.hash.substr(0, 16);
    if (hashes.insert(p.hash).second) spec.points.push_back(std::move(p));
  }
  return spec;
}

}  // namespace ptq
