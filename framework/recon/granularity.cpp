#include "framework/recon/granularity.h"

#include "framework/core/check.h"
#include "framework/recon/quantizer_states.h"

namespace ptq {
namespace {

ReconGroup unit_range(const QuantModelImpl& model, size_t b, size_t e) {
  const auto& units = model.units();
  ReconGroup g;
  g.unit_begin = b;
  g.unit_end = e;
  g.name = e - b == 1 ? units[b]->unit_name() : units[b]->unit_name() + "+" + units[e - 1]->unit_name();
  g.is_stem = b == 0;
  g.is_head = e == units.size();
  return g;
}

// Spatial size of each unit's input and output on one probe image (all quantisers off).
std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> unit_shapes(QuantModelImpl& model) {
  QuantizerStateGuard off(model.quantizers(), QuantizerState::Off);
  torch::NoGradGuard no_grad;
  auto shape = model.input_shape();
  shape.insert(shape.begin(), 1);
  auto x = torch::zeros(shape);
  std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> out;
  for (size_t i = 0; i < model.units().size(); ++i) {
    auto y = model.forward_units(x, i, i + 1);
    auto spatial = [](const torch::Tensor& t) {
      return t.dim() > 2 ? t.sizes().slice(2).vec() : std::vector<int64_t>{};
    };
    out.emplace_back(spatial(x), spatial(y));
    x = y;
  }
  return out;
}

}  // namespace

std::vector<ReconGroup> make_groups(QuantModelImpl& model, const GranularityOptions& o) {
  const auto& units = model.units();
  const size_t n = units.size();
  PTQ_INTERNAL_ASSERT(n > 0, "model without units");
  std::vector<ReconGroup> groups;
  if (o.kind == "layer") {
    for (size_t u = 0; u < n; ++u)
      for (size_t l = 0; l < units[u]->layers().size(); ++l) {
        ReconGroup g = unit_range(model, u, u + 1);
        g.layer = static_cast<int>(l);
        g.name = units[u]->layers()[l].name;
        groups.push_back(g);
      }
  } else if (o.kind == "block") {
    for (size_t u = 0; u < n; ++u) groups.push_back(unit_range(model, u, u + 1));
  } else if (o.kind == "net") {
    groups.push_back(unit_range(model, 0, n));
  } else if (o.kind == "stage") {
    const auto shapes = unit_shapes(model);
    size_t begin = 0;
    for (size_t u = 0; u < n; ++u) {
      const bool own = units[u]->role() != UnitRole::Block;
      const bool downsamples = shapes[u].first != shapes[u].second;
      if (u > begin && (own || downsamples)) {
        groups.push_back(unit_range(model, begin, u));
        begin = u;
      }
      if (own) {
        groups.push_back(unit_range(model, u, u + 1));
        begin = u + 1;
      }
    }
    if (begin < n) groups.push_back(unit_range(model, begin, n));
  } else if (o.kind == "window") {
    PTQ_CHECK(o.window >= 1 && o.overlap >= 0 && o.overlap < o.window,
              "granularity window: expected window >= 1 and 0 <= overlap < window, got window {} overlap {}", o.window,
              o.overlap);
    const size_t step = static_cast<size_t>(o.window - o.overlap), k = static_cast<size_t>(o.window);
    size_t u = 0;
    while (u < n) {
      if (units[u]->role() != UnitRole::Block) {
        groups.push_back(unit_range(model, u, u + 1));
        ++u;
        continue;
      }
      size_t end = u;  // the run of blocks [u, end)
      while (end < n && units[end]->role() == UnitRole::Block) ++end;
      for (size_t s = u;; s += step) {
        const size_t e = std::min(s + k, end);
        groups.push_back(unit_range(model, s, e));
        if (e == end) break;
      }
      u = end;
    }
  } else if (o.kind == "ranges") {
    PTQ_CHECK(!o.ranges.empty(), "granularity.ranges: expected a list of [begin, end) unit ranges for kind 'ranges'");
    int64_t next = 0;
    for (const auto& [b, e] : o.ranges) {
      PTQ_CHECK(b == next && e > b && e <= static_cast<int64_t>(n),
                "granularity.ranges: [{}, {}) does not continue at unit {} (ranges must cover units 0..{} in "
                "order without gaps or overlaps)",
                b, e, next, n);
      groups.push_back(unit_range(model, static_cast<size_t>(b), static_cast<size_t>(e)));
      next = e;
    }
    PTQ_CHECK(next == static_cast<int64_t>(n), "granularity.ranges: the ranges end at unit {} but the model has {} units",
              next, n);
  } else {
    PTQ_FAIL("granularity.kind: expected one of layer, block, stage, net, window, ranges, got \"{}\"", o.kind);
  }
  return groups;
}

std::vector<LayerEntry> group_layers(const QuantModelImpl& model, const ReconGroup& g) {
  const auto& units = model.units();
  if (g.is_layer()) return {units[g.unit_begin]->layers()[static_cast<size_t>(g.layer)]};
  std::vector<LayerEntry> out;
  for (size_t u = g.unit_begin; u < g.unit_end; ++u)
    for (const auto& e : units[u]->layers()) out.push_back(e);
  return out;
}

std::vector<Quantizer> group_act_quantizers(const QuantModelImpl& model, const ReconGroup& g) {
  std::vector<Quantizer> out;
  auto add = [&](const Quantizer& q) {
    if (q->configured()) out.push_back(q);
  };
  for (const auto& e : group_layers(model, g)) {
    add(e.layer->input_quantizer);
    add(e.layer->output_quantizer);
  }
  if (!g.is_layer())
    for (size_t u = g.unit_begin; u < g.unit_end; ++u) {
      add(model.units()[u]->input_quantizer);
      add(model.units()[u]->output_quantizer);
    }
  return out;
}

bool group_in_list(const ReconGroup& g, const std::vector<std::string>& names) {
  for (const auto& s : names)
    if (s == g.name || (s == "stem" && g.is_stem) || (s == "head" && g.is_head)) return true;
  return false;
}

}  // namespace ptq
