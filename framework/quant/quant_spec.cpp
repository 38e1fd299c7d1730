#include "framework/quant/quant_spec.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"

#include <cmath>

namespace ptq {

double MiniFloat::max_value() const {
  const int top_field = (1 << exp_bits) - 1;
  const double m = std::ldexp(1.0, -man_bits);  // one mantissa ulp
  switch (specials) {
    case FloatSpecials::IEEE:  // top field reserved: largest exponent is top_field - 1
      return (2.0 - m) * std::ldexp(1.0, top_field - 1 - bias);
    case FloatSpecials::NanOnly:  // top field usable but its all-ones mantissa is NaN
      return (2.0 - 2.0 * m) * std::ldexp(1.0, top_field - bias);
    case FloatSpecials::FiniteOnly:
      return (2.0 - m) * std::ldexp(1.0, top_field - bias);
  }
  return 0.0;
}

double MiniFloat::min_normal() const { return std::ldexp(1.0, 1 - bias); }

std::string MiniFloat::name() const {
  std::string n = fmt::format("e{}m{}", exp_bits, man_bits);
  if (bias != standard_bias(exp_bits)) n += fmt::format("b{}", bias);
  if (!subnormals) n += "nosub";
  return n;
}

MiniFloat MiniFloat::named(const std::string& name) {
  MiniFloat f;
  const std::string n = to_lower(name);
  if (n == "e4m3") {
    f = {4, 3, 7, true, FloatSpecials::NanOnly};
  } else if (n == "e5m2") {
    f = {5, 2, 15, true, FloatSpecials::IEEE};
  } else if (n == "e3m2") {
    f = {3, 2, 3, true, FloatSpecials::FiniteOnly};
  } else if (n == "e2m3") {
    f = {2, 3, 1, true, FloatSpecials::FiniteOnly};
  } else if (n == "e2m1") {
    f = {2, 1, 1, true, FloatSpecials::FiniteOnly};
  } else {
    const std::vector<std::string> known{"e4m3", "e5m2", "e3m2", "e2m3", "e2m1"};
    PTQ_FAIL("unknown minifloat format '{}'{}; known: {} (or give exp_bits/man_bits/bias explicitly)",
             name, did_you_mean(n, known), join(known, ", "));
  }
  return f;
}

int64_t QuantSpec::qmin() const { return is_signed ? -(int64_t{1} << (bits - 1)) : 0; }

int64_t QuantSpec::qmax() const {
  return is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
}

void QuantSpec::validate(const std::string& where) const {
  if (format == NumberFormat::Int) {
    PTQ_CHECK(bits >= 2 && bits <= 16, "{}.bits: expected an integer in [2, 16], got {}", where, bits);
  } else {
    PTQ_CHECK(minifloat.exp_bits >= 1 && minifloat.exp_bits <= 8,
              "{}: minifloat exp_bits must be in [1, 8], got {}", where, minifloat.exp_bits);
    PTQ_CHECK(minifloat.man_bits >= 0 && minifloat.man_bits <= 10,
              "{}: minifloat man_bits must be in [0, 10], got {}", where, minifloat.man_bits);
    PTQ_CHECK(!(minifloat.specials == FloatSpecials::NanOnly && minifloat.man_bits == 0),
              "{}: a NaN-only minifloat needs at least one mantissa bit", where);
    PTQ_CHECK(bits == 1 + minifloat.exp_bits + minifloat.man_bits,
              "{}.bits: {} does not match the minifloat format {} (1 + {} + {} bits)", where, bits,
              minifloat.name(), minifloat.exp_bits, minifloat.man_bits);
    PTQ_CHECK(symmetric, "{}: minifloat quantisation is symmetric (set symmetric: true)", where);
  }
  PTQ_CHECK(axis >= 0, "{}.axis: expected a non-negative axis, got {}", where, axis);
  PTQ_CHECK(granularity != Granularity::Token || dynamic,
            "{}: per-token quantisation needs dynamic: true (every token gets its own scale at run time)", where);
  if (granularity == Granularity::Group)
    PTQ_CHECK(group_size >= 1, "{}.group_size: expected a positive integer, got {}", where, group_size);
}

std::string granularity_name(Granularity g) {
  switch (g) {
    case Granularity::Tensor: return "tensor";
    case Granularity::Channel: return "channel";
    case Granularity::Group: return "group";
    case Granularity::Token: return "token";
  }
  return "?";
}

std::string QuantSpec::to_string() const {
  std::string s = format == NumberFormat::Int ? fmt::format("{}int{}", is_signed ? "" : "u", bits)
                                              : minifloat.name();
  if (format == NumberFormat::Int && symmetric) s += "s";
  switch (granularity) {
    case Granularity::Tensor: s += "/tensor"; break;
    case Granularity::Channel: s += axis == 0 ? "/ch" : fmt::format("/ch{}", axis); break;
    case Granularity::Group: s += fmt::format("/g{}", group_size); break;
    case Granularity::Token: s += "/token"; break;
  }
  if (dynamic) s += "/dyn";
  return s;
}

}  // namespace ptq
