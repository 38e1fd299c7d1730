#include "framework/experiment/quant_config.h"

#include "framework/core/check.h"

namespace ptq {

using config::DoubleRange;
using config::IntRange;

QuantizerOptions quantizer_options_from_config(const config::Section& s, const QuantizerOptions& d) {
  QuantizerOptions o = d;
  auto& spec = o.spec;
  const auto format = s.get_choice("format", d.spec.format == NumberFormat::Int ? "int" : d.spec.minifloat.name(),
                                   {"int", "e4m3", "e5m2", "e3m2", "e2m3", "e2m1", "float"});
  if (format == "int") {
    spec.format = NumberFormat::Int;
    spec.bits = static_cast<int>(s.get_int("bits", d.spec.bits, IntRange{2, 16}));
    spec.is_signed = s.get_bool("signed", d.spec.is_signed);
    spec.symmetric = s.get_bool("symmetric", d.spec.symmetric);
  } else {
    spec.format = NumberFormat::Float;
    spec.minifloat = format == "float" ? MiniFloat{} : MiniFloat::named(format);
    auto& f = spec.minifloat;
    if (format == "float") {
      f.exp_bits = static_cast<int>(s.get_int("exp_bits", IntRange{1, 8}));
      f.man_bits = static_cast<int>(s.get_int("man_bits", IntRange{0, 10}));
      f.bias = MiniFloat::standard_bias(f.exp_bits);
      const auto specials = s.get_choice("specials", "finite", {"ieee", "nan_only", "finite"});
      f.specials = specials == "ieee" ? FloatSpecials::IEEE
                   : specials == "nan_only" ? FloatSpecials::NanOnly
                                            : FloatSpecials::FiniteOnly;
    }
    f.bias = static_cast<int>(s.get_int("bias", f.bias, IntRange{-64, 127}));
    f.subnormals = s.get_bool("subnormals", f.subnormals);
    spec.bits = 1 + f.exp_bits + f.man_bits;
    spec.symmetric = true;
    PTQ_CHECK(!s.has("bits") || s.get_int("bits") == spec.bits,
              "{}.bits: the minifloat format {} has {} bits; remove bits or change format ({})", s.path(),
              f.name(), spec.bits, s.source_of("bits"));
  }
  const auto gran = s.get_choice("granularity", granularity_name(d.spec.granularity), {"tensor", "channel", "group", "token"});
  spec.granularity = gran == "tensor"    ? Granularity::Tensor
                     : gran == "channel" ? Granularity::Channel
                     : gran == "group"   ? Granularity::Group
                                         : Granularity::Token;
  const int64_t default_axis = spec.granularity == Granularity::Group && d.spec.granularity != Granularity::Group ? 1 : d.spec.axis;
  spec.axis = s.get_int("axis", default_axis, IntRange{0, 8});
  spec.group_size = s.get_int("group_size", d.spec.group_size, IntRange::at_least(1));
  spec.dynamic = s.get_bool("dynamic", d.spec.dynamic);
  PTQ_CHECK(!(spec.granularity == Granularity::Group && !spec.dynamic && s.path() == "quant.act"),
            "quant.act: per-group activation quantisation needs dynamic: true (group scales depend on the batch)");
  auto& ob = o.observer;
  ob.kind = s.get_choice("observer", d.observer.kind, {"minmax", "percentile", "mse", "mse_grid"});
  ob.percentile = s.get_double("percentile", d.observer.percentile, DoubleRange{50.0, 100.0});
  ob.p = s.get_double("p", d.observer.p, DoubleRange::greater_than(0.0));
  ob.steps = static_cast<int>(s.get_int("steps", d.observer.steps, IntRange{1, 10000}));
  ob.step = s.get_double("step", d.observer.step, DoubleRange::greater_than(0.0));
  ob.grid_steps = static_cast<int>(s.get_int("grid_steps", d.observer.grid_steps, IntRange{1, 10000}));
  o.learnable_scale = s.get_bool("learnable_scale", d.learnable_scale);
  o.lsq_grad_scale = s.get_bool("lsq_grad_scale", d.lsq_grad_scale);
  try {
    spec.validate(s.path());
    ob.validate(s.path());
  } catch (const UserError& e) {
    PTQ_FAIL("{} (in the '{}' section of the config)", e.what(), s.path());
  }
  return o;
}

QuantSetup quant_setup_from_config(const config::Section& q) {
  QuantSetup setup;
  const auto w = q.section("weight"), a = q.section("act");
  setup.quantize_weights = w.get_bool("enabled", true);
  setup.quantize_activations = a.get_bool("enabled", true);
  setup.weight = quantizer_options_from_config(w, default_weight_options());
  setup.act = quantizer_options_from_config(a, default_act_options());
  setup.act_position = a.get_choice("position", "output", {"output", "input"}) == "output" ? ActPosition::Output
                                                                                           : ActPosition::Input;
  const auto first = q.section("first_layer"), last = q.section("last_layer");
  setup.first_layer_weight_bits = static_cast<int>(first.get_int("weight_bits", 8, IntRange{0, 16}));
  setup.first_layer_act_bits = static_cast<int>(first.get_int("act_bits", 0, IntRange{0, 16}));
  setup.last_layer_weight_bits = static_cast<int>(last.get_int("weight_bits", 8, IntRange{0, 16}));
  setup.last_layer_act_bits = static_cast<int>(last.get_int("act_bits", 8, IntRange{0, 16}));
  setup.quantize_last_layer = last.get_bool("quantize", true);
  for (int bits : {setup.first_layer_weight_bits, setup.first_layer_act_bits, setup.last_layer_weight_bits,
                   setup.last_layer_act_bits})
    PTQ_CHECK(bits == 0 || bits >= 2, "quant.first_layer / quant.last_layer bits must be 0 (same as the rest) or in [2, 16], got {}", bits);
  return setup;
}

std::string short_label(const QuantSetup& s) {
  auto part = [](const QuantizerOptions& o, bool on) {
    if (!on) return std::string("32");  // the network runs in float32
    return o.spec.format == NumberFormat::Int ? std::to_string(o.spec.bits) : o.spec.minifloat.name();
  };
  return "W" + part(s.weight, s.quantize_weights) + "A" + part(s.act, s.quantize_activations);
}

}  // namespace ptq
