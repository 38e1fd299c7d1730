#include "framework/method/recon_pass.h"

#include "framework/core/check.h"

#include <fstream>

namespace ptq {

ReconReport run_recon_pass(MethodContext& ctx, Reconstructor& reconstructor) {
  if (!ctx.run_dir.empty()) {
    // A marker line: the lines that follow (until the next marker) belong to this variant.
    const std::string path = ctx.run_dir + "/recon.jsonl";
    std::ofstream marker(path, std::ios::app);
    PTQ_CHECK(static_cast<bool>(marker), "cannot open the reconstruction log {} for writing", path);
    marker << nlohmann::json({{"variant", ctx.variant}, {"start", true}}).dump() << "\n";
    marker.close();
    reconstructor.set_log_file(path);
  }
  auto report = reconstructor.run(ctx.calibration, ctx.seed);
  if (!ctx.details.contains("passes")) ctx.details["passes"] = nlohmann::json::array();
  ctx.details["passes"].push_back(report.to_json());
  return report;
}

ReconReport calibrate_and_reconstruct(MethodContext& ctx, const ReconOptions& options) {
  calibrate_weights(ctx.model);
  if (options.quantize_activations && options.act_init == "none")
    calibrate_activations(ctx.model, ctx.calibration, ctx.calibration_options);
  Reconstructor r(ctx.model, options);
  return run_recon_pass(ctx, r);
}

}  // namespace ptq
