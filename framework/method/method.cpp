#include "framework/method/method.h"

namespace ptq {

Registry<MethodFactory>& method_registry() {
  static Registry<MethodFactory> registry("method");
  return registry;
}

std::unique_ptr<Method> create_method(const std::string& name, const config::Section& section) {
  register_builtin_methods();
  return method_registry().get(name).factory(section);
}

}  // namespace ptq
