// libptq_ops.so registers the packed kernels as LibTorch operators: loaded with dlopen (as
// torch.ops.load_library does), torch.ops.ptq.* give what the C++ kernels give.
#include <catch2/catch.hpp>

#include "kernels/packed_linear/packed_linear.h"

#include <ATen/core/dispatch/Dispatcher.h>

#include <cstdlib>
#include <dlfcn.h>

using namespace ptq::kernels;

TEST_CASE("torch ops: torch.ops.ptq.packed_linear / dequantize_packed / pack_codes after loading libptq_ops.so",
          "[kernels][packed]") {
  const char* dir = std::getenv("PTQ_TEST_BINARY_DIR");
  const std::string lib = std::string(dir ? dir : "build") + "/libptq_ops.so";
  void* handle = ::dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  INFO(lib << ": " << (handle ? "" : ::dlerror()));
  REQUIRE(handle != nullptr);
  auto& d = c10::Dispatcher::singleton();
  torch::manual_seed(13);
  const auto w = quantize_rtn(torch::randn({10, 100}), PackedFormat::Int4, 32);
  const auto x = torch::randn({3, 100});
  const auto bias = torch::randn({10});
  const auto linear = d.findSchemaOrThrow("ptq::packed_linear", "")
                          .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&,
                                            const c10::optional<at::Tensor>&, int64_t, int64_t, int64_t,
                                            const c10::optional<at::Tensor>&)>();
  const auto y = linear.call(x, w.words, w.scales, w.zeros, static_cast<int64_t>(w.format), w.k, w.group_size, bias);
  CHECK(torch::equal(y, packed_linear(x, w, bias)));
  const auto deq = d.findSchemaOrThrow("ptq::dequantize_packed", "")
                       .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const c10::optional<at::Tensor>&,
                                         int64_t, int64_t, int64_t)>();
  CHECK(torch::equal(deq.call(w.words, w.scales, w.zeros, static_cast<int64_t>(w.format), w.k, w.group_size),
                     dequantize_reference(w)));
  const auto pack = d.findSchemaOrThrow("ptq::pack_codes", "").typed<at::Tensor(const at::Tensor&, int64_t)>();
  CHECK(torch::equal(pack.call(unpack_codes(w), static_cast<int64_t>(w.format)), w.words));
  // Errors reach the caller as exceptions naming the problem.
  CHECK_THROWS_WITH(linear.call(torch::randn({3, 99}), w.words, w.scales, w.zeros, 2, 100, 32, c10::nullopt),
                    Catch::Contains("input has shape [3, 99]"));
}
