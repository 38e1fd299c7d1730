// The optimisation loop for one group whose cache entries are ready (see reconstructor.h
// for the loop and group_context.h for the entries), followed by hard rounding, write-back
// into the weights and the verification that nearest rounding now reproduces the group.
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

// Checks that every weight of `layers` lies on its quantiser's grid: W/s + z is an integer
// in [qmin, qmax] and fake-quantising W returns W bit for bit. Throws InternalError naming
// the layer otherwise.
void verify_weights_on_grid(const std::vector<LayerEntry>& layers);

}  // namespace ptq
