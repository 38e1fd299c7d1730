// CUDA kernels for packed low-bit weights (layout: kernels/pack/packed_format.h): a GEMV for
// decode-sized batches (y [m, n] = x [m, k] · Wᵀ, m ≤ 8) and a dequantiser (W → [n, k] in the
// activation dtype, used before cuBLAS for larger m). Both decode the codes in registers.
//
// GEMV mapping: a CTA of 8 warps; each output row belongs to 1, 2, 4 or 8 warps of one CTA
// (more warps per row only when the layer has too few rows to fill the GPU), and each lane
// takes whole 32-code blocks of the row, striding by the number of lanes on the row. A lane
// loads a block's `bits` words with the widest aligned load (INT4/FP4: one 16-byte load, INT8
// and FP8: two, INT2: one 8-byte load, INT3: three 4-byte loads), prefetching its next block
// while it computes the current one, so each warp streams contiguous, coalesced words.
// Decoding: code i of a block sits at compile-time constant word/shift positions once the
// loops are unrolled (INT3 codes 10 and 21 join two words). Integer codes become (u − zu)·s
// through the exact 2^23 trick (dequant_int), minifloats through an exact bit construction,
// so every weight equals dequantize_reference bit for bit; products accumulate in FP32,
// then a warp-shuffle reduction (and, with several warps per row, a fixed-order sum in
// shared memory) gives each output, written in the activation dtype.
// Activations are read straight from global memory (16-byte __ldg when aligned), not staged
// in shared memory: x is at most 8·K values shared by every CTA, so it stays in L1/L2, and
// shared memory would cost the same bandwidth per read (it is the L1 array) plus block-wide
// barriers between K chunks, since 8 rows × K up to 16384 floats does not fit at once.
// Dequantiser: one thread per 32-code block, writing 32 outputs with 16-byte stores.
// Raw pointers only: nvcc never parses LibTorch. Launches are checked, never synchronised.
#include "kernels/packed_linear/packed_cuda_launch.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace ptq::kernels {
namespace {

constexpr int kWarpSize = 32;
constexpr int kWarpsPerCta = 8;
constexpr int kThreads = kWarpSize * kWarpsPerCta;
constexpr int kMaxM = 8;            // largest m of the GEMV (kCudaGemvMaxRows)
constexpr int kCodesPerBlock = 32;  // kPackBlock
constexpr int kChunk = 8;           // codes decoded, then multiplied, at a time
constexpr int64_t kMaxGrid = int64_t{1} << 20;  // CTAs per launch; the kernels grid-stride

// PackedFormat ids (packed_format.h).
constexpr int kInt2 = 0, kInt3 = 1, kInt4 = 2, kInt8 = 3, kFp8E4M3 = 4, kFp4E2M1 = 5;

__host__ __device__ constexpr int format_bits(int format) {
  return format == kInt2 ? 2 : format == kInt3 ? 3 : (format == kInt4 || format == kFp4E2M1) ? 4 : 8;
}
__host__ __device__ constexpr bool format_is_float(int format) { return format == kFp8E4M3 || format == kFp4E2M1; }

void check_cuda(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(err));
}

void fail(const char* fn, const std::string& why) { throw std::runtime_error(std::string(fn) + ": " + why); }

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

// ---------------------------------------------------------------------------------------
// Device helpers: loading and decoding one 32-code block.

// One block of a row in registers: its packed words, and the scale and zero bias of its
// group (a block never spans two groups: G is a multiple of 32, or G = K is one group).
template <int kFormat>
struct Block {
  uint32_t word[format_bits(kFormat)];
  float scale;
  float zero_bias;  // 2^23 + zu for integer formats (see dequant_int); 0 for minifloats
};

