// Strict, typed reading of one mapping of a Config: how every object's `from_config` reads
// its options. There is no separate schema; the reads *are* the schema.
//
//   Section q = cfg.section("quant");
//   int64_t bits = q.get_int("w_bits", 4, IntRange{2, 16});
//   std::string g = q.get_choice("granularity", "channel", {"tensor", "channel", "group"});
//   double lr = q.get_double("lr", DoubleRange::greater_than(0.0));   // required
//
// A Section is a cheap handle (shared pointers into the Config's tree and its usage record);
// it stays valid after the Config object it came from is gone. Keys passed to a Section are
// single mapping keys, taken verbatim (a key may itself contain '.'); Config::section takes
// a dotted path.
//
// Every getter has a required form (throws "missing required key") and a defaulted form.
// Each read records the full key path as known (even when absent and the default is used)
// and, when present, as used; Config::check_all_used() then reports the keys nobody read.
// Conversions are strict: integers reject 1.5 and quoted "8"; numbers accept integers and
// scientific notation; booleans are true/false only; strings accept any scalar. Errors are
// ptq::UserError, formatted as
//   quant.w_bits: expected an integer in [2, 16], got 1 (configs/x.yaml:3:11)
// where the location is that of the value that won the merge, or "--set quant.w_bits=1".
// A missing sub-section reads as empty (all defaults); a present non-mapping is an error.
// Defaults must satisfy their own range/choices (checked as an internal assertion).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace ptq::config {

namespace detail {
struct Tree;
struct Usage;
}  // namespace detail

// Inclusive integer bounds; default-constructed means unbounded.
struct IntRange {
  int64_t lo = std::numeric_limits<int64_t>::min();
  int64_t hi = std::numeric_limits<int64_t>::max();
  static IntRange at_least(int64_t lo) { return {lo, std::numeric_limits<int64_t>::max()}; }
  bool contains(int64_t v) const { return v >= lo && v <= hi; }
  std::string describe() const;  // "an integer in [2, 16]", "an integer >= 1", ...
};

// Number bounds, inclusive unless marked open; default-constructed means unbounded.
struct DoubleRange {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;
  static DoubleRange at_least(double lo) { return {lo, std::numeric_limits<double>::infinity()}; }
  static DoubleRange greater_than(double lo) {
    return {lo, std::numeric_limits<double>::infinity(), true, false};
  }
  bool contains(double v) const;  // false for NaN when bounded
  std::string describe() const;   // "a number in [0, 1]", "a number > 0", ...
};

class Section {
 public:
  Section(const Section&) = default;
  // Rebinds the handle (YAML::Node's own operator= would overwrite the node it refers to).
  Section& operator=(const Section& other);

  // Dotted path of this section ("" for the top level).
  std::string path() const;
  // True when the mapping is present in the config (it may still be empty).
  bool exists() const { return present_; }
  // Whether `key` is present; notes it as known (not as used).
  bool has(const std::string& key) const;
  // Keys present in this mapping, in document order (notes nothing).
  std::vector<std::string> keys() const;
  // Where the value of `key` came from: "file.yaml:LINE:COL" or "--set a.b=v"; "" if absent.
  std::string source_of(const std::string& key) const;

  Section section(const std::string& key) const;
  // Declares this section free-form: its keys are never reported as unknown.
  void allow_any() const;
  // The raw node under `key` (a Null node when absent), for values with their own structure;
  // the key and everything below it count as used.
  YAML::Node get_node(const std::string& key) const;

  int64_t get_int(const std::string& key, IntRange range = {}) const;
  int64_t get_int(const std::string& key, int64_t def, IntRange range = {}) const;
  double get_double(const std::string& key, DoubleRange range = {}) const;
  double get_double(const std::string& key, double def, DoubleRange range = {}) const;
  bool get_bool(const std::string& key) const;
  bool get_bool(const std::string& key, bool def) const;
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& def) const;
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices) const;
  std::string get_choice(const std::string& key, const std::string& def,
                         const std::vector<std::string>& choices) const;
  std::vector<int64_t> get_int_list(const std::string& key) const;
  std::vector<int64_t> get_int_list(const std::string& key, const std::vector<int64_t>& def) const;
  std::vector<double> get_double_list(const std::string& key) const;
  std::vector<double> get_double_list(const std::string& key, const std::vector<double>& def) const;
  std::vector<std::string> get_string_list(const std::string& key) const;
  std::vector<std::string> get_string_list(const std::string& key, const std::vector<std::string>& def) const;

 private:
  friend class Config;
  using KeyPath = std::vector<std::string>;
  Section(std::shared_ptr<const detail::Tree> tree, std::shared_ptr<detail::Usage> usage, KeyPath path,
          YAML::Node node, bool present);

  KeyPath child(const std::string& key) const;
  std::string display(const std::string& key) const;  // "quant.w_bits"
  std::string where(const std::string& key) const;    // " (file:3:11)" or ""
  // The value under `key`, noting the read; throws "missing required key" when absent and
  // `required`. Returns an undefined-or-null node (IsDefined/present flag) when absent.
  bool lookup(const std::string& key, bool required, YAML::Node& out) const;
  [[noreturn]] void type_error(const std::string& key, const std::string& expected, const YAML::Node& got) const;
  int64_t read_int(const std::string& key, const YAML::Node& node, IntRange range) const;
  double read_double(const std::string& key, const YAML::Node& node, DoubleRange range) const;
  bool read_bool(const std::string& key, const YAML::Node& node) const;
  std::string read_string(const std::string& key, const YAML::Node& node) const;
  std::string read_choice(const std::string& key, const YAML::Node& node,
                          const std::vector<std::string>& choices) const;
  template <typename T, typename Read>
  std::vector<T> read_list(const std::string& key, const YAML::Node& node, const std::string& what,
                           Read read) const;

  std::shared_ptr<const detail::Tree> tree_;
  std::shared_ptr<detail::Usage> usage_;
  KeyPath path_;
  YAML::Node node_;  // the mapping, or a Null node when absent / empty
  bool present_ = false;
};

}  // namespace ptq::config
