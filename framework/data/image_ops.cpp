#include "framework/data/image_ops.h"

#include "framework/core/check.h"

#include <cmath>

namespace ptq::data {

namespace F = torch::nn::functional;

int64_t round_half_even(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

torch::Tensor resize_pil_like(const torch::Tensor& img, int64_t h, int64_t w) {
  PTQ_INTERNAL_ASSERT(img.dim() == 3 || img.dim() == 4, "resize expects [C,H,W] or [B,C,H,W]");
  PTQ_INTERNAL_ASSERT(h > 0 && w > 0, "resize to {}x{}", h, w);
  auto x = (img.dim() == 3 ? img.unsqueeze(0) : img).to(torch::kFloat32);
  // Like PIL on a uint8 image: a horizontal pass, then a vertical one, each rounded to whole
  // levels (floor(v + 0.5), PIL's rounding) and clamped to 0..255. A pass whose size does not
  // change is skipped, as in PIL.
  const auto pass = [](const torch::Tensor& t, int64_t ph, int64_t pw) {
    auto y = F::interpolate(t, F::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>{ph, pw})
                                   .mode(torch::kBilinear)
                                   .align_corners(false)
                                   .antialias(true));
    return y.add_(0.5).floor_().clamp_(0, 255);
  };
  if (x.size(3) != w) x = pass(x, x.size(2), w);
  if (x.size(2) != h) x = pass(x, h, w);
  return img.dim() == 3 ? x.squeeze(0) : x;
}

std::pair<int64_t, int64_t> shorter_side_size(int64_t h, int64_t w, int64_t size) {
  PTQ_INTERNAL_ASSERT(h > 0 && w > 0 && size > 0, "shorter_side_size({}, {}, {})", h, w, size);
  if (h <= w) return {size, static_cast<int64_t>(static_cast<double>(size) * w / h)};
  return {static_cast<int64_t>(static_cast<double>(size) * h / w), size};
}

torch::Tensor center_crop(const torch::Tensor& img, int64_t size) {
  PTQ_INTERNAL_ASSERT(img.dim() == 3 && size > 0, "center_crop expects [C,H,W]");
  auto x = img;
  int64_t h = x.size(1), w = x.size(2);
  if (h < size || w < size) {
    const int64_t pad_w = std::max<int64_t>(size - w, 0), pad_h = std::max<int64_t>(size - h, 0);
    x = torch::constant_pad_nd(x, {pad_w / 2, (pad_w + 1) / 2, pad_h / 2, (pad_h + 1) / 2}, 0);
    h = x.size(1);
    w = x.size(2);
  }
  const int64_t top = round_half_even((h - size) / 2.0), left = round_half_even((w - size) / 2.0);
  return x.slice(1, top, top + size).slice(2, left, left + size);
}

CropBox random_resized_crop_box(int64_t h, int64_t w, DataRng& rng, std::array<double, 2> scale,
                                std::array<double, 2> ratio) {
  const double area = static_cast<double>(h) * static_cast<double>(w);
  const double log_lo = std::log(ratio[0]), log_hi = std::log(ratio[1]);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * rng.uniform(scale[0], scale[1]);
    const double aspect = std::exp(rng.uniform(log_lo, log_hi));
    const int64_t cw = round_half_even(std::sqrt(target_area * aspect));
    const int64_t ch = round_half_even(std::sqrt(target_area / aspect));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      const int64_t top = rng.integer(0, h - ch + 1);
      const int64_t left = rng.integer(0, w - cw + 1);
      return {top, left, ch, cw};
    }
  }
  // Fallback: the largest centred crop whose aspect ratio lies within `ratio`.
  const double in_ratio = static_cast<double>(w) / static_cast<double>(h);
  int64_t cw = w, ch = h;
  if (in_ratio < std::min(ratio[0], ratio[1])) {
    ch = round_half_even(cw / std::min(ratio[0], ratio[1]));
  } else if (in_ratio > std::max(ratio[0], ratio[1])) {
    cw = round_half_even(ch * std::max(ratio[0], ratio[1]));
  }
  return {(h - ch) / 2, (w - cw) / 2, ch, cw};
}

torch::Tensor to_unit_normalized(const torch::Tensor& img, const std::vector<double>& mean,
                                 const std::vector<double>& std) {
  const int64_t c = img.size(-3);
  PTQ_INTERNAL_ASSERT(static_cast<int64_t>(mean.size()) == c && static_cast<int64_t>(std.size()) == c,
                      "normalisation has {} means and {} stds for {} channels", mean.size(), std.size(), c);
  std::vector<int64_t> shape(img.dim(), 1);
  shape[img.dim() - 3] = c;
  // (x / 255 - m) / s == x * (1 / (255 s)) - m / s, one fused pass.
  std::vector<float> scale(c), shift(c);
  for (int64_t i = 0; i < c; ++i) {
    scale[i] = static_cast<float>(1.0 / (255.0 * std[i]));
    shift[i] = static_cast<float>(-mean[i] / std[i]);
  }
  const auto s = torch::tensor(scale).view(shape), b = torch::tensor(shift).view(shape);
  return torch::addcmul(b, img.to(torch::kFloat32), s);
}

}  // namespace ptq::data