// The kBits words of a block at p. `aligned`: the words array starts on 16 bytes, so every
// block (4·kBits bytes, at a multiple of 4·kBits from the start) is aligned for its vector.
template <int kBits>
__device__ __forceinline__ void load_words(const uint32_t* __restrict__ p, bool aligned, uint32_t (&w)[kBits]) {
  if constexpr (kBits % 4 == 0) {
    if (aligned) {
#pragma unroll
      for (int i = 0; i < kBits / 4; ++i) {
        const uint4 v = __ldg(reinterpret_cast<const uint4*>(p) + i);
        w[4 * i] = v.x, w[4 * i + 1] = v.y, w[4 * i + 2] = v.z, w[4 * i + 3] = v.w;
      }
      return;
    }
  } else if constexpr (kBits == 2) {
    if (aligned) {
      const uint2 v = __ldg(reinterpret_cast<const uint2*>(p));
      w[0] = v.x, w[1] = v.y;
      return;
    }
  }
#pragma unroll
  for (int i = 0; i < kBits; ++i) w[i] = __ldg(p + i);
}

// Block `b` of row `row`, with its group's scale and zero point.
template <int kFormat>
__device__ __forceinline__ void load_block(const PackedDeviceView& w, int64_t row, uint32_t b,
                                           uint32_t blocks_per_group, bool aligned, Block<kFormat>& out) {
  constexpr int kBits = format_bits(kFormat);
  load_words<kBits>(w.words + row * w.words_per_row + static_cast<int64_t>(b) * kBits, aligned, out.word);
  const int64_t g = row * w.groups + b / blocks_per_group;
  out.scale = __ldg(w.scales + g);
  if constexpr (format_is_float(kFormat)) {
    out.zero_bias = 0.f;
  } else {
    out.zero_bias = 8388608.f + static_cast<float>(__ldg(w.zeros + g));
  }
}

// Code i (0..31) of a block: bits [kBits·i, kBits·i + kBits) of its little-endian stream. The
// callers unroll their loops over i, so the word index and shifts are constants.
template <int kBits>
__device__ __forceinline__ uint32_t block_code(const uint32_t (&w)[kBits], int i) {
  const int bit = kBits * i, word = bit / 32, off = bit % 32;
  uint32_t code = w[word] >> off;
  if (off + kBits > 32) code |= w[word + 1] << (32 - off);  // straddles two words (INT3)
  return code & ((1u << kBits) - 1u);
}

// (u − zu)·s for an integer code: the bits 0x4B000000 | u are the float 2^23 + u, and
// subtracting zero_bias = 2^23 + zu leaves u − zu exactly (all integers below 2^24), so the
// product is the reference's (float(u) − float(zu))·s bit for bit, without an int→float cvt.
__device__ __forceinline__ float dequant_int(uint32_t u, float scale, float zero_bias) {
  return (__uint_as_float(0x4B000000u | u) - zero_bias) * scale;
}

// Exact value of a minifloat code sign|exponent(E)|mantissa(M) with subnormals, as the
// reference decode_minifloat: a normal code's exponent is re-biased into the float's exponent
// field; a subnormal one (exponent field 0) is man · 2^(1 − bias − M), exact in float32.
template <int E, int M>
__device__ __forceinline__ float minifloat_value(uint32_t code) {
  constexpr int kBias = (1 << (E - 1)) - 1;
  constexpr uint32_t kSubnormalStepBits = static_cast<uint32_t>(127 + 1 - kBias - M) << 23;
  const uint32_t man = code & ((1u << M) - 1u);
  const uint32_t exp = (code >> M) & ((1u << E) - 1u);
  const float mag = exp == 0u ? static_cast<float>(man) * __uint_as_float(kSubnormalStepBits)
                              : __uint_as_float(((exp + (127u - kBias)) << 23) | (man << (23 - M)));
  return ((code >> (E + M)) & 1u) ? -mag : mag;
}

// The dequantised weight of one code, equal to dequantize_reference's.
template <int kFormat>
__device__ __forceinline__ float dequant_code(uint32_t code, float scale, float zero_bias) {
  if constexpr (kFormat == kFp8E4M3) {
    return scale * minifloat_value<4, 3>(code);
  } else if constexpr (kFormat == kFp4E2M1) {
    return scale * minifloat_value<2, 1>(code);
  } else {
    return dequant_int(code, scale, zero_bias);
  }
}

