#include "framework/data/jpeg.h"

#include "framework/core/check.h"
#include "framework/data/compressed_file.h"

#include <turbojpeg.h>

#include <memory>

namespace ptq::data {

namespace {

struct HandleCloser {
  void operator()(void* h) const { tjDestroy(h); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

// A turbojpeg call failed; warnings are tolerated, errors are reported with the file name.
bool fatal(tjhandle h, int rc) { return rc != 0 && tjGetErrorCode(h) != TJERR_WARNING; }

[[noreturn]] void fail(tjhandle h, const std::string& path) {
  PTQ_FAIL("cannot decode JPEG '{}': {}; hint: the file is corrupt or not a JPEG — re-extract or "
           "remove it",
           path, tjGetErrorStr2(h));
}

uint8_t muldiv255(int a, int b) {
  const int t = a * b + 128;
  return static_cast<uint8_t>(((t >> 8) + t) >> 8);
}

}  // namespace

torch::Tensor decode_jpeg(const std::vector<uint8_t>& bytes, const std::string& path) {
  Handle handle(tjInitDecompress());
  PTQ_INTERNAL_ASSERT(handle != nullptr, "tjInitDecompress failed: {}", tjGetErrorStr2(nullptr));
  tjhandle h = handle.get();
  PTQ_CHECK(!bytes.empty(), "cannot decode JPEG '{}': the file is empty", path);
  auto* data = const_cast<unsigned char*>(bytes.data());
  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  if (fatal(h, tjDecompressHeader3(h, data, bytes.size(), &width, &height, &subsamp, &colorspace)) ||
      width <= 0 || height <= 0)
    fail(h, path);

  auto rgb = torch::empty({height, width, 3}, torch::kUInt8);
  if (colorspace != TJCS_CMYK && colorspace != TJCS_YCCK) {
    if (fatal(h, tjDecompress2(h, data, bytes.size(), rgb.data_ptr<uint8_t>(), width, 0, height,
                               TJPF_RGB, 0)))
      fail(h, path);
    return rgb;
  }
  std::vector<uint8_t> cmyk(static_cast<size_t>(width) * height * 4);
  if (fatal(h, tjDecompress2(h, data, bytes.size(), cmyk.data(), width, 0, height, TJPF_CMYK, 0)))
    fail(h, path);
  uint8_t* out = rgb.data_ptr<uint8_t>();
  const size_t pixels = static_cast<size_t>(width) * height;
  for (size_t p = 0; p < pixels; ++p) {
    const uint8_t* px = &cmyk[4 * p];
    const int nk = px[3];  // PIL reads Adobe CMYK inverted: K = 255 - stored, so 255 - K = stored.
    for (int c = 0; c < 3; ++c) {
      const int v = nk - muldiv255(255 - px[c], nk);
      out[3 * p + c] = static_cast<uint8_t>(std::clamp(v, 0, 255));
    }
  }
  return rgb;
}

torch::Tensor read_jpeg(const std::string& path) { return decode_jpeg(read_file_bytes(path), path); }

}  // namespace ptq::data
