#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <cstring>

#include "framework/io/safetensors.h"
#include "framework/io/safetensors_dtype.h"
#include "tests/framework/io/safetensors_raw.h"
#include "tests/support/temp_dir.h"

using namespace ptq;

namespace {

std::vector<torch::ScalarType> all_dtypes() {
  std::vector<torch::ScalarType> types{torch::kFloat64, torch::kFloat32, torch::kFloat16,
                                       torch::kBFloat16, torch::kInt64,  torch::kInt32,
                                       torch::kInt16,    torch::kInt8,   torch::kUInt8,
                                       torch::kBool};
#if PTQ_TORCH_HAS_FLOAT8
  types.push_back(torch::kFloat8_e4m3fn);
  types.push_back(torch::kFloat8_e5m2);
#endif
  return types;
}

torch::Tensor sample(torch::ScalarType type, at::IntArrayRef shape) {
  int64_t numel = 1;
  for (const auto d : shape) numel *= d;
  const auto ramp = torch::arange(numel, torch::kFloat64).reshape(shape) * 0.37 - 3;
  if (type == torch::kBool) return ramp.gt(0);
  if (type == torch::kUInt8) return ramp.abs().to(type);
  return ramp.to(type);
}

// Bitwise comparison, valid for every dtype including float8.
bool same_bytes(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  const auto ac = a.contiguous();
  const auto bc = b.contiguous();
  return ac.nbytes() == bc.nbytes() &&
         (ac.nbytes() == 0 || std::memcmp(ac.data_ptr(), bc.data_ptr(), ac.nbytes()) == 0);
}

}  // namespace

TEST_CASE("every dtype round-trips through a file, including scalars and empty tensors", "[io]") {
  test::TempDir dir;
  std::map<std::string, torch::Tensor> tensors;
  for (const auto type : all_dtypes()) {
    const std::string name = c10::toString(type);
    tensors[name + ".matrix"] = sample(type, {3, 5});
    tensors[name + ".scalar"] = sample(type, {});
    tensors[name + ".empty"] = sample(type, {4, 0, 2});
  }
  const std::string path = dir.file("all.safetensors");
  io::save_safetensors(path, tensors);
  const auto loaded = io::load_safetensors(path);
  REQUIRE(loaded.tensors.size() == tensors.size());
  CHECK(loaded.metadata.empty());
  for (const auto& [name, t] : tensors) {
    INFO(name);
    REQUIRE(loaded.tensors.count(name) == 1);
    const auto& got = loaded.tensors.at(name);
    CHECK(got.dim() == t.dim());
    CHECK(same_bytes(got, t));
  }
}

TEST_CASE("non-contiguous and offset views are saved as their logical contents", "[io]") {
  const auto base = torch::arange(24, torch::kFloat32).reshape({4, 6});
  std::map<std::string, torch::Tensor> tensors{
      {"transposed", base.t()},
      {"strided", base.index({torch::indexing::Slice(), torch::indexing::Slice(1, 6, 2)})},
      {"row", base[2]},
      {"expanded", torch::tensor({1.5f, 2.5f}).expand({3, 2})},
  };
  const auto bytes = io::safetensors_to_bytes(tensors);
  const auto loaded = io::safetensors_from_bytes(bytes, "mem");
  for (const auto& [name, t] : tensors) {
    INFO(name);
    CHECK(torch::equal(loaded.tensors.at(name), t));
    CHECK(loaded.tensors.at(name).is_contiguous());
  }
  // Only the views' own elements are stored: 24 + 12 + 6 + 6 floats.
  CHECK(bytes.size() == 8 + test::header_length(bytes) + (24 + 12 + 6 + 6) * 4);
}

TEST_CASE("loaded tensors own their memory and survive the source buffer", "[io]") {
  torch::Tensor t;
  {
    std::string bytes = io::safetensors_to_bytes({{"w", torch::ones({8})}});
    t = io::safetensors_from_bytes(bytes, "mem").tensors.at("w");
    std::fill(bytes.begin(), bytes.end(), '\xff');
  }
  CHECK(torch::equal(t, torch::ones({8})));
  t.add_(1);  // writable
  CHECK(t.sum().item<float>() == 16.0f);
}

