// One case per malformed-input rule of the safetensors reader; messages are matched by
// substring, and every message must name the file.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <random>

#include "framework/core/check.h"
#include "framework/io/safetensors.h"
#include "framework/io/safetensors_dtype.h"
#include "tests/framework/io/safetensors_raw.h"
#include "tests/support/temp_dir.h"

using namespace ptq;
using Catch::Contains;
using test::raw_safetensors;

namespace {

const std::string kFile = "broken.safetensors";

// A header holding one tensor entry `t` with the given JSON body.
std::string one_entry(const std::string& body) { return R"({"t":)" + body + "}"; }

void load(const std::string& bytes) { io::safetensors_from_bytes(bytes, kFile); }

}  // namespace

#define REQUIRE_LOAD_ERROR(bytes, ...) \
  REQUIRE_THROWS_WITH(load(bytes), Contains("'" + kFile + "'") && __VA_ARGS__)

TEST_CASE("safetensors: file shorter than the length prefix", "[io]") {
  for (const std::string bytes : {std::string(), std::string("\x02\0\0", 3), std::string(7, '\0')}) {
    REQUIRE_LOAD_ERROR(bytes, Contains("shorter than the 8-byte header length prefix"));
  }
}

TEST_CASE("safetensors: header length larger than the file", "[io]") {
  REQUIRE_LOAD_ERROR(test::le64(100) + "{}", Contains("header length 100 is larger than the 2 bytes"));
}

TEST_CASE("safetensors: absurd header length", "[io]") {
  REQUIRE_LOAD_ERROR(test::le64(~uint64_t{0}) + "{}", Contains("exceeds the 100000000 byte limit"));
  REQUIRE_LOAD_ERROR(test::le64(100'000'001) + "{}", Contains("exceeds the 100000000 byte limit"));
}

TEST_CASE("safetensors: header is not valid JSON", "[io]") {
  REQUIRE_LOAD_ERROR(raw_safetensors(R"({"t": {"dtype": )"),
                     Contains("header is not valid JSON") && Contains("parse error"));
  REQUIRE_LOAD_ERROR(raw_safetensors(std::string("{}\0\0", 4)),
                     Contains("not valid JSON: NUL byte at offset 2"));
  REQUIRE_LOAD_ERROR(raw_safetensors(""), Contains("not valid JSON"));
  REQUIRE_LOAD_ERROR(raw_safetensors("{\"\xff\": 1}"), Contains("not valid JSON"));
}

TEST_CASE("safetensors: header is not an object", "[io]") {
  REQUIRE_LOAD_ERROR(raw_safetensors("[1, 2]"), Contains("header is a JSON array, expected an object"));
  REQUIRE_LOAD_ERROR(raw_safetensors("42"), Contains("header is a JSON number"));
}

TEST_CASE("safetensors: entry missing a field", "[io]") {
  REQUIRE_LOAD_ERROR(raw_safetensors(one_entry(R"({"shape":[1],"data_offsets":[0,4]})"), "abcd"),
                     Contains("tensor 't': missing \"dtype\""));
  REQUIRE_LOAD_ERROR(raw_safetensors(one_entry(R"({"dtype":"F32","data_offsets":[0,4]})"), "abcd"),
                     Contains("tensor 't': missing \"shape\""));
  REQUIRE_LOAD_ERROR(raw_safetensors(one_entry(R"({"dtype":"F32","shape":[1]})"), "abcd"),
                     Contains("tensor 't': missing \"data_offsets\""));
}

TEST_CASE("safetensors: entry fields with the wrong JSON type", "[io]") {
  REQUIRE_LOAD_ERROR(raw_safetensors(one_entry("[1]")), Contains("tensor 't': entry is a JSON array"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":32,"shape":[1],"data_offsets":[0,4]})"), "abcd"),
      Contains("\"dtype\" is a JSON number, expected a string"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":"1","data_offsets":[0,4]})"), "abcd"),
      Contains("\"shape\" is a JSON string, expected an array"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[[1]],"data_offsets":[0,4]})"), "abcd"),
      Contains("shape[0] is a JSON array, expected a non-negative integer"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4,8]})"), "abcd"),
      Contains("\"data_offsets\" must be an array [begin, end]") && Contains("of 3 elements"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[1],"data_offsets":{"0":4}})"), "abcd"),
      Contains("\"data_offsets\" must be an array [begin, end]"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[1],"data_offsets":[0,"4"]})"), "abcd"),
      Contains("data_offsets[1] is a JSON string"));
}

TEST_CASE("safetensors: negative or non-integer shape and offsets", "[io]") {
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[1,-1],"data_offsets":[0,4]})"), "abcd"),
      Contains("tensor 't': shape[1] is negative (-1)"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[1.5],"data_offsets":[0,4]})"), "abcd"),
      Contains("shape[0] is not an integer"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[1e30],"data_offsets":[0,4]})"), "abcd"),
      Contains("shape[0] is not an integer"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[1],"data_offsets":[-4,0]})"), "abcd"),
      Contains("data_offsets[0] is negative"));
}

TEST_CASE("safetensors: shapes too large to address", "[io]") {
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(
          R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]})")),
      Contains("too large to address"));
  // Empty, but its strides would still overflow int64.
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(
          R"({"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]})")),
      Contains("too large to address"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(
          R"({"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]})")),
      Contains("too large to address"));
}