// Weights kChunk·c .. kChunk·c + 7 of a block.
template <int kFormat>
__device__ __forceinline__ void dequant_chunk(const Block<kFormat>& blk, int c, float (&v)[kChunk]) {
#pragma unroll
  for (int j = 0; j < kChunk; ++j) v[j] = dequant_code<kFormat>(block_code(blk.word, kChunk * c + j), blk.scale, blk.zero_bias);
}

// ---------------------------------------------------------------------------------------
// Device helpers: activations (float, __half, __nv_bfloat16) to and from float.

__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(__half v) { return __half2float(v); }
__device__ __forceinline__ float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T>
__device__ __forceinline__ T from_float(float v);
template <>
__device__ __forceinline__ float from_float<float>(float v) { return v; }
template <>
__device__ __forceinline__ __half from_float<__half>(float v) { return __float2half_rn(v); }
template <>
__device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// The two 16-bit values of a 32-bit word (low half first) as floats.
__device__ __forceinline__ void unpack_pair(uint32_t bits, __half, float& lo, float& hi) {
  lo = __half2float(__ushort_as_half(static_cast<unsigned short>(bits & 0xFFFFu)));
  hi = __half2float(__ushort_as_half(static_cast<unsigned short>(bits >> 16)));
}
__device__ __forceinline__ void unpack_pair(uint32_t bits, __nv_bfloat16, float& lo, float& hi) {
  lo = __uint_as_float(bits << 16);  // bf16 → float is exact: the bf16 bits are the top half
  hi = __uint_as_float(bits & 0xFFFF0000u);
}

// Two floats rounded to nearest into one 32-bit word of 16-bit values (low half first).
__device__ __forceinline__ uint32_t pack_pair(float lo, float hi, __half) {
  return static_cast<uint32_t>(__half_as_ushort(__float2half_rn(lo))) |
         (static_cast<uint32_t>(__half_as_ushort(__float2half_rn(hi))) << 16);
}
__device__ __forceinline__ uint32_t pack_pair(float lo, float hi, __nv_bfloat16) {
  return static_cast<uint32_t>(__bfloat16_as_ushort(__float2bfloat16_rn(lo))) |
         (static_cast<uint32_t>(__bfloat16_as_ushort(__float2bfloat16_rn(hi))) << 16);
}

// kChunk = 8 consecutive activations at a 16-byte aligned address, as float.
__device__ __forceinline__ void load8(const float* p, float (&v)[kChunk]) {
  const float4 a = __ldg(reinterpret_cast<const float4*>(p));
  const float4 b = __ldg(reinterpret_cast<const float4*>(p) + 1);
  v[0] = a.x, v[1] = a.y, v[2] = a.z, v[3] = a.w, v[4] = b.x, v[5] = b.y, v[6] = b.z, v[7] = b.w;
}
template <typename T>  // __half or __nv_bfloat16
__device__ __forceinline__ void load8(const T* p, float (&v)[kChunk]) {
  const uint4 q = __ldg(reinterpret_cast<const uint4*>(p));
  unpack_pair(q.x, T{}, v[0], v[1]);
  unpack_pair(q.y, T{}, v[2], v[3]);
  unpack_pair(q.z, T{}, v[4], v[5]);
  unpack_pair(q.w, T{}, v[6], v[7]);
}

// kChunk = 8 values stored at a 16-byte aligned address, rounded to nearest for 16-bit types.
__device__ __forceinline__ void store8(float* p, const float (&v)[kChunk]) {
  reinterpret_cast<float4*>(p)[0] = make_float4(v[0], v[1], v[2], v[3]);
  reinterpret_cast<float4*>(p)[1] = make_float4(v[4], v[5], v[6], v[7]);
}
template <typename T>  // __half or __nv_bfloat16
__device__ __forceinline__ void store8(T* p, const float (&v)[kChunk]) {
  *reinterpret_cast<uint4*>(p) = make_uint4(pack_pair(v[0], v[1], T{}), pack_pair(v[2], v[3], T{}),
                                            pack_pair(v[4], v[5], T{}), pack_pair(v[6], v[7], T{}));
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int offset = kWarpSize / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(0xFFFFFFFFu, v, offset);
  return v;
}

// ---------------------------------------------------------------------------------------
// GEMV.

