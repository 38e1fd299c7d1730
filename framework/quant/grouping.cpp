#include "framework/quant/grouping.h"

#include "framework/core/check.h"

#include <limits>

namespace ptq {

GroupLayout group_layout(const QuantSpec& spec, torch::IntArrayRef shape) {
  GroupLayout l;
  l.granularity = spec.granularity;
  l.shape = shape.vec();
  l.axis = spec.axis;
  int64_t numel = 1;
  for (auto d : shape) numel *= d;
  switch (spec.granularity) {
    case Granularity::Tensor:
      l.rows = 1, l.groups = 1, l.group_size = numel;
      break;
    case Granularity::Channel:
      PTQ_CHECK(spec.axis < static_cast<int64_t>(shape.size()),
                "per-channel quantisation along axis {} needs a tensor with more than {} dims, got shape {}",
                spec.axis, spec.axis, fmt::format("{}", fmt::join(shape, "x")));
      l.rows = shape[spec.axis];
      l.groups = 1;
      l.group_size = l.rows ? numel / l.rows : 0;
      break;
    case Granularity::Group: {
      PTQ_CHECK(spec.axis < static_cast<int64_t>(shape.size()),
                "per-group quantisation from axis {} needs a tensor with more than {} dims, got shape {}",
                spec.axis, spec.axis, fmt::format("{}", fmt::join(shape, "x")));
      int64_t rows = 1;
      for (int64_t i = 0; i < spec.axis; ++i) rows *= shape[i];
      const int64_t k = rows ? numel / rows : 0;
      l.rows = rows;
      l.group_size = std::min<int64_t>(spec.group_size, std::max<int64_t>(k, 1));
      l.groups = (k + l.group_size - 1) / l.group_size;
      l.padding = l.groups * l.group_size - k;
      break;
    }
    case Granularity::Token:
      PTQ_CHECK(!shape.empty(), "per-token quantisation needs a tensor with at least one dim, got a scalar");
      l.group_size = shape.back();
      l.rows = l.group_size ? numel / l.group_size : 0;
      l.groups = 1;
      break;
  }
  return l;
}

torch::Tensor to_groups(const torch::Tensor& x, const GroupLayout& l) {
  switch (l.granularity) {
    case Granularity::Tensor:
      return x.reshape({1, 1, -1});
    case Granularity::Channel:
      return x.movedim(l.axis, 0).reshape({l.rows, 1, l.group_size});
    case Granularity::Group: {
      auto flat = x.reshape({l.rows, -1});
      if (l.padding > 0)
        flat = torch::constant_pad_nd(flat, {0, l.padding}, std::numeric_limits<double>::quiet_NaN());
      return flat.reshape({l.rows, l.groups, l.group_size});
    }
    case Granularity::Token:
      return x.reshape({l.rows, 1, l.group_size});
  }
  return x;
}

torch::Tensor from_groups(const torch::Tensor& g, const GroupLayout& l) {
  switch (l.granularity) {
    case Granularity::Tensor:
      return g.reshape(l.shape);
    case Granularity::Channel: {
      // movedim(axis, 0) moved `axis` to the front keeping the others in order.
      std::vector<int64_t> front{l.shape[l.axis]};
      for (size_t i = 0; i < l.shape.size(); ++i)
        if (static_cast<int64_t>(i) != l.axis) front.push_back(l.shape[i]);
      return g.reshape(front).movedim(0, l.axis);
    }
    case Granularity::Group: {
      auto flat = g.reshape({l.rows, l.groups * l.group_size});
      if (l.padding > 0) flat = flat.narrow(1, 0, l.groups * l.group_size - l.padding);
      return flat.reshape(l.shape);
    }
    case Granularity::Token:
      return g.reshape(l.shape);
  }
  return g;
}

}  // namespace ptq