TEST_CASE("metadata round-trips", "[io]") {
  test::TempDir dir;
  const std::map<std::string, std::string> meta{
      {"format", "pt"}, {"ptq.method", "adaround"}, {"empty", ""}, {"unicode", "b\xc3\xa4r"}};
  const std::string path = dir.file("m.safetensors");
  io::save_safetensors(path, {{"x", torch::zeros({2})}}, meta);
  const auto loaded = io::load_safetensors(path);
  CHECK(loaded.metadata == meta);
  CHECK(loaded.tensors.size() == 1);

  // Metadata with no tensors at all is a valid file too.
  const auto only_meta = io::safetensors_from_bytes(io::safetensors_to_bytes({}, meta), "mem");
  CHECK(only_meta.tensors.empty());
  CHECK(only_meta.metadata == meta);
}

TEST_CASE("the header is space-padded so data starts on an 8-byte boundary", "[io]") {
  for (int name_len = 1; name_len <= 9; ++name_len) {
    const std::string bytes = io::safetensors_to_bytes({{std::string(name_len, 'n'), torch::ones({1})}});
    const uint64_t n = test::header_length(bytes);
    INFO("name length " << name_len << ", header " << n);
    CHECK((8 + n) % 8 == 0);
    CHECK(bytes.size() == 8 + n + 4);
    const std::string header = bytes.substr(8, n);
    CHECK(header.find('}') != std::string::npos);
    CHECK(header.find_first_not_of(' ', header.rfind('}') + 1) == std::string::npos);
  }
}

TEST_CASE("writer output matches hand-assembled bytes", "[io]") {
  // {"a": float32 [1, -2], "b": int8 scalar 5}: header is 105 bytes + 7 spaces = 112 (0x70).
  const std::string header =
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"I8","shape":[],"data_offsets":[8,9]}})"
      "       ";
  const std::string expected = std::string("\x70\0\0\0\0\0\0\0", 8) + header +
                               std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0\x05", 9);
  const auto bytes = io::safetensors_to_bytes(
      {{"b", torch::tensor(5, torch::kInt8).reshape({})}, {"a", torch::tensor({1.0f, -2.0f})}});
  CHECK(bytes == expected);

  // With metadata: 86 bytes + 2 spaces = 88 (0x58); bfloat16 1.0 is 0x3f80.
  const std::string meta_expected =
      std::string("\x58\0\0\0\0\0\0\0", 8) +
      R"({"__metadata__":{"format":"pt"},"w":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}})" +
      "  " + std::string("\x80\x3f", 2);
  CHECK(io::safetensors_to_bytes({{"w", torch::ones({1}, torch::kBFloat16)}}, {{"format", "pt"}}) ==
        meta_expected);
}

TEST_CASE("reader accepts hand-assembled files from other writers", "[io]") {
  // Keys in another order, data laid out in reverse name order, whitespace, trailing padding.
  const std::string header =
      R"({ "z": {"data_offsets": [0, 4], "shape": [2, 1], "dtype": "I16"},)"
      R"( "__metadata__": {"k": "v"},)"
      R"( "a": {"shape": [1], "dtype": "F64", "data_offsets": [8, 16]} }   )";
  const std::string data = std::string("\x01\x00\xfe\xff", 4) + std::string(4, '\0') +  // gap
                           std::string("\x00\x00\x00\x00\x00\x00\xf8\x3f", 8);          // 1.5
  const auto f = io::safetensors_from_bytes(test::raw_safetensors(header, data), "hand-made");
  REQUIRE(f.tensors.size() == 2);
  CHECK(f.metadata == std::map<std::string, std::string>{{"k", "v"}});
  const auto z = f.tensors.at("z");
  CHECK(z.scalar_type() == torch::kInt16);
  CHECK(z.sizes() == at::IntArrayRef{2, 1});
  CHECK(torch::equal(z, torch::tensor({1, -2}, torch::kInt16).reshape({2, 1})));
  CHECK(f.tensors.at("a").item<double>() == 1.5);

  // The smallest valid file: an empty header object and no data.
  CHECK(io::safetensors_from_bytes(test::raw_safetensors("{}"), "tiny").tensors.empty());
}
