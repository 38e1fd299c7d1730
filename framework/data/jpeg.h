// JPEG decoding with libturbojpeg (TurboJPEG v2 API), always to 8-bit RGB.
//
// decode_jpeg(bytes, path) / read_jpeg(path) return uint8 [H, W, 3]:
//  * YCbCr / RGB JPEGs are decoded straight to TJPF_RGB, greyscale JPEGs too (the grey value
//    replicated into R, G, B, like PIL's convert("RGB")).
//  * CMYK / YCCK JPEGs cannot be converted to RGB by libjpeg; they are decoded to TJPF_CMYK and
//    converted the way PIL does for Adobe-style (inverted) CMYK, which is what Photoshop and
//    libjpeg write: R = K' - K' * (255 - C') / 255 with C', K' the stored values (integer
//    arithmetic as in Pillow's cmyk2rgb). A rare non-inverted CMYK file would come out inverted.
//  * Default flags (accurate integer DCT, fancy upsampling), which is what PIL uses: on RGB,
//    greyscale and (Pillow-written) CMYK test JPEGs the output is bit-identical to Pillow 9.4's
//    Image.open(path).convert("RGB").
//  * libjpeg *warnings* (e.g. "Corrupt JPEG data: N extraneous bytes") do not fail the decode —
//    PIL accepts such files too (a few exist in ImageNet); errors do.
//
// Errors (ptq::UserError): "cannot decode JPEG '<path>': <turbojpeg message>; hint: ...".
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ptq::data {

torch::Tensor decode_jpeg(const std::vector<uint8_t>& bytes, const std::string& path);

torch::Tensor read_jpeg(const std::string& path);

}  // namespace ptq::data
