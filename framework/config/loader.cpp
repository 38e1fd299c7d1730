#include "framework/config/loader.h"

#include "framework/config/merge.h"
#include "framework/config/scalars.h"
#include "framework/core/check.h"
#include "framework/core/strings.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ptq::config::detail {

namespace {

constexpr const char* kBaseKey = "_base_";

struct Frame {
  fs::path canonical;
  std::string display;
};
using Chain = std::vector<Frame>;

std::string read_text(const std::string& path) {
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  PTQ_CHECK(exists, "config file '{}' not found (relative paths are resolved from the working directory {})",
            path, fs::current_path().string());
  PTQ_CHECK(!fs::is_directory(path, ec), "config path '{}' is a directory, expected a YAML file", path);
  std::ifstream in(path, std::ios::binary);
  PTQ_CHECK(in.good(), "cannot open config file '{}' for reading", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Records where each YAML document starts, up to the second one, without building nodes.
// yaml-cpp 0.7's LoadAll never returns on some malformed inputs: with a stray ',' at the top
// level every HandleNextDocument yields another empty document without consuming the token
// (found by the config fuzz target, tests/fuzz). Counting with a limit cannot loop.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

YAML::Node parse_document(const std::string& text, const std::string& display) {
  YAML::Node doc;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts d;
    while (d.starts.size() < 3 && parser.HandleNextDocument(d)) {}
    PTQ_CHECK(d.starts.size() < 2 || d.starts[1].pos != d.starts[0].pos,
              "{}: invalid YAML: the parser cannot get past this point (a stray ',' or bracket?)",
              mark_string(display, d.starts[0]));
    PTQ_CHECK(d.starts.size() <= 1, "{}: holds {} YAML documents, expected one", display,
              d.starts.size() > 2 ? "3 or more" : "2");
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    PTQ_FAIL("{}: invalid YAML: {}", mark_string(display, e.mark), e.msg);
  }
  PTQ_CHECK(doc.IsDefined() && !doc.IsNull(), "{}: the config is empty, expected a mapping of options", display);
  PTQ_CHECK(doc.IsMap(), "{}: the top level of a config must be a mapping of options, got {}",
            mark_string(display, doc.Mark()), describe_value(doc));
  return doc;
}

struct BaseRef {
  std::string path;
  std::string where;
};

// Removes `_base_` from the tree and returns its entries.
std::vector<BaseRef> take_bases(Tree& tree, const std::string& display) {
  std::vector<BaseRef> out;
  const auto node = find_child(tree.root, kBaseKey);
  if (!node) return out;
  const std::string where = tree.origins.at({kBaseKey}).value_at;
  auto add = [&](const YAML::Node& entry, const std::string& at) {
    PTQ_CHECK(entry.IsScalar() && !entry.Scalar().empty(),
              "{}: _base_ must be a path or a list of paths, got {}", at, describe_value(entry));
    out.push_back({entry.Scalar(), at});
  };
  if (node->IsSequence()) {
    for (const auto& entry : *node) add(entry, mark_string(display, entry.Mark()));
  } else {
    add(*node, where);
  }
  tree.root.remove(kBaseKey);
  erase_origins(tree.origins, {kBaseKey});
  return out;
}

std::string chain_text(const Chain& chain, const std::string& last) {
  std::vector<std::string> names;
  for (const auto& f : chain) names.push_back(f.display);
  names.push_back(last);
  return join(names, " -> ");
}

Tree load_resolved(const std::string& text, const fs::path& file, const std::string& display, Chain& chain);

Tree load_base(const BaseRef& ref, const fs::path& referrer, const std::string& referrer_display,
               Chain& chain) {
  const fs::path resolved = referrer.parent_path() / ref.path;
  const std::string display = (fs::path(referrer_display).parent_path() / ref.path).lexically_normal().string();
  std::error_code ec;
  PTQ_CHECK(fs::is_regular_file(resolved, ec), "{}: base config '{}' of {} not found (looked for {})", ref.where,
            ref.path, referrer_display, display);
  return load_resolved(read_text(resolved.string()), resolved, display, chain);
}

Tree load_resolved(const std::string& text, const fs::path& file, const std::string& display, Chain& chain) {
  const fs::path canonical = fs::weakly_canonical(file);
  for (const auto& f : chain)
    PTQ_CHECK(f.canonical != canonical, "config inheritance cycle: {}", chain_text(chain, display));

  Tree own;
  own.root.reset(parse_document(text, display));
  record_file_origins(own.root, {}, display, own.origins);
  check_delete_flags(own);
  check_version(own);
  const std::vector<BaseRef> bases = take_bases(own, display);

  chain.push_back({canonical, display});
  Tree merged;
  for (const auto& ref : bases) deep_merge(merged, load_base(ref, file, display, chain));
  deep_merge(merged, own);
  chain.pop_back();
  return merged;
}

}  // namespace

void check_version(const Tree& tree) {
  const auto v = find_child(tree.root, "version");
  if (!v) return;
  const auto as_int = parse_int(*v);
  PTQ_CHECK(as_int && *as_int == kSupportedVersion, "{}: config version {} is not supported (supported config versions: {})",
            tree.origins.at({"version"}).value_at, describe_value(*v), kSupportedVersion);
}

Tree load_file(const std::string& path) {
  Chain chain;
  return load_resolved(read_text(path), fs::path(path), path, chain);
}

Tree load_text(const std::string& yaml, const std::string& source_name) {
  Chain chain;
  return load_resolved(yaml, fs::path(source_name), source_name, chain);
}

}  // namespace ptq::config::detail