struct GemvArgs {
  PackedDeviceView w;
  const void* x;              // [m, k] in the activation dtype
  void* y;                    // [m, n] in the activation dtype
  int32_t m;                  // 1..kMaxM
  uint32_t blocks_per_row;    // ceil(k / 32)
  uint32_t blocks_per_group;  // G / 32, or blocks_per_row when G = K (one group)
  int32_t warps_per_row;      // 1, 2, 4 or 8
  bool words_aligned;         // w.words on 16 bytes
  bool x_aligned;             // x on 16 bytes and each row of x a multiple of 16 bytes
};

// acc[r] += Σ_i W[row, k0 + i] · x[r, k0 + i] over a full block (k0 + 32 ≤ k) with x aligned.
template <int kFormat, int kM, typename T>
__device__ __forceinline__ void gemv_full_block(const Block<kFormat>& blk, const T* __restrict__ x, int64_t k,
                                                int64_t k0, int m, float (&acc)[kM]) {
#pragma unroll
  for (int c = 0; c < kCodesPerBlock / kChunk; ++c) {
    float wv[kChunk];
    dequant_chunk(blk, c, wv);
#pragma unroll
    for (int r = 0; r < kM; ++r) {
      if (r < m) {
        float xv[kChunk];
        load8(x + r * k + k0 + kChunk * c, xv);
#pragma unroll
        for (int j = 0; j < kChunk; ++j) acc[r] = fmaf(wv[j], xv[j], acc[r]);
      }
    }
  }
}

// The same for any block: element loads, and the codes at k0 + i ≥ k (zero padding of the
// last block) are skipped, so x is never read past its row.
template <int kFormat, int kM, typename T>
__device__ __forceinline__ void gemv_any_block(const Block<kFormat>& blk, const T* __restrict__ x, int64_t k,
                                               int64_t k0, int m, float (&acc)[kM]) {
  const int64_t valid = k - k0 < kCodesPerBlock ? k - k0 : kCodesPerBlock;
#pragma unroll
  for (int c = 0; c < kCodesPerBlock / kChunk; ++c) {
    float wv[kChunk];
    dequant_chunk(blk, c, wv);
#pragma unroll
    for (int r = 0; r < kM; ++r) {
      if (r < m) {
#pragma unroll
        for (int j = 0; j < kChunk; ++j) {
          const int i = kChunk * c + j;
          if (i < valid) acc[r] = fmaf(wv[j], to_float(x[r * k + k0 + i]), acc[r]);
        }
      }
    }
  }
}

// One lane's share of a row: blocks first, first + stride, … < blocks_per_row, with the next
// block's words loaded before the current one is decoded.
template <int kFormat, int kM, typename T>
__device__ __forceinline__ void gemv_row_part(const GemvArgs& a, const T* __restrict__ x, int64_t row, uint32_t first,
                                              uint32_t stride, float (&acc)[kM]) {
  if (first >= a.blocks_per_row) return;
  uint32_t b = first;
  Block<kFormat> cur;
  load_block(a.w, row, b, a.blocks_per_group, a.words_aligned, cur);
  while (true) {
    const uint32_t next = b + stride;  // no overflow: blocks_per_row ≤ INT32_MAX, stride ≤ 256
    const bool more = next < a.blocks_per_row;
    Block<kFormat> ahead = cur;
    if (more) load_block(a.w, row, next, a.blocks_per_group, a.words_aligned, ahead);
    const int64_t k0 = static_cast<int64_t>(b) * kCodesPerBlock;
    if (a.x_aligned && k0 + kCodesPerBlock <= a.w.k) {
      gemv_full_block(cur, x, a.w.k, k0, a.m, acc);
    } else {
      gemv_any_block(cur, x, a.w.k, k0, a.m, acc);
    }
    if (!more) break;
    cur = ahead;
    b = next;
  }
}

