// Test helper: writes small JPEG files with libturbojpeg (tjCompress2) so the image-folder
// tests build their own fixtures — RGB, greyscale and CMYK, 4:4:4 at quality 100 so solid
// colours survive compression to within a level or two.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ptq::test {

// pixels: row-major, `channels` bytes per pixel (3 = RGB, 1 = grey, 4 = CMYK).
void write_jpeg(const std::string& path, int width, int height, int channels,
                const std::vector<uint8_t>& pixels);

// A width x height image of one colour (value count = channels).
void write_solid_jpeg(const std::string& path, int width, int height, std::vector<uint8_t> colour);

// An RGB image with a horizontal red ramp and a vertical green ramp (so crops differ).
void write_gradient_jpeg(const std::string& path, int width, int height);

}  // namespace ptq::test
