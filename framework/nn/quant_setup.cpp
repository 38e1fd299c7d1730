#include "framework/nn/quant_setup.h"

#include <algorithm>

namespace ptq {
namespace {

// A first/last-layer override is an integer grid of `bits` (also when the rest is minifloat).
QuantizerOptions with_bits(QuantizerOptions o, int bits) {
  if (bits <= 0) return o;
  if (o.spec.format == NumberFormat::Float) {
    o.spec.format = NumberFormat::Int;
    o.spec.symmetric = false;
  }
  o.spec.bits = bits;
  return o;
}

}  // namespace

QuantSetup::QuantSetup() : weight(default_weight_options()), act(default_act_options()) {}

QuantizerOptions default_weight_options(int bits) {
  QuantizerOptions o;
  o.spec.bits = bits;
  o.spec.granularity = Granularity::Channel;
  o.spec.axis = 0;
  o.observer.kind = "mse";
  return o;
}

QuantizerOptions default_act_options(int bits) {
  QuantizerOptions o;
  o.spec.bits = bits;
  o.observer.kind = "mse";
  return o;
}

int apply_quant_setup(QuantModelImpl& model, const QuantSetup& setup) {
  for (auto& q : model.quantizers()) q->reset();  // forget everything first
  for (const auto& item : model.named_modules())   // names for error messages
    if (auto* q = item.value()->as<QuantizerImpl>()) q->set_label(item.key());
  int configured = 0;
  auto enable = [&](Quantizer& q, const QuantizerOptions& o) {
    q->configure(o);
    ++configured;
  };
  const auto& units = model.units();
  Quantizer last_act{nullptr};  // last activation quantiser before the head
  for (size_t ui = 0; ui < units.size(); ++ui) {
    auto& unit = *units[ui];
    const bool stem = unit.role() == UnitRole::Stem, head = unit.role() == UnitRole::Head;
    const bool any_reads_input = std::any_of(unit.layers().begin(), unit.layers().end(),
                                             [](const LayerEntry& e) { return e.reads_unit_input; });
    if (setup.quantize_activations && setup.act_position == ActPosition::Input && unit.role() == UnitRole::Block &&
        any_reads_input) {
      enable(unit.input_quantizer, setup.act);
    }
    if (head && !setup.quantize_last_layer) continue;
    for (size_t li = 0; li < unit.layers().size(); ++li) {
      const auto& e = unit.layers()[li];
      const bool first_layer = stem && ui == 0 && li == 0;
      if (setup.quantize_weights) {
        int bits = first_layer ? setup.first_layer_weight_bits : head ? setup.last_layer_weight_bits : 0;
        enable(e.layer->weight_quantizer, with_bits(setup.weight, bits));
      }
      if (!setup.quantize_activations) continue;
      if (setup.act_position == ActPosition::Output) {
        if (!e.feeds_add && !head) {
          enable(e.layer->output_quantizer, with_bits(setup.act, stem ? setup.first_layer_act_bits : 0));
          last_act = e.layer->output_quantizer;
        }
      } else {
        const bool shared_at_entry = e.reads_unit_input && unit.role() == UnitRole::Block;
        if (!first_layer && !shared_at_entry)
          enable(e.layer->input_quantizer, with_bits(setup.act, head ? setup.last_layer_act_bits : 0));
      }
    }
    if (setup.quantize_activations && setup.act_position == ActPosition::Output && unit.role() == UnitRole::Block) {
      enable(unit.output_quantizer, setup.act);
      last_act = unit.output_quantizer;
    }
  }
  if (setup.act_position == ActPosition::Output && !last_act.is_empty() && setup.last_layer_act_bits > 0)
    last_act->configure(with_bits(last_act->options(), setup.last_layer_act_bits));
  return configured;
}

}  // namespace ptq