// kM: accumulator slots, m rounded up to 1, 2, 4 or 8 (the registers follow kM, not kMaxM).
template <int kFormat, int kM, typename T>
__global__ void __launch_bounds__(kThreads) packed_gemv_kernel(GemvArgs a) {
  const T* __restrict__ x = static_cast<const T*>(a.x);
  T* __restrict__ y = static_cast<T*>(a.y);
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int rows_per_cta = kWarpsPerCta / a.warps_per_row;
  const int part = warp % a.warps_per_row;  // this warp's slice of its row's blocks
  const uint32_t first = static_cast<uint32_t>(part * kWarpSize + lane);
  const uint32_t stride = static_cast<uint32_t>(a.warps_per_row * kWarpSize);
  const int64_t n = a.w.n;
  __shared__ float partial[kWarpsPerCta][kM];

  // The loop bounds are the same for the whole CTA, so the barriers below are reached by all.
  for (int64_t base = static_cast<int64_t>(blockIdx.x) * rows_per_cta; base < n;
       base += static_cast<int64_t>(gridDim.x) * rows_per_cta) {
    const int64_t row = base + warp / a.warps_per_row;
    float acc[kM];
#pragma unroll
    for (int r = 0; r < kM; ++r) acc[r] = 0.f;
    if (row < n) gemv_row_part<kFormat, kM>(a, x, row, first, stride, acc);
#pragma unroll
    for (int r = 0; r < kM; ++r) {
      if (r < a.m) acc[r] = warp_sum(acc[r]);
    }

    if (a.warps_per_row == 1) {
      if (lane == 0 && row < n) {
#pragma unroll
        for (int r = 0; r < kM; ++r) {
          if (r < a.m) y[r * n + row] = from_float<T>(acc[r]);
        }
      }
    } else {
      // The row's warps are warp − part … warp − part + warps_per_row − 1; the first one adds
      // their sums in that fixed order (deterministic results).
      if (lane == 0) {
#pragma unroll
        for (int r = 0; r < kM; ++r) partial[warp][r] = acc[r];
      }
      __syncthreads();
      if (part == 0 && lane == 0 && row < n) {
#pragma unroll
        for (int r = 0; r < kM; ++r) {
          if (r < a.m) {
            float sum = 0.f;
            for (int p = 0; p < a.warps_per_row; ++p) sum += partial[warp + p][r];
            y[r * n + row] = from_float<T>(sum);
          }
        }
      }
      __syncthreads();  // partial is rewritten by the next row tile
    }
  }
}

// ---------------------------------------------------------------------------------------
// Dequantisation.

struct DequantArgs {
  PackedDeviceView w;
  void* out;                  // [n, k] in the output dtype
  uint32_t blocks_per_row;    // ceil(k / 32)
  uint32_t blocks_per_group;  // as in GemvArgs
  bool words_aligned;         // w.words on 16 bytes
  bool out_aligned;           // out on 16 bytes and each row a multiple of 16 bytes
};

