#include "framework/method/recon_pass.h"

namespace ptq {

ReconReport run_recon_pass(MethodContext& ctx, Reconstructor& reconstructor) {
  if (!ctx.run_dir.empty()) reconstructor.set_log_file(ctx.run_dir + "/recon.jsonl");
  auto report = reconstructor.run(ctx.calibration, ctx.seed);
  if (!ctx.details.contains("passes")) ctx.details["passes"] = nlohmann::json::array();
  ctx.details["passes"].push_back(report.to_json());
  return report;
}

}  // namespace ptq
