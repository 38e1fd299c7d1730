// ptq list [models|methods|observers|formats] — what this build knows, one line each.
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/method/method.h"
#include "framework/nn/zoo.h"
#include "framework/quant/observer.h"
#include "framework/quant/quant_spec.h"

#include <iostream>

namespace ptq::cli {
namespace {

void print(const std::string& title, const std::vector<std::pair<std::string, std::string>>& rows) {
  std::cout << title << ":\n";
  for (const auto& [n, d] : rows) std::cout << fmt::format("  {:<14} {}\n", n, d);
}

template <typename R>
std::vector<std::pair<std::string, std::string>> rows_of(const R& registry) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : registry.entries()) out.emplace_back(e.name, e.description);
  return out;
}

std::vector<std::pair<std::string, std::string>> formats() {
  std::vector<std::pair<std::string, std::string>> out{
      {"int", "uniform integer grid, 2-16 bits, signed/unsigned, symmetric/asymmetric"}};
  for (const char* n : {"e4m3", "e5m2", "e3m2", "e2m3", "e2m1"}) {
    const auto f = MiniFloat::named(n);
    out.emplace_back(n, fmt::format("minifloat, {} bits, bias {}, max {}", 1 + f.exp_bits + f.man_bits, f.bias, f.max_value()));
  }
  out.emplace_back("float", "custom minifloat: exp_bits, man_bits, bias, subnormals, specials");
  return out;
}

}  // namespace

int cmd_list(const Argv& argv) {
  const auto a = parse_args("list", argv, {{}, {}, {}});
  const std::vector<std::string> what{"models", "methods", "observers", "formats"};
  if (a.flag("help") || a.positional.size() > 1) {
    std::cout << "usage: ptq list [models|methods|observers|formats]\n";
    return a.flag("help") ? 0 : 2;
  }
  const std::string sel = a.positional.empty() ? "" : a.positional[0];
  PTQ_CHECK(sel.empty() || std::find(what.begin(), what.end(), sel) != what.end(), "ptq list: unknown topic '{}'{}; known: {}",
            sel, did_you_mean(sel, what), join(what, ", "));
  register_builtin_models();
  register_builtin_methods();
  if (sel.empty() || sel == "models") print("models", rows_of(model_registry()));
  if (sel.empty() || sel == "methods") print("methods", rows_of(method_registry()));
  if (sel.empty() || sel == "observers") print("observers", observer_descriptions());
  if (sel.empty() || sel == "formats") print("formats", formats());
  return 0;
}

}  // namespace ptq::cli
