// QuantSpec: *what* a quantiser represents, independent of how its range is found.
//
//  format       int (uniform integer grid) or float (minifloat ExMy, e.g. OCP FP8 E4M3)
//  bits         2..16 for int; for float it is 1 + exp_bits + man_bits
//  is_signed    int grid [-2^(b-1), 2^(b-1)-1] (true) or [0, 2^b-1] (false, the papers' default)
//  symmetric    zero point fixed at 0 (true) or learned from the range (false, default)
//  granularity  tensor (one scale), channel (one per index of `axis`), or group
//               (`group_size` consecutive elements of the tensor flattened from `axis` on;
//               for a weight [O, I, kh, kw] with axis 1 that is groups along I*kh*kw), or
//               token (one scale per vector along the last dimension: every token of an
//               LLM's [B, T, C] activation; dynamic only, since the token count varies)
//  dynamic      scales computed from every input on the fly (per-token / per-group
//               activations of LLMs) instead of calibrated once
//
// Minifloat formats follow the OCP 8-bit / MX specs: E4M3 has no infinities and one NaN
// mantissa pattern (max 448), E5M2 is IEEE-like (max 57344), E3M2 / E2M3 / E2M1 have no
// inf/NaN encodings at all (max 28 / 7.5 / 6). Bias and subnormal support are configurable.
#pragma once

#include <cstdint>
#include <string>

namespace ptq {

enum class NumberFormat { Int, Float };
enum class Granularity { Tensor, Channel, Group, Token };

// How the top exponent field of a minifloat is used.
enum class FloatSpecials {
  IEEE,        // top exponent reserved for inf/NaN (E5M2)
  NanOnly,     // top exponent holds values, mantissa all-ones is NaN ("fn" formats, E4M3)
  FiniteOnly,  // every encoding is a finite number (MX FP6/FP4)
};

struct MiniFloat {
  int exp_bits = 4;
  int man_bits = 3;
  int bias = 7;
  bool subnormals = true;
  FloatSpecials specials = FloatSpecials::NanOnly;

  // Largest finite magnitude, e.g. 448 for E4M3, 57344 for E5M2.
  double max_value() const;
  // Smallest positive normal 2^(1-bias), and the smallest exponent of the grid.
  double min_normal() const;
  int min_exponent() const { return 1 - bias; }
  std::string name() const;  // "e4m3", or "e4m3b10" when the bias is not the standard one

  // Standard formats by name (e4m3, e5m2, e3m2, e2m3, e2m1); throws UserError otherwise.
  static MiniFloat named(const std::string& name);
  static int standard_bias(int exp_bits) { return (1 << (exp_bits - 1)) - 1; }
};

struct QuantSpec {
  NumberFormat format = NumberFormat::Int;
  int bits = 8;
  bool is_signed = false;
  bool symmetric = false;
  Granularity granularity = Granularity::Tensor;
  int64_t axis = 0;
  int64_t group_size = 128;
  bool dynamic = false;
  MiniFloat minifloat;

  int64_t qmin() const;  // integer grid bounds (int format only)
  int64_t qmax() const;
  // Throws UserError naming `where` (e.g. "quant.weight") when the spec is inconsistent.
  void validate(const std::string& where = "quant spec") const;
  // Compact description used by pretty_print: "int4/ch", "uint8/tensor", "e4m3/g128".
  std::string to_string() const;
};

std::string granularity_name(Granularity g);

}  // namespace ptq
