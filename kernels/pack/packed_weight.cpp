#include "kernels/pack/packed_weight.h"

#include "framework/core/check.h"

#include <cmath>

namespace ptq::kernels {

int64_t PackedWeight::bytes() const {
  int64_t b = words.numel() * 4 + scales.numel() * 4;
  if (zeros.defined()) b += zeros.numel();
  return b;
}

void PackedWeight::validate(const std::string& where) const {
  const auto& t = traits();
  PTQ_CHECK(n > 0 && k > 0, "{}: packed weight has an empty shape [{}, {}]", where, n, k);
  PTQ_CHECK(valid_pack_group(group_size, k),
            "{}: group size {} cannot be packed; use a multiple of {} or per-channel scales (group = K = {})", where,
            group_size, kPackBlock, k);
  PTQ_CHECK(words.defined() && words.scalar_type() == torch::kInt && words.dim() == 2 && words.size(0) == n &&
                words.size(1) == t.words_per_row(k),
            "{}: packed words must be int32 [{}, {}] for {} with K = {}", where, n, t.words_per_row(k), t.name, k);
  PTQ_CHECK(scales.defined() && scales.scalar_type() == torch::kFloat && scales.dim() == 2 && scales.size(0) == n &&
                scales.size(1) == groups(),
            "{}: scales must be float32 [{}, {}] (rows × groups of {})", where, n, groups(), group_size);
  if (t.is_float) {
    PTQ_CHECK(!zeros.defined(), "{}: {} has no zero points, but some were given", where, t.name);
  } else {
    PTQ_CHECK(zeros.defined() && zeros.scalar_type() == torch::kByte && zeros.dim() == 2 && zeros.size(0) == n &&
                  zeros.size(1) == groups(),
              "{}: zero points must be uint8 [{}, {}] for {}", where, n, groups(), t.name);
  }
  PTQ_CHECK(words.is_contiguous() && scales.is_contiguous() && (!zeros.defined() || zeros.is_contiguous()),
            "{}: packed tensors must be contiguous", where);
  PTQ_CHECK(scales.device() == words.device() && (!zeros.defined() || zeros.device() == words.device()),
            "{}: packed words, scales and zero points must be on one device", where);
}

PackedWeight PackedWeight::to(const torch::Device& device) const {
  PackedWeight w = *this;
  w.words = words.to(device);
  w.scales = scales.to(device);
  if (zeros.defined()) w.zeros = zeros.to(device);
  return w;
}

PackedWeight pack_codes(const torch::Tensor& codes, const torch::Tensor& scales, const torch::Tensor& zeros,
                        PackedFormat format, int64_t group_size) {
  const auto& t = format_traits(format);
  PTQ_CHECK(codes.dim() == 2, "pack_codes: codes must be 2-D [N, K], got {} dims", codes.dim());
  PackedWeight w;
  w.format = format;
  w.n = codes.size(0);
  w.k = codes.size(1);
  w.group_size = group_size;
  auto c = codes.to(torch::kCPU, torch::kLong).contiguous();
  const int64_t cmin = c.numel() ? c.min().item<int64_t>() : 0, cmax = c.numel() ? c.max().item<int64_t>() : 0;
  PTQ_CHECK(cmin >= 0 && cmax <= t.max_code(), "pack_codes: {} codes must lie in [0, {}], got [{}, {}]", t.name,
            t.max_code(), cmin, cmax);
  const int64_t wpr = t.words_per_row(w.k);
  auto words = torch::zeros({w.n, wpr}, torch::kInt);
  auto* out = reinterpret_cast<uint32_t*>(words.data_ptr<int32_t>());
  const auto* in = c.data_ptr<int64_t>();
  for (int64_t r = 0; r < w.n; ++r)
    for (int64_t i = 0; i < w.k; ++i) {
      const auto code = static_cast<uint32_t>(in[r * w.k + i]);
      uint32_t* block = out + r * wpr + (i / kPackBlock) * t.bits;
      const int64_t bit = t.bits * (i % kPackBlock);
      const int64_t word = bit / 32, off = bit % 32;
      block[word] |= code << off;
      if (off + t.bits > 32) block[word + 1] |= code >> (32 - off);
    }
  w.words = words;
  w.scales = scales.to(torch::kCPU, torch::kFloat).contiguous();
  if (!t.is_float) {
    PTQ_CHECK(zeros.defined(), "pack_codes: {} needs zero points", t.name);
    auto z = zeros.to(torch::kCPU, torch::kLong);
    PTQ_CHECK(z.numel() == 0 || (z.min().item<int64_t>() >= 0 && z.max().item<int64_t>() <= t.max_code()),
              "pack_codes: {} zero points must lie in [0, {}]", t.name, t.max_code());
    w.zeros = z.to(torch::kByte).contiguous();
  }
  w.validate("pack_codes");
  return w;
}

torch::Tensor unpack_codes(const PackedWeight& w) {
  w.validate("unpack_codes");
  const auto& t = w.traits();
  const auto words = w.words.cpu().contiguous();
  const auto* in = reinterpret_cast<const uint32_t*>(words.data_ptr<int32_t>());
  const int64_t wpr = t.words_per_row(w.k);
  const uint32_t mask = t.max_code();
  auto codes = torch::empty({w.n, w.k}, torch::kByte);
  auto* out = codes.data_ptr<uint8_t>();
  for (int64_t r = 0; r < w.n; ++r)
    for (int64_t i = 0; i < w.k; ++i) {
      const uint32_t* block = in + r * wpr + (i / kPackBlock) * t.bits;
      const int64_t bit = t.bits * (i % kPackBlock);
      const int64_t word = bit / 32, off = bit % 32;
      uint32_t code = block[word] >> off;
      if (off + t.bits > 32) code |= block[word + 1] << (32 - off);
      out[r * w.k + i] = static_cast<uint8_t>(code & mask);
    }
  return codes;
}

torch::Tensor dequantize_reference(const PackedWeight& w) {
  const auto& t = w.traits();
  const auto codes = unpack_codes(w);
  const auto scales = w.scales.cpu();
  const auto zeros = t.is_float ? torch::Tensor() : w.zeros.cpu();
  auto out = torch::empty({w.n, w.k}, torch::kFloat);
  const auto* c = codes.data_ptr<uint8_t>();
  const auto* s = scales.data_ptr<float>();
  const auto* z = t.is_float ? nullptr : zeros.data_ptr<uint8_t>();
  auto* o = out.data_ptr<float>();
  const int64_t ng = w.groups();
  for (int64_t r = 0; r < w.n; ++r)
    for (int64_t i = 0; i < w.k; ++i) {
      const int64_t g = r * ng + i / w.group_size;
      o[r * w.k + i] = t.is_float ? s[g] * t.decode(c[r * w.k + i])
                                  : (t.decode(c[r * w.k + i]) - static_cast<float>(z[g])) * s[g];
    }
  return out;
}

PackedWeight quantize_rtn(const torch::Tensor& w, PackedFormat format, int64_t group_size) {
  const auto& t = format_traits(format);
  PTQ_CHECK(w.dim() == 2, "quantize_rtn: weight must be 2-D [N, K]");
  PTQ_CHECK(valid_pack_group(group_size, w.size(1)), "quantize_rtn: group size {} cannot be packed for K = {}",
            group_size, w.size(1));
  const int64_t n = w.size(0), k = w.size(1), ng = (k + group_size - 1) / group_size;
  const auto x = w.to(torch::kCPU, torch::kFloat).contiguous();
  auto codes = torch::empty({n, k}, torch::kLong);
  auto scales = torch::empty({n, ng}, torch::kFloat);
  auto zeros = torch::zeros({n, ng}, torch::kLong);
  const auto* xp = x.data_ptr<float>();
  auto* cp = codes.data_ptr<int64_t>();
  auto* sp = scales.data_ptr<float>();
  auto* zp = zeros.data_ptr<int64_t>();
  const float top = static_cast<float>(t.max_code());
  const float fmax = t.is_float ? std::fabs(t.decode(t.encode(1e30f))) : 0.f;
  for (int64_t r = 0; r < n; ++r)
    for (int64_t g = 0; g < ng; ++g) {
      const int64_t b = g * group_size, e = std::min(k, b + group_size);
      float lo = 0.f, hi = 0.f;
      for (int64_t i = b; i < e; ++i) lo = std::min(lo, xp[r * k + i]), hi = std::max(hi, xp[r * k + i]);
      float s;
      float z = 0.f;
      if (t.is_float) {
        s = std::max(-lo, hi) / fmax;
      } else {
        s = (hi - lo) / top;
      }
      if (!(s > 0.f)) s = 1.f;
      if (!t.is_float) z = std::min(top, std::max(0.f, std::nearbyint(-lo / s)));
      sp[r * ng + g] = s;
      zp[r * ng + g] = static_cast<int64_t>(z);
      for (int64_t i = b; i < e; ++i) cp[r * k + i] = t.encode(xp[r * k + i] / s + z);
    }
  return pack_codes(codes, scales, t.is_float ? torch::Tensor() : zeros, format, group_size);
}

}  // namespace ptq::kernels
