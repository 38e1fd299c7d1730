// Plots rendered by gnuplot (Debian's gnuplot-nox): ptq writes the data (<out>.dat) and the
// script (<out>.gp) and runs gnuplot on it, which writes <out>.svg and <out>.png (pngcairo).
// The .dat and .gp stay next to the images, so a figure can be restyled or checked by hand.
//
//   plot_table   a paper table as metric versus column (e.g. bit width) per row (method):
//                means with ±std error bars, the FP level as a dashed line.
//   plot_run     one run's per-unit diagnostics: the reconstruction loss of every group over
//                its iterations (recon.jsonl, one variant) and the SQNR per unit of every
//                variant (metrics.json).
#pragma once

#include "framework/results/paper_table.h"

#include <string>
#include <vector>

namespace ptq {

// Whether `gnuplot` runs here.
bool gnuplot_available();

// Writes <out>.{dat,gp,svg,png}; returns the image paths.
std::vector<std::string> plot_table(const PaperTable& table, const std::string& out);

// Writes <out>-loss.* and <out>-sqnr.* for the run folder; `variant` picks the loss curves'
// variant (default: the last one). Returns the image paths.
std::vector<std::string> plot_run(const std::string& run_dir, const std::string& out, const std::string& variant = "");

}  // namespace ptq
