// The optimisation loop for one group whose cache entries are ready (see reconstructor.h
// for the loop and group_context.h for the entries), followed by hard rounding (kept in the
// weight quantisers; the float weights stay) and the check that the quantised weights are on
// their grid and survive packing to integer codes.
// Internal to the Reconstructor; exposed for tests and for methods that drive groups
// themselves.
#pragma once

#include "framework/recon/group_context.h"
#include "framework/recon/input_policy.h"
#include "framework/recon/loss.h"
#include "framework/recon/recon_options.h"
#include "framework/recon/reconstructor.h"

#include <memory>
#include <ostream>
#include <vector>

namespace ptq {

GroupReport optimize_group(GroupContext& ctx, const ReconOptions& options, InputPolicy& input,
                           const std::vector<std::shared_ptr<ReconLoss>>& losses, std::ostream* log);

// Checks that every quantised weight Ŵ of `layers` (effective_weight()) lies on its
// quantiser's grid: Ŵ/s + z is an integer in [qmin, qmax], and nearest-rounding Ŵ (what a
// packed format stores) returns Ŵ bit for bit. Throws InternalError naming the layer otherwise.
void verify_weights_on_grid(const std::vector<LayerEntry>& layers);

}  // namespace ptq
