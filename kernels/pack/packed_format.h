// Packed low-bit weight formats: one traits table describes every format ptq can deploy.
//
// A packed weight is a matrix W [N, K] (N output channels; K = input features, or
// in_channels·kh·kw for a conv) stored row by row as *codes*:
//   * integer formats (INT2/3/4/8): the code is u = q − qmin, an unsigned integer in
//     [0, 2^bits − 1], so signed and unsigned grids pack alike; the zero point is stored in the
//     same domain, zu = z − qmin, and a weight dequantises to (u − zu) · s — exactly the
//     fake-quant value (q − z) · s, since u − zu = q − z is a small integer.
//   * minifloat formats (FP8 E4M3, FP4 E2M1, OCP/MX encodings with subnormals): the code is
//     the bit pattern sign|exponent|mantissa and a weight dequantises to s · value(code).
// Codes are grouped in blocks of 32 consecutive elements of a row; a block is a little-endian
// bit stream of 32·bits bits held in `bits` uint32 words (code i occupies bits
// [bits·i, bits·i + bits) of the stream, so INT3 codes 10 and 21 straddle two words). A row
// of K elements takes ceil(K/32) blocks; the codes past K in the last block are 0 and never
// read. Scales are float32 per (row, group) with group size G ∈ {32, 64, 128, …} (a multiple
// of 32) or G = K (per channel); zero points uint8 per (row, group) for integer formats.
// The plain reference pack/unpack (pack_reference.h) is the specification of this layout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ptq::kernels {

enum class PackedFormat : int32_t { Int2 = 0, Int3 = 1, Int4 = 2, Int8 = 3, Fp8E4M3 = 4, Fp4E2M1 = 5 };

constexpr int64_t kPackBlock = 32;  // codes per block

struct PackedFormatTraits {
  PackedFormat format;
  const char* name;   // "int4", "fp8_e4m3", … (used in files and on the command line)
  int bits;           // bits per code
  bool is_float;      // minifloat codes (no zero point) or integer codes
  // Value of one code on the unit grid: the integer u for integer formats, the minifloat
  // number for float formats.
  float (*decode)(uint32_t code);
  // The code of a unit-grid value; for float formats `v` must lie on the grid (the nearest
  // code is returned, ties to the even code), for integer formats v is rounded and clamped.
  uint32_t (*encode)(float v);
  // Relative tolerance of packed logits against fake-quant logits with FP32 accumulation:
  // the weights are bit-identical, only the summation order differs.
  double logits_rtol;

  int64_t bytes_per_block() const { return 4 * bits; }
  int64_t words_per_row(int64_t k) const { return (k + kPackBlock - 1) / kPackBlock * bits; }
  uint32_t max_code() const { return (1u << bits) - 1; }
};

const PackedFormatTraits& format_traits(PackedFormat format);
// Every format, in enum order.
std::vector<PackedFormat> all_packed_formats();
// By name ("int4", "fp8_e4m3", …); throws UserError listing the names otherwise.
PackedFormat packed_format_named(const std::string& name);
// The smallest integer container for a `bits`-bit grid (5–7 bits go into INT8); throws
// UserError for bits outside 2..8.
PackedFormat int_format_for_bits(int bits);
// Valid group sizes: a multiple of 32, or the whole row (per channel).
bool valid_pack_group(int64_t group_size, int64_t k);

}  // namespace ptq::kernels
