// Packed formats: the traits table, the bit layout of the reference pack/unpack (the
// specification), minifloat code tables against framework/quant's minifloat grid, and errors.
#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/quant/fake_quant.h"
#include "kernels/pack/packed_weight.h"

using namespace ptq;
using namespace ptq::kernels;

namespace {

// Random codes, scales and zero points for `format` and a pack of them.
PackedWeight random_packed(PackedFormat format, int64_t n, int64_t k, int64_t group, torch::Tensor* codes_out) {
  const auto& t = format_traits(format);
  auto codes = torch::randint(0, t.max_code() + 1, {n, k}, torch::kLong);
  if (t.is_float && format == PackedFormat::Fp8E4M3) codes.masked_fill_((codes & 0x7F) == 0x7F, 0);  // no NaN codes
  const int64_t ng = (k + group - 1) / group;
  auto scales = torch::rand({n, ng}) + 0.01;
  auto zeros = t.is_float ? torch::Tensor() : torch::randint(0, t.max_code() + 1, {n, ng}, torch::kLong);
  if (codes_out) *codes_out = codes;
  return pack_codes(codes, scales, zeros, format, group);
}

}  // namespace

TEST_CASE("pack: the traits table names every format once, with its size", "[kernels][pack]") {
  CHECK(format_traits(PackedFormat::Int4).bits == 4);
  CHECK(format_traits(PackedFormat::Int3).bytes_per_block() == 12);
  CHECK(format_traits(PackedFormat::Fp8E4M3).is_float);
  CHECK(format_traits(PackedFormat::Int2).words_per_row(33) == 2 * 2);  // two blocks of 2 words
  for (auto f : all_packed_formats()) CHECK(packed_format_named(format_traits(f).name) == f);
  CHECK_THROWS_WITH(packed_format_named("int5"), Catch::Contains("known formats: int2, int3, int4, int8"));
  CHECK(int_format_for_bits(6) == PackedFormat::Int8);
  CHECK_THROWS_AS(int_format_for_bits(16), UserError);
}

TEST_CASE("pack: the bit layout is a little-endian stream of codes per 32-code block", "[kernels][pack]") {
  // INT4: codes 0..15 → word 0 = 0x76543210, word 1 = 0xFEDCBA98.
  auto codes = torch::arange(32, torch::kLong).remainder(16).view({1, 32});
  auto w = pack_codes(codes, torch::ones({1, 1}), torch::zeros({1, 1}), PackedFormat::Int4, 32);
  const auto* words = reinterpret_cast<const uint32_t*>(w.words.data_ptr<int32_t>());
  CHECK(words[0] == 0x76543210u);
  CHECK(words[1] == 0xFEDCBA98u);
  // INT3: code 10 occupies bits 30..32 — its low two bits end word 0, its high bit starts word 1.
  auto c3 = torch::zeros({1, 32}, torch::kLong);
  c3[0][10] = 7;
  c3[0][21] = 5;  // bits 63..65: bit 63 ends word 1, bits 64..65 start word 2
  auto w3 = pack_codes(c3, torch::ones({1, 1}), torch::zeros({1, 1}), PackedFormat::Int3, 32);
  const auto* p3 = reinterpret_cast<const uint32_t*>(w3.words.data_ptr<int32_t>());
  CHECK(p3[0] == 0xC0000000u);
  CHECK(p3[1] == (0x1u | (1u << 31)));
  CHECK(p3[2] == 0x2u);
  // INT2: codes 1, 2, 3 → 0b11'10'01.
  auto c2 = torch::zeros({1, 5}, torch::kLong);
  c2[0][0] = 1, c2[0][1] = 2, c2[0][2] = 3;
  auto w2 = pack_codes(c2, torch::ones({1, 1}), torch::zeros({1, 1}), PackedFormat::Int2, 5);
  CHECK(w2.words[0][0].item<int32_t>() == 0b111001);
}

TEST_CASE("pack: pack then unpack is bit-exact for every format and odd shapes", "[kernels][pack]") {
  torch::manual_seed(1);
  for (auto f : all_packed_formats())
    for (auto [n, k] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {3, 27}, {5, 95}, {7, 200}, {2, 128}, {1, 4099}})
      for (int64_t g : {k, int64_t{32}, int64_t{64}, int64_t{128}}) {
        if (!valid_pack_group(g, k)) continue;
        INFO(format_traits(f).name << " " << n << "x" << k << " g" << g);
        torch::Tensor codes;
        const auto w = random_packed(f, n, k, g, &codes);
        CHECK(torch::equal(unpack_codes(w).to(torch::kLong), codes));
      }
}

