// Shared steps of reconstruction methods: run one Reconstructor pass with its log in the
// run directory (<run_dir>/recon.jsonl, each pass opened by a {"variant": NAME, "start": true}
// line so plots can tell the variants apart) and its report appended to the method's details
// (ctx.details["passes"]), so metrics.json records per-group loss, iterations and time.
#pragma once

#include "framework/method/method.h"
#include "framework/recon/reconstructor.h"

namespace ptq {

ReconReport run_recon_pass(MethodContext& ctx, Reconstructor& reconstructor);

// The single-pass methods' sequence (AdaRound, QDrop, CBQ): weight quantisers calibrated,
// activation quantisers calibrated unless the pass initialises them per group (act_init) or
// keeps them off, then one reconstruction pass with `options`.
ReconReport calibrate_and_reconstruct(MethodContext& ctx, const ReconOptions& options);

}  // namespace ptq