// One thread per (row, block): out[row, 32·b + i] for the block's codes below k.
template <int kFormat, typename T>
__global__ void __launch_bounds__(kThreads) packed_dequantize_kernel(DequantArgs a) {
  T* __restrict__ out = static_cast<T*>(a.out);
  const int64_t k = a.w.k;
  const int64_t total = a.w.n * static_cast<int64_t>(a.blocks_per_row);
  for (int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; t < total;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = t / a.blocks_per_row;
    const uint32_t b = static_cast<uint32_t>(t - row * a.blocks_per_row);
    Block<kFormat> blk;
    load_block(a.w, row, b, a.blocks_per_group, a.words_aligned, blk);
    const int64_t k0 = static_cast<int64_t>(b) * kCodesPerBlock;
    T* o = out + row * k + k0;
    if (a.out_aligned && k0 + kCodesPerBlock <= k) {
#pragma unroll
      for (int c = 0; c < kCodesPerBlock / kChunk; ++c) {
        float v[kChunk];
        dequant_chunk(blk, c, v);
        store8(o + kChunk * c, v);
      }
    } else {
      const int64_t valid = k - k0 < kCodesPerBlock ? k - k0 : kCodesPerBlock;
#pragma unroll
      for (int i = 0; i < kCodesPerBlock; ++i) {
        if (i < valid) o[i] = from_float<T>(dequant_code<kFormat>(block_code(blk.word, i), blk.scale, blk.zero_bias));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Host side.

// Calls launch(std::integral_constant<int, format>{}, T{}) with the activation type T of dtype.
template <int kFormat, typename Launch>
void dispatch_dtype(ActDType dtype, Launch&& launch, const char* fn) {
  using F = std::integral_constant<int, kFormat>;
  switch (dtype) {
    case ActDType::F32: launch(F{}, float{}); return;
    case ActDType::F16: launch(F{}, __half{}); return;
    case ActDType::BF16: launch(F{}, __nv_bfloat16{}); return;
  }
  fail(fn, "unknown activation dtype id " + std::to_string(static_cast<int>(dtype)));
}

template <typename Launch>
void dispatch(int32_t format, ActDType dtype, Launch&& launch, const char* fn) {
  switch (format) {
    case kInt2: dispatch_dtype<kInt2>(dtype, launch, fn); return;
    case kInt3: dispatch_dtype<kInt3>(dtype, launch, fn); return;
    case kInt4: dispatch_dtype<kInt4>(dtype, launch, fn); return;
    case kInt8: dispatch_dtype<kInt8>(dtype, launch, fn); return;
    case kFp8E4M3: dispatch_dtype<kFp8E4M3>(dtype, launch, fn); return;
    case kFp4E2M1: dispatch_dtype<kFp4E2M1>(dtype, launch, fn); return;
  }
  fail(fn, "unknown packed format id " + std::to_string(format));
}

int64_t dtype_bytes(ActDType dtype) { return dtype == ActDType::F32 ? 4 : 2; }

// Checks that the view is self-consistent (the kernels index by these fields) for k > 0.
void check_view(const PackedDeviceView& w, const char* fn) {
  if (w.format < kInt2 || w.format > kFp4E2M1) fail(fn, "unknown packed format id " + std::to_string(w.format));
  if (w.bits != format_bits(w.format))
    fail(fn, "format " + std::to_string(w.format) + " has " + std::to_string(format_bits(w.format)) +
                 "-bit codes, the view says " + std::to_string(w.bits));
  if (w.n < 0 || w.k <= 0) fail(fn, "bad shape [" + std::to_string(w.n) + ", " + std::to_string(w.k) + "]");
  if (!(w.group_size == w.k || (w.group_size > 0 && w.group_size % kCodesPerBlock == 0)))
    fail(fn, "group size " + std::to_string(w.group_size) + " is neither a multiple of 32 nor K");
  const int64_t blocks = ceil_div(w.k, kCodesPerBlock);
  if (blocks > INT32_MAX) fail(fn, "K = " + std::to_string(w.k) + " is too large");
  if (w.words_per_row != blocks * w.bits)
    fail(fn, "words_per_row is " + std::to_string(w.words_per_row) + ", expected " + std::to_string(blocks * w.bits));
  if (w.groups != ceil_div(w.k, w.group_size))
    fail(fn, "groups is " + std::to_string(w.groups) + ", expected " + std::to_string(ceil_div(w.k, w.group_size)));
  if (w.n > 0 && (w.words == nullptr || w.scales == nullptr || (!format_is_float(w.format) && w.zeros == nullptr)))
    fail(fn, "null words, scales or zero points");
}

uint32_t blocks_per_group(const PackedDeviceView& w) {
  const int64_t blocks = ceil_div(w.k, kCodesPerBlock);
  // G = K not a multiple of 32, or G ≥ K: every block is in group 0, as b / blocks is.
  const int64_t per_group = w.group_size % kCodesPerBlock == 0 ? w.group_size / kCodesPerBlock : blocks;
  return static_cast<uint32_t>(per_group < blocks ? per_group : blocks);
}

int multiprocessor_count(const char* fn) {
  int device = 0, sms = 0;
  check_cuda(cudaGetDevice(&device), fn);
  check_cuda(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device), fn);
  return sms > 0 ? sms : 1;
}

// Warps per output row: 1 while one-warp rows give at least ~4 CTAs per SM (enough loads in
// flight to stream the weights); layers with few, long rows split each row over more warps,
// as long as every lane of them still gets a block.
int gemv_warps_per_row(int64_t n, int64_t blocks, int sms) {
  int wpr = 1;
  while (wpr < kWarpsPerCta && ceil_div(n * wpr, kWarpsPerCta) < 4 * static_cast<int64_t>(sms) &&
         blocks >= 2 * wpr * kWarpSize)
    wpr *= 2;
  return wpr;
}

}  // namespace

void packed_gemv_cuda(const PackedDeviceView& w, const void* x, void* y, int64_t m, ActDType dtype, void* stream) {
  constexpr const char* fn = "packed_gemv_cuda";
  if (m < 0 || m > kMaxM) fail(fn, "m = " + std::to_string(m) + " is outside 0.." + std::to_string(kMaxM));
  if (m == 0 || w.n == 0) return;
  const auto s = static_cast<cudaStream_t>(stream);
  if (y == nullptr) fail(fn, "null y");
  if (w.k == 0) {  // an empty sum: y = 0 (all-zero bits in every dtype)
    check_cuda(cudaMemsetAsync(y, 0, static_cast<size_t>(m * w.n * dtype_bytes(dtype)), s), fn);
    return;
  }
  check_view(w, fn);
  if (x == nullptr) fail(fn, "null x");

  GemvArgs a{};
  a.w = w;
  a.x = x;
  a.y = y;
  a.m = static_cast<int32_t>(m);
  a.blocks_per_row = static_cast<uint32_t>(ceil_div(w.k, kCodesPerBlock));
  a.blocks_per_group = blocks_per_group(w);
  a.warps_per_row = gemv_warps_per_row(w.n, a.blocks_per_row, multiprocessor_count(fn));
  a.words_aligned = aligned16(w.words);
  a.x_aligned = aligned16(x) && (w.k * dtype_bytes(dtype)) % 16 == 0;
  const int64_t rows_per_cta = kWarpsPerCta / a.warps_per_row;
  const int64_t ctas = ceil_div(w.n, rows_per_cta);
  const dim3 grid(static_cast<unsigned>(ctas < kMaxGrid ? ctas : kMaxGrid));

  dispatch(
      w.format, dtype,
      [&](auto format, auto type) {
        using T = decltype(type);
        constexpr int kFormat = decltype(format)::value;
        if (m == 1) {
          packed_gemv_kernel<kFormat, 1, T><<<grid, kThreads, 0, s>>>(a);
        } else if (m == 2) {
          packed_gemv_kernel<kFormat, 2, T><<<grid, kThreads, 0, s>>>(a);
        } else if (m <= 4) {
          packed_gemv_kernel<kFormat, 4, T><<<grid, kThreads, 0, s>>>(a);
        } else {
          packed_gemv_kernel<kFormat, 8, T><<<grid, kThreads, 0, s>>>(a);
        }
      },
      fn);
  check_cuda(cudaGetLastError(), fn);
}

void packed_dequantize_cuda(const PackedDeviceView& w, void* out, ActDType dtype, void* stream) {
  constexpr const char* fn = "packed_dequantize_cuda";
  if (w.n == 0 || w.k == 0) return;
  check_view(w, fn);
  if (out == nullptr) fail(fn, "null output");
  const auto s = static_cast<cudaStream_t>(stream);

  DequantArgs a{};
  a.w = w;
  a.out = out;
  a.blocks_per_row = static_cast<uint32_t>(ceil_div(w.k, kCodesPerBlock));
  a.blocks_per_group = blocks_per_group(w);
  a.words_aligned = aligned16(w.words);
  a.out_aligned = aligned16(out) && (w.k * dtype_bytes(dtype)) % 16 == 0;
  const int64_t ctas = ceil_div(w.n * static_cast<int64_t>(a.blocks_per_row), kThreads);
  const dim3 grid(static_cast<unsigned>(ctas < kMaxGrid ? ctas : kMaxGrid));

  dispatch(
      w.format, dtype,
      [&](auto format, auto type) {
        using T = decltype(type);
        packed_dequantize_kernel<decltype(format)::value, T><<<grid, kThreads, 0, s>>>(a);
      },
      fn);
  check_cuda(cudaGetLastError(), fn);
}

}  // namespace ptq::kernels