TEST_CASE("pack: reference dequantisation is (u − zu)·s for integers and s·value for minifloats", "[kernels][pack]") {
  torch::manual_seed(2);
  for (auto f : all_packed_formats()) {
    const auto& t = format_traits(f);
    INFO(t.name);
    torch::Tensor codes;
    const int64_t n = 4, k = 70, g = 32;
    const auto w = random_packed(f, n, k, g, &codes);
    auto per_elem = [&](const torch::Tensor& p) { return p.repeat_interleave(g, 1).narrow(1, 0, k); };
    torch::Tensor expect;
    if (t.is_float) {
      auto values = torch::empty({n, k});
      for (int64_t i = 0; i < n * k; ++i)
        values.view(-1)[i] = t.decode(static_cast<uint32_t>(codes.view(-1)[i].item<int64_t>()));
      expect = per_elem(w.scales) * values;
    } else {
      expect = (codes.to(torch::kFloat) - per_elem(w.zeros.to(torch::kFloat))) * per_elem(w.scales);
    }
    CHECK(torch::equal(dequantize_reference(w), expect));
  }
}

TEST_CASE("pack: minifloat codes decode to the OCP / MX values", "[kernels][pack]") {
  const auto& e4m3 = format_traits(PackedFormat::Fp8E4M3);
  CHECK(e4m3.decode(0x7E) == 448.f);
  CHECK(e4m3.decode(0x38) == 1.f);
  CHECK(e4m3.decode(0xB8) == -1.f);
  CHECK(e4m3.decode(0x08) == std::ldexp(1.f, -6));  // smallest normal
  CHECK(e4m3.decode(0x01) == std::ldexp(1.f, -9));  // smallest subnormal
  const auto& e2m1 = format_traits(PackedFormat::Fp4E2M1);
  const float values[8] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
  for (uint32_t c = 0; c < 8; ++c) {
    CHECK(e2m1.decode(c) == values[c]);
    CHECK(e2m1.decode(c | 8u) == -values[c]);
  }
  // Every non-NaN code round-trips (negative zero encodes as +0).
  for (auto f : {PackedFormat::Fp8E4M3, PackedFormat::Fp4E2M1}) {
    const auto& t = format_traits(f);
    for (uint32_t c = 0; c <= t.max_code(); ++c) {
      if (f == PackedFormat::Fp8E4M3 && (c & 0x7F) == 0x7F) continue;
      const float v = t.decode(c);
      CHECK(t.encode(v) == (v == 0.f ? 0u : c));
    }
  }
}

TEST_CASE("pack: minifloat encoding rounds to the grid the fake-quantiser uses", "[kernels][pack]") {
  torch::manual_seed(3);
  for (const auto& [format, name] : std::vector<std::pair<PackedFormat, std::string>>{
           {PackedFormat::Fp8E4M3, "e4m3"}, {PackedFormat::Fp4E2M1, "e2m1"}}) {
    const auto& t = format_traits(format);
    const auto mf = MiniFloat::named(name);
    auto y = torch::randn({4000}) * (mf.max_value() / 3.0);
    y = torch::cat({y, torch::tensor({0.f, 1e-6f, -1e-6f, 1e6f, -1e6f})});
    const auto grid = round_to_minifloat(y, mf);
    for (int64_t i = 0; i < y.numel(); ++i) {
      const float v = y[i].item<float>();
      INFO(name << " value " << v);
      CHECK(t.decode(t.encode(v)) == grid[i].item<float>());
    }
  }
}

TEST_CASE("pack: bad codes, groups and shapes are clear errors", "[kernels][pack]") {
  CHECK_THROWS_WITH(pack_codes(torch::full({2, 32}, 16, torch::kLong), torch::ones({2, 1}), torch::zeros({2, 1}),
                               PackedFormat::Int4, 32),
                    Catch::Contains("int4 codes must lie in [0, 15]"));
  CHECK_THROWS_WITH(pack_codes(torch::zeros({2, 96}, torch::kLong), torch::ones({2, 2}), torch::zeros({2, 2}),
                               PackedFormat::Int4, 48),
                    Catch::Contains("group size 48 cannot be packed"));
  CHECK_THROWS_WITH(pack_codes(torch::zeros({2, 64}, torch::kLong), torch::ones({2, 3}), torch::zeros({2, 3}),
                               PackedFormat::Int4, 32),
                    Catch::Contains("scales must be float32 [2, 2]"));
  CHECK_THROWS_WITH(pack_codes(torch::zeros({2, 64}, torch::kLong), torch::ones({2, 2}), torch::Tensor(),
                               PackedFormat::Int8, 32),
                    Catch::Contains("int8 needs zero points"));
}

TEST_CASE("pack: round-to-nearest packing stays within half a step of the weight", "[kernels][pack]") {
  torch::manual_seed(4);
  const auto w = torch::randn({16, 300});
  for (auto f : {PackedFormat::Int2, PackedFormat::Int3, PackedFormat::Int4, PackedFormat::Int8}) {
    const auto p = quantize_rtn(w, f, 32);
    const auto step = p.scales.repeat_interleave(32, 1).narrow(1, 0, 300);
    CHECK(((dequantize_reference(p) - w).abs() <= step * 0.5001).all().item<bool>());
  }
}
