// Where quantisers go and how many bits they get: one policy applied to any model.
//
// Activation position (act_position):
//   output — BRECQ / QDrop / PD-Quant: every layer's output is quantised after its
//            activation function, except layers that feed a residual add; each block
//            quantises once after add (+ReLU). The head's output (logits) is never quantised.
//   input  — MetaAug: every layer quantises its input; layers reading a block's input share
//            one quantiser at block entry (also seen by the identity shortcut). The first
//            layer's input (the image) is not quantised.
// First/last layers are explicit, never implicit:
//   first_layer.weight_bits / act_bits — the stem conv's weights and output (output policy).
//       The papers keep the stem's weights at 8 bits; BRECQ also makes the stem output
//       8-bit, QDrop/PD-Quant keep it at the network's A bits (act_bits: 0 = same as the rest).
//   last_layer.weight_bits / act_bits — the classifier's weights and its input. With the
//       output policy the classifier's input is the last activation quantiser before the head
//       (QDrop's fix of BRECQ's bug, ptq-methods.md §2.3).
//   last_layer.quantize — false keeps the head's layers entirely float (weights and input):
//       the LLM papers (GPTQ, CBQ) leave lm_head unquantised.
// With the input policy a block's entry quantiser is used only by blocks whose layers read
// the block input directly (CNN blocks); a decoder layer's linears read normalised states, so
// each quantises its own input (per-token for LLMs) and the residual stream stays float.
// A bits value of 0 means "same as the rest of the network"; a non-zero override is an
// integer grid even when the rest of the network uses a minifloat format.
#pragma once

#include "framework/nn/model.h"
#include "framework/quant/quantizer.h"

namespace ptq {

enum class ActPosition { Output, Input };

struct QuantSetup {
  bool quantize_weights = true;
  bool quantize_activations = true;
  QuantizerOptions weight;  // defaults set by default_weight_options()
  QuantizerOptions act;     // defaults set by default_act_options()
  ActPosition act_position = ActPosition::Output;
  int first_layer_weight_bits = 8;
  int first_layer_act_bits = 0;
  int last_layer_weight_bits = 8;
  int last_layer_act_bits = 8;
  bool quantize_last_layer = true;

  QuantSetup();
};

// Papers' defaults: weights asymmetric per-channel (axis 0) with the BRECQ MSE search,
// activations asymmetric per-tensor with the same search.
QuantizerOptions default_weight_options(int bits = 4);
QuantizerOptions default_act_options(int bits = 4);

// Configures (and turns Off, uncalibrated) every quantiser of the model per the setup.
// Unused quantisers are left unconfigured. Returns the number of quantisers configured.
int apply_quant_setup(QuantModelImpl& model, const QuantSetup& setup);

}  // namespace ptq
