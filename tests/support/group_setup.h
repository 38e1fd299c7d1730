// One reconstruction group of the recon fixture model (block granularity) with a context
// over a cache holding the group's float input ("fp_in"), the same tensor as its quantised
// input ("q_in"), and its float output ("fp_out"), every quantiser off while they were
// computed — as the reconstructor prepares a group, for tests of input policies and losses.
#pragma once

#include "framework/recon/activation_cache.h"
#include "framework/recon/granularity.h"
#include "framework/recon/group_context.h"
#include "framework/recon/quantizer_states.h"
#include "tests/support/recon_fixture.h"

#include <memory>
#include <vector>

namespace ptq::test {

struct GroupSetup {
  ReconFixture f;
  std::vector<ReconGroup> groups;
  ActivationCache cache;
  std::unique_ptr<GroupContext> ctx;

  explicit GroupSetup(size_t group_index, ReconFixture fixture = make_recon_fixture(2, 4, 16)) : f(std::move(fixture)) {
    GranularityOptions go;
    go.kind = "block";
    groups = make_groups(*f.model, go);
    const auto& g = groups.at(group_index);
    torch::NoGradGuard no_grad;
    QuantizerStateGuard off(f.model->quantizers(), QuantizerState::Off);
    auto in = f.model->forward_units(f.images, 0, g.unit_begin);
    cache.fill("fp_in", in.size(0), 16, [&](int64_t b, int64_t c) { return in.narrow(0, b, c); });
    cache.fill("q_in", in.size(0), 16, [&](int64_t b, int64_t c) { return in.narrow(0, b, c); });
    cache.fill("fp_out", in.size(0), 16,
               [&](int64_t b, int64_t c) { return f.model->forward_units(in.narrow(0, b, c), g.unit_begin, g.unit_end); });
    ctx = std::make_unique<GroupContext>(GroupContext{*f.model, g, cache, in.size(0), 16, [this, &g](const torch::Tensor& x) {
                                                        return f.model->forward_units(x, g.unit_begin, g.unit_end);
                                                      }});
  }
};

}  // namespace ptq::test
