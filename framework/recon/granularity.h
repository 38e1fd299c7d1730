// Reconstruction granularity: how a model's units are cut into the groups that are
// reconstructed one after another (BRECQ §2.2; DESIGN.md):
//   layer  — every conv / linear on its own (AdaRound): the target is that layer's float
//            output (after its activation function), its input is captured inside the unit;
//   block  — every unit (BRECQ, QDrop): residual connections stay inside a group;
//   stage  — runs of blocks at one resolution: a new stage starts at each block whose output
//            has a different spatial size than its input; stem and head stay on their own;
//   net    — the whole network as one group;
//   window — CBQ's sliding windows: `window` consecutive blocks per group, consecutive windows
//            sharing `overlap` blocks ((1,2), (2,3), ... for window 2, overlap 1); units that
//            are not blocks (stem, head) are groups of their own. A block in two windows is
//            optimised in both; the next window's input is the quantised output of the blocks
//            before it (the first window − overlap blocks of the previous window);
//   ranges — an explicit list of unit index ranges [begin, end), covering every unit once,
//            in order (e.g. [[0,1],[1,3],[3,5],[5,6]]).
#pragma once

#include "framework/nn/model.h"

#include <string>
#include <utility>
#include <vector>

namespace ptq {

struct GranularityOptions {
  std::string kind = "block";  // layer | block | stage | net | window | ranges
  int64_t window = 2;          // kind = window: blocks per window
  int64_t overlap = 1;         // kind = window: blocks shared by consecutive windows (< window)
  std::vector<std::pair<int64_t, int64_t>> ranges;  // kind = ranges
};

struct ReconGroup {
  std::string name;              // "layer1.0", "layer1.0+layer1.1", "layer1.0.conv1"
  size_t unit_begin = 0, unit_end = 0;  // units spanned [begin, end)
  int layer = -1;                // index into units[unit_begin]->layers() for layer groups
  bool is_layer() const { return layer >= 0; }
  bool is_stem = false;          // covers the model's first unit (the image reader)
  bool is_head = false;          // covers the last unit
};

std::vector<ReconGroup> make_groups(QuantModelImpl& model, const GranularityOptions& options);

// Whether a list of group names names g; "stem" and "head" name the first and the last unit's
// groups (the skip lists of ReconOptions and of MetaAug's meta stage).
bool group_in_list(const ReconGroup& g, const std::vector<std::string>& names);

// The layers a group optimises and every quantiser inside it.
std::vector<LayerEntry> group_layers(const QuantModelImpl& model, const ReconGroup& g);
std::vector<Quantizer> group_act_quantizers(const QuantModelImpl& model, const ReconGroup& g);

}  // namespace ptq
