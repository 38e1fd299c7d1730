#include "framework/config/emit.h"

#include "framework/core/check.h"

namespace ptq::config::detail {

namespace {

bool all_scalars(const YAML::Node& seq) {
  for (const auto& item : seq)
    if (item.IsMap() || item.IsSequence()) return false;
  return true;
}

void emit_key(YAML::Emitter& out, const std::string& key) {
  // A key spelled like null would reload as a null key: quote it.
  const bool null_like = key.empty() || key == "~" || key == "null" || key == "Null" || key == "NULL";
  if (null_like) out << YAML::DoubleQuoted;
  out << key;
}

void emit_node(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out << YAML::Null;
      break;
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!") out << YAML::DoubleQuoted;
      out << node.Scalar();
      break;
    case YAML::NodeType::Sequence:
      if (all_scalars(node)) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : node) emit_node(out, item);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Map:
      out << YAML::BeginMap;
      for (const auto& kv : node) {
        out << YAML::Key;
        emit_key(out, kv.first.Scalar());
        out << YAML::Value;
        emit_node(out, kv.second);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

std::string emit_yaml(const YAML::Node& root) {
  YAML::Emitter out;
  emit_node(out, root);
  PTQ_INTERNAL_ASSERT(out.good(), "YAML emitter failed: {}", out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

}  // namespace ptq::config::detail
