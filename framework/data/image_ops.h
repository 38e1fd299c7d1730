// Image transforms shared by the datasets, written to follow torchvision's PIL pipeline
// (Resize, CenterCrop, RandomResizedCrop, RandomHorizontalFlip, ToTensor, Normalize).
//
// Pixel convention: float tensors holding 0..255 values ("pixel scale") until to_unit_normalized()
// divides by 255 and normalises, exactly like ToTensor + Normalize.
//
//  * resize_pil_like(img, h, w) — PIL's Image.resize(BILINEAR) on a uint8 image, rebuilt from
//    LibTorch 1.13's antialiased bilinear interpolate (_upsample_bilinear2d_aa, the same triangle
//    filter as PIL, align_corners = false): a horizontal pass then a vertical pass, each rounded
//    to whole levels and clamped to 0..255 as PIL's uint8 passes are. Residual difference: PIL
//    uses 22-bit fixed-point weights, LibTorch float weights; measured against Pillow 9.4 on
//    JPEGs of 90x100 .. 1024x768 through Resize(256) + CenterCrop(224), outputs are identical
//    except for <= 1 level on < 0.6 % of the values (single-pass float resizing: ~15 %).
//  * shorter_side_size(h, w, size) — torchvision Resize(int): shorter side -> size, longer side
//    -> int(size * long / short) (truncated, as torchvision does).
//  * center_crop(img, size) — torchvision CenterCrop: offsets round((H - size) / 2) with Python's
//    round-half-to-even; pads with zeros when the image is smaller than the crop.
//  * random_resized_crop_box(h, w, rng, scale, ratio) — torchvision RandomResizedCrop.get_params:
//    10 attempts of (area fraction ~ U(scale), log aspect ~ U(log ratio)), then the centre-crop
//    fallback clamped to the ratio range. Same distribution as torchvision, but drawn from our
//    DataRng, so not the same random stream as PyTorch.
#pragma once

#include "framework/data/rng.h"

#include <torch/torch.h>

#include <array>
#include <utility>
#include <vector>

namespace ptq::data {

struct CropBox {
  int64_t top = 0, left = 0, height = 0, width = 0;
};

// img: [C, H, W] or [B, C, H, W] float pixel scale. Returns the same rank, resized to h x w.
torch::Tensor resize_pil_like(const torch::Tensor& img, int64_t h, int64_t w);

// {new_h, new_w} for torchvision's Resize(size) on an h x w image.
std::pair<int64_t, int64_t> shorter_side_size(int64_t h, int64_t w, int64_t size);

// img: [C, H, W]. Returns [C, size, size].
torch::Tensor center_crop(const torch::Tensor& img, int64_t size);

CropBox random_resized_crop_box(int64_t h, int64_t w, DataRng& rng,
                                std::array<double, 2> scale = {0.08, 1.0},
                                std::array<double, 2> ratio = {3.0 / 4.0, 4.0 / 3.0});

// img: [..., C, H, W] pixel scale -> (img / 255 - mean[c]) / std[c], float32.
torch::Tensor to_unit_normalized(const torch::Tensor& img, const std::vector<double>& mean,
                                 const std::vector<double>& std);

// Python's round(): half to even.
int64_t round_half_even(double x);

}  // namespace ptq::data
