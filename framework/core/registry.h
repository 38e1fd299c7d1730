// A named registry of factories: the one mechanism behind methods, models, observers and
// quantiser formats. Each entry has a name, a one-line description (shown by `ptq list`)
// and a factory. Built-ins are registered explicitly (register_builtin_*()) rather than by
// static initialisers, so static linking can never drop them.
#pragma once

#include "framework/core/check.h"
#include "framework/core/strings.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ptq {

template <typename Factory>
class Registry {
 public:
  struct Entry {
    std::string name;
    std::string description;
    Factory factory;
  };

  // `kind` names what is registered ("method", "model"), for error messages.
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  void add(const std::string& name, const std::string& description, Factory factory) {
    PTQ_INTERNAL_ASSERT(!entries_.count(name), "{} '{}' registered twice", kind_, name);
    entries_.emplace(name, Entry{name, description, std::move(factory)});
  }

  bool contains(const std::string& name) const { return entries_.count(name) > 0; }

  // Throws a UserError listing the known names (and the closest one) for an unknown name.
  const Entry& get(const std::string& name) const {
    auto it = entries_.find(name);
    PTQ_CHECK(it != entries_.end(), "unknown {} '{}'{}; known: {}", kind_, name,
              did_you_mean(name, names()), join(names(), ", "));
    return it->second;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.first);
    return out;
  }

  std::vector<Entry> entries() const {
    std::vector<Entry> out;
    for (const auto& kv : entries_) out.push_back(kv.second);
    return out;
  }

  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
  std::map<std::string, Entry> entries_;
};

}  // namespace ptq
