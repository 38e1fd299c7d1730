#include "tests/framework/data/jpeg_writer.h"

#include <turbojpeg.h>

#include <fstream>
#include <stdexcept>

namespace ptq::test {

void write_jpeg(const std::string& path, int width, int height, int channels,
                const std::vector<uint8_t>& pixels) {
  const int format = channels == 1 ? TJPF_GRAY : channels == 4 ? TJPF_CMYK : TJPF_RGB;
  const int subsamp = channels == 1 ? TJSAMP_GRAY : TJSAMP_444;
  tjhandle h = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  const int rc = tjCompress2(h, pixels.data(), width, 0, height, format, &jpeg, &size, subsamp, 100, 0);
  const std::string err = rc ? tjGetErrorStr2(h) : "";
  tjDestroy(h);
  if (rc) throw std::runtime_error("tjCompress2 failed: " + err);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(jpeg), size);
  tjFree(jpeg);
}

void write_solid_jpeg(const std::string& path, int width, int height, std::vector<uint8_t> colour) {
  const int c = static_cast<int>(colour.size());
  std::vector<uint8_t> px(static_cast<size_t>(width) * height * c);
  for (size_t i = 0; i < px.size(); ++i) px[i] = colour[i % c];
  write_jpeg(path, width, height, c, px);
}

void write_gradient_jpeg(const std::string& path, int width, int height) {
  std::vector<uint8_t> px(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &px[3 * (static_cast<size_t>(y) * width + x)];
      p[0] = static_cast<uint8_t>(255 * x / (width - 1));
      p[1] = static_cast<uint8_t>(255 * y / (height - 1));
      p[2] = 100;
    }
  write_jpeg(path, width, height, 3, px);
}

}  // namespace ptq::test
