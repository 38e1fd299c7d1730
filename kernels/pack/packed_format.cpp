#include "kernels/pack/packed_format.h"

#include "framework/core/check.h"

#include <cmath>

namespace ptq::kernels {
namespace {

float decode_int(uint32_t code) { return static_cast<float>(code); }

template <int Bits>
uint32_t encode_int(float v) {
  const float r = std::nearbyint(v);
  const float top = static_cast<float>((1u << Bits) - 1);
  return static_cast<uint32_t>(r < 0.f ? 0.f : (r > top ? top : r));
}

// Minifloat with subnormals, sign in the top bit: value = (−1)^s · 2^(e−bias) · (1 + m/2^M)
// for e > 0 and 2^(1−bias) · m/2^M for e = 0.
template <int E, int M>
float decode_minifloat(uint32_t code) {
  constexpr int bias = (1 << (E - 1)) - 1;
  const uint32_t man = code & ((1u << M) - 1);
  const uint32_t exp = (code >> M) & ((1u << E) - 1);
  const bool negative = (code >> (E + M)) & 1u;
  const float mag = exp == 0 ? std::ldexp(static_cast<float>(man), 1 - bias - M)
                             : std::ldexp(static_cast<float>((1u << M) | man), static_cast<int>(exp) - bias - M);
  return negative ? -mag : mag;
}

// Nearest code (ties to the even mantissa); magnitudes above the largest finite value
// saturate to it. `max_code` is the largest magnitude code (E4M3: 0x7E, 0x7F is NaN).
template <int E, int M, uint32_t MaxCode>
uint32_t encode_minifloat(float v) {
  constexpr int bias = (1 << (E - 1)) - 1;
  const bool negative = v < 0.f;
  const float a = std::fabs(v);
  uint32_t mag_code;
  if (!(a >= std::ldexp(1.f, 1 - bias))) {
    // Subnormal range (and 0, NaN → 0): uniform steps of 2^(1−bias−M); rounding up to
    // 2^M gives the smallest normal's code, as the code arithmetic carries into the exponent.
    mag_code = static_cast<uint32_t>(std::nearbyint(std::ldexp(a, bias - 1 + M)));
  } else {
    int e2 = 0;
    std::frexp(a, &e2);  // a = f · 2^e2 with f in [0.5, 1): unbiased exponent e2 − 1
    const int exp = e2 - 1 + bias;
    const float man = std::nearbyint(std::ldexp(a, M - (e2 - 1)) - static_cast<float>(1u << M));
    mag_code = (static_cast<uint32_t>(exp) << M) + static_cast<uint32_t>(man);  // man = 2^M carries
  }
  if (mag_code > MaxCode) mag_code = MaxCode;
  return (negative && mag_code != 0 ? (1u << (E + M)) : 0u) | mag_code;
}

const PackedFormatTraits kTraits[] = {
    {PackedFormat::Int2, "int2", 2, false, &decode_int, &encode_int<2>, 1e-4},
    {PackedFormat::Int3, "int3", 3, false, &decode_int, &encode_int<3>, 1e-4},
    {PackedFormat::Int4, "int4", 4, false, &decode_int, &encode_int<4>, 1e-4},
    {PackedFormat::Int8, "int8", 8, false, &decode_int, &encode_int<8>, 1e-4},
    {PackedFormat::Fp8E4M3, "fp8_e4m3", 8, true, &decode_minifloat<4, 3>, &encode_minifloat<4, 3, 0x7E>, 1e-4},
    {PackedFormat::Fp4E2M1, "fp4_e2m1", 4, true, &decode_minifloat<2, 1>, &encode_minifloat<2, 1, 0x7>, 1e-4},
};
constexpr int kCount = static_cast<int>(sizeof(kTraits) / sizeof(kTraits[0]));

}  // namespace

const PackedFormatTraits& format_traits(PackedFormat format) {
  const int i = static_cast<int>(format);
  PTQ_CHECK(i >= 0 && i < kCount, "unknown packed format id {} (valid: 0..{})", i, kCount - 1);
  return kTraits[i];
}

std::vector<PackedFormat> all_packed_formats() {
  std::vector<PackedFormat> out;
  for (const auto& t : kTraits) out.push_back(t.format);
  return out;
}

PackedFormat packed_format_named(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& t : kTraits) {
    if (name == t.name) return t.format;
    names.emplace_back(t.name);
  }
  PTQ_FAIL("unknown packed format '{}'; known formats: {}", name, fmt::join(names, ", "));
}

PackedFormat int_format_for_bits(int bits) {
  PTQ_CHECK(bits >= 2 && bits <= 8, "no packed integer format holds {}-bit weights; packed formats hold 2 to 8 bits",
            bits);
  if (bits == 2) return PackedFormat::Int2;
  if (bits == 3) return PackedFormat::Int3;
  if (bits == 4) return PackedFormat::Int4;
  return PackedFormat::Int8;
}

bool valid_pack_group(int64_t group_size, int64_t k) {
  return group_size == k || (group_size > 0 && group_size % kPackBlock == 0);
}

}  // namespace ptq::kernels
