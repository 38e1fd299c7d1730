#include "framework/config/section.h"

#include "framework/config/scalars.h"
#include "framework/config/tree.h"
#include "framework/config/usage.h"
#include "framework/core/check.h"
#include "framework/core/strings.h"

#include <algorithm>
#include <cmath>

namespace ptq::config {

using detail::describe_value;
using detail::find_child;

std::string IntRange::describe() const {
  constexpr auto kMin = std::numeric_limits<int64_t>::min();
  constexpr auto kMax = std::numeric_limits<int64_t>::max();
  if (lo == kMin && hi == kMax) return "an integer";
  if (hi == kMax) return fmt::format("an integer >= {}", lo);
  if (lo == kMin) return fmt::format("an integer <= {}", hi);
  return fmt::format("an integer in [{}, {}]", lo, hi);
}

bool DoubleRange::contains(double v) const {
  return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
}

std::string DoubleRange::describe() const {
  const bool has_lo = !std::isinf(lo), has_hi = !std::isinf(hi);
  if (!has_lo && !has_hi) return "a number";
  if (!has_hi) return fmt::format("a number {} {}", lo_open ? ">" : ">=", lo);
  if (!has_lo) return fmt::format("a number {} {}", hi_open ? "<" : "<=", hi);
  return fmt::format("a number in {}{}, {}{}", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
}

Section::Section(std::shared_ptr<const detail::Tree> tree, std::shared_ptr<detail::Usage> usage, KeyPath path,
                 YAML::Node node, bool present)
    : tree_(std::move(tree)), usage_(std::move(usage)), path_(std::move(path)), node_(node), present_(present) {}

Section& Section::operator=(const Section& other) {
  tree_ = other.tree_;
  usage_ = other.usage_;
  path_ = other.path_;
  node_.reset(other.node_);
  present_ = other.present_;
  return *this;
}

std::string Section::path() const { return detail::dotted(path_); }

Section::KeyPath Section::child(const std::string& key) const { return detail::child_path(path_, key); }

std::string Section::display(const std::string& key) const { return detail::dotted(child(key)); }

std::string Section::where(const std::string& key) const {
  const std::string at = source_of(key);
  return at.empty() ? at : " (" + at + ")";
}

std::string Section::source_of(const std::string& key) const {
  auto it = tree_->origins.find(child(key));
  return it == tree_->origins.end() ? std::string() : it->second.value_at;
}

bool Section::has(const std::string& key) const {
  const bool present = find_child(node_, key).has_value();
  usage_->known.insert(child(key));
  return present;
}

std::vector<std::string> Section::keys() const {
  std::vector<std::string> out;
  if (node_.IsMap())
    for (const auto& kv : node_) out.push_back(kv.first.Scalar());
  return out;
}

bool Section::lookup(const std::string& key, bool required, YAML::Node& out) const {
  const auto value = find_child(node_, key);
  usage_->note(child(key), value.has_value());
  if (value) {
    out.reset(*value);
    return true;
  }
  if (!required) return false;
  // A present-but-unread sibling spelled almost like `key` is most likely the culprit.
  std::vector<std::string> unread;
  for (const auto& k : keys())
    if (!usage_->used.count(child(k))) unread.push_back(k);
  const std::string typo = closest_match(key, unread);
  const std::string hint =
      typo.empty() ? std::string() : fmt::format("; the config has '{}'{}, a typo?", display(typo), where(typo));
  PTQ_FAIL("missing required key '{}' in config {}{}", display(key), tree_->source, hint);
}

void Section::type_error(const std::string& key, const std::string& expected, const YAML::Node& got) const {
  PTQ_FAIL("{}: expected {}, got {}{}", display(key), expected, describe_value(got), where(key));
}

Section Section::section(const std::string& key) const {
  YAML::Node value;
  const bool present = lookup(key, false, value);
  if (present && !value.IsMap() && !value.IsNull()) type_error(key, "a mapping", value);
  return Section(tree_, usage_, child(key), present && value.IsMap() ? value : YAML::Node(), present);
}

void Section::allow_any() const { usage_->free_form.insert(path_); }

YAML::Node Section::get_node(const std::string& key) const {
  YAML::Node value;
  const bool present = lookup(key, false, value);
  usage_->free_form.insert(child(key));
  return present ? YAML::Clone(value) : YAML::Node();
}

// --- conversions of a present value ---

int64_t Section::read_int(const std::string& key, const YAML::Node& node, IntRange range) const {
  const auto v = detail::parse_int(node);
  if (!v || !range.contains(*v)) type_error(key, range.describe(), node);
  return *v;
}

double Section::read_double(const std::string& key, const YAML::Node& node, DoubleRange range) const {
  const auto v = detail::parse_double(node);
  const bool bounded = !std::isinf(range.lo) || !std::isinf(range.hi);
  if (!v || (bounded && !range.contains(*v))) type_error(key, range.describe(), node);
  return *v;
}

bool Section::read_bool(const std::string& key, const YAML::Node& node) const {
  const auto v = detail::parse_bool(node);
  if (!v) type_error(key, "true or false", node);
  return *v;
}

std::string Section::read_string(const std::string& key, const YAML::Node& node) const {
  const auto v = detail::parse_string(node);
  if (!v) type_error(key, "a string", node);
  return *v;
}

std::string Section::read_choice(const std::string& key, const YAML::Node& node,
                                 const std::vector<std::string>& choices) const {
  const auto v = detail::parse_string(node);
  if (v && std::find(choices.begin(), choices.end(), *v) != choices.end()) return *v;
  PTQ_FAIL("{}: expected one of {}, got {}{}{}", display(key), join(choices, ", "), describe_value(node),
           where(key), v ? did_you_mean(*v, choices) : std::string());
}

template <typename T, typename Read>
std::vector<T> Section::read_list(const std::string& key, const YAML::Node& node, const std::string& what,
                                  Read read) const {
  // `what` is "integers"/"numbers"/"strings"; elements are described in the singular.
  const std::string element = what == "integers" ? "an integer" : what == "numbers" ? "a number" : "a string";
  if (!node.IsSequence()) type_error(key, "a list of " + what, node);
  std::vector<T> out;
  for (size_t i = 0; i < node.size(); ++i) {
    const auto v = read(node[i]);
    if (!v)
      PTQ_FAIL("{}[{}]: expected {}, got {}{}", display(key), i, element, describe_value(node[i]), where(key));
    out.push_back(*v);
  }
  return out;
}

// --- public getters: required form, then defaulted form ---

int64_t Section::get_int(const std::string& key, IntRange range) const {
  YAML::Node v;
  lookup(key, true, v);
  return read_int(key, v, range);
}

int64_t Section::get_int(const std::string& key, int64_t def, IntRange range) const {
  PTQ_INTERNAL_ASSERT(range.contains(def), "default {} of '{}' is not {}", def, display(key), range.describe());
  YAML::Node v;
  return lookup(key, false, v) ? read_int(key, v, range) : def;
}

double Section::get_double(const std::string& key, DoubleRange range) const {
  YAML::Node v;
  lookup(key, true, v);
  return read_double(key, v, range);
}

double Section::get_double(const std::string& key, double def, DoubleRange range) const {
  PTQ_INTERNAL_ASSERT(std::isnan(def) || range.contains(def), "default {} of '{}' is not {}", def, display(key),
                      range.describe());
  YAML::Node v;
  return lookup(key, false, v) ? read_double(key, v, range) : def;
}

bool Section::get_bool(const std::string& key) const {
  YAML::Node v;
  lookup(key, true, v);
  return read_bool(key, v);
}

bool Section::get_bool(const std::string& key, bool def) const {
  YAML::Node v;
  return lookup(key, false, v) ? read_bool(key, v) : def;
}

std::string Section::get_string(const std::string& key) const {
  YAML::Node v;
  lookup(key, true, v);
  return read_string(key, v);
}

std::string Section::get_string(const std::string& key, const std::string& def) const {
  YAML::Node v;
  return lookup(key, false, v) ? read_string(key, v) : def;
}

std::string Section::get_choice(const std::string& key, const std::vector<std::string>& choices) const {
  YAML::Node v;
  lookup(key, true, v);
  return read_choice(key, v, choices);
}

std::string Section::get_choice(const std::string& key, const std::string& def,
                                const std::vector<std::string>& choices) const {
  PTQ_INTERNAL_ASSERT(std::find(choices.begin(), choices.end(), def) != choices.end(),
                      "default '{}' of '{}' is not one of its choices", def, display(key));
  YAML::Node v;
  return lookup(key, false, v) ? read_choice(key, v, choices) : def;
}

std::vector<int64_t> Section::get_int_list(const std::string& key) const {
  YAML::Node v;
  lookup(key, true, v);
  return read_list<int64_t>(key, v, "integers", detail::parse_int);
}

std::vector<int64_t> Section::get_int_list(const std::string& key, const std::vector<int64_t>& def) const {
  YAML::Node v;
  return lookup(key, false, v) ? read_list<int64_t>(key, v, "integers", detail::parse_int) : def;
}

std::vector<double> Section::get_double_list(const std::string& key) const {
  YAML::Node v;
  lookup(key, true, v);
  return read_list<double>(key, v, "numbers", detail::parse_double);
}

std::vector<double> Section::get_double_list(const std::string& key, const std::vector<double>& def) const {
  YAML::Node v;
  return lookup(key, false, v) ? read_list<double>(key, v, "numbers", detail::parse_double) : def;
}

std::vector<std::string> Section::get_string_list(const std::string& key) const {
  YAML::Node v;
  lookup(key, true, v);
  return read_list<std::string>(key, v, "strings", detail::parse_string);
}

std::vector<std::string> Section::get_string_list(const std::string& key,
                                                  const std::vector<std::string>& def) const {
  YAML::Node v;
  return lookup(key, false, v) ? read_list<std::string>(key, v, "strings", detail::parse_string) : def;
}

}  // namespace ptq::config