TEST_CASE("safetensors: unknown and unsupported dtypes", "[io]") {
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F33","shape":[1],"data_offsets":[0,4]})"), "abcd"),
      Contains("tensor 't' has unknown dtype 'F33'") && Contains("did you mean") &&
          Contains("known: F64, F32"));
  for (const std::string dtype : {"U16", "U32", "U64"}) {
    REQUIRE_LOAD_ERROR(raw_safetensors(one_entry(R"({"dtype":")" + dtype +
                                                 R"(","shape":[1],"data_offsets":[0,8]})"),
                                       std::string(8, '\0')),
                       Contains("tensor 't' has unsupported dtype " + dtype));
  }
}

TEST_CASE("safetensors: float8 dtypes depend on the LibTorch version", "[io]") {
  const std::string bytes = raw_safetensors(
      one_entry(R"({"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]})"), std::string("\x38\xb8", 2));
#if PTQ_TORCH_HAS_FLOAT8
  const auto t = io::safetensors_from_bytes(bytes, kFile).tensors.at("t");
  CHECK(t.scalar_type() == torch::kFloat8_e4m3fn);
  CHECK(torch::equal(t.to(torch::kFloat32), torch::tensor({1.0f, -1.0f})));
#else
  REQUIRE_LOAD_ERROR(bytes, Contains("dtype F8_E4M3, which needs LibTorch >= 2.1"));
#endif
}

TEST_CASE("safetensors: data_offsets inconsistent with the buffer or the shape", "[io]") {
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})"), "abcd"),
      Contains("data_offsets [0, 8] lie outside the data buffer of 4 bytes"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[1],"data_offsets":[18446744073709551615,18446744073709551615]})"), "abcd"),
      Contains("outside the data buffer"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[0],"data_offsets":[4,0]})"), "abcd"),
      Contains("data_offsets [4, 0] end before they begin"));
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,4]})"), "abcd"),
      Contains("data_offsets [0, 4] span 4 bytes but shape [2] of Float needs 8 bytes"));
}

TEST_CASE("safetensors: overlapping tensors", "[io]") {
  const std::string header =
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"I16","shape":[2],"data_offsets":[6,10]}})";
  REQUIRE_LOAD_ERROR(raw_safetensors(header, std::string(10, '\0')),
                     Contains("tensors 'a' (bytes [0, 8)) and 'b' (bytes [6, 10)) overlap"));
  // Empty tensors occupy no bytes, so one "inside" another is fine.
  const std::string ok =
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})";
  CHECK(io::safetensors_from_bytes(raw_safetensors(ok, std::string(8, '\0')), kFile).tensors.size() == 2);
}

TEST_CASE("safetensors: malformed metadata", "[io]") {
  REQUIRE_LOAD_ERROR(raw_safetensors(R"({"__metadata__": ["a"]})"),
                     Contains("\"__metadata__\" is a JSON array, expected an object"));
  REQUIRE_LOAD_ERROR(raw_safetensors(R"({"__metadata__": {"epoch": 3}})"),
                     Contains("\"__metadata__\" value for key 'epoch' is a JSON number"));
}

TEST_CASE("safetensors: BOOL tensors must hold 0 or 1", "[io]") {
  REQUIRE_LOAD_ERROR(
      raw_safetensors(one_entry(R"({"dtype":"BOOL","shape":[3],"data_offsets":[0,3]})"),
                      std::string("\x01\x00\x02", 3)),
      Contains("BOOL tensor 't' holds byte value 2 at element 2"));
}

TEST_CASE("safetensors: file-level errors name the path", "[io]") {
  test::TempDir dir;
  const std::string missing = dir.file("missing.safetensors");
  REQUIRE_THROWS_WITH(io::load_safetensors(missing),
                      Contains("cannot open '" + missing + "'") && Contains("No such file"));
  const std::string truncated = dir.write("short.safetensors", "abc");
  REQUIRE_THROWS_WITH(io::load_safetensors(truncated),
                      Contains("'" + truncated + "'") && Contains("shorter than the 8-byte"));
  // Truncating a valid file cuts its last tensor off.
  std::string bytes = io::safetensors_to_bytes({{"w", torch::ones({4})}});
  bytes.resize(bytes.size() - 1);
  const std::string cut = dir.write("cut.safetensors", bytes);
  REQUIRE_THROWS_WITH(io::load_safetensors(cut),
                      Contains("'" + cut + "'") && Contains("outside the data buffer"));
}

TEST_CASE("safetensors: random corruption never crashes the reader", "[io]") {
  const std::string valid = io::safetensors_to_bytes(
      {{"a", torch::arange(6, torch::kFloat32).reshape({2, 3})},
       {"b", torch::tensor({true, false})},
       {"c", torch::arange(5, torch::kInt64)}},
      {{"k", "v"}});
  std::mt19937 rng(1234);
  int accepted = 0;
  int rejected = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string bytes = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % bytes.size();
      switch (rng() % 4) {
        case 0: bytes[pos] = static_cast<char>(rng()); break;
        case 1: bytes[pos] = "0123456789-.[]{},\" e"[rng() % 20]; break;
        case 2: bytes.resize(pos); break;
        default: bytes.insert(pos, 1, static_cast<char>(rng())); break;
      }
      if (bytes.empty()) break;
    }
    try {
      io::safetensors_from_bytes(bytes, kFile);
      ++accepted;
    } catch (const UserError& e) {
      ++rejected;
      INFO(e.what());
      REQUIRE(std::string(e.what()).find(kFile) != std::string::npos);
    }
  }
  CHECK(rejected > 0);
  CHECK(accepted + rejected == 3000);
}
