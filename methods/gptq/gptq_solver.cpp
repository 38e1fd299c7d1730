#include "methods/gptq/gptq_solver.h"

#include "framework/core/check.h"
#include "framework/quant/fake_quant.h"
#include "framework/quant/grouping.h"

#include <cmath>

namespace ptq::methods {

HessianAccumulator::HessianAccumulator(int64_t columns) : h_(torch::zeros({columns, columns}, torch::kDouble)) {}

void HessianAccumulator::add(const torch::Tensor& rows) {
  PTQ_INTERNAL_ASSERT(rows.dim() == 2 && rows.size(1) == h_.size(0), "Hessian rows of the wrong width");
  const int64_t m = rows.size(0);
  if (m == 0) return;
  const auto x = rows.detach().to(torch::kDouble) * std::sqrt(2.0 / static_cast<double>(n_ + m));
  h_.mul_(static_cast<double>(n_) / static_cast<double>(n_ + m));
  h_.addmm_(x.t(), x);
  n_ += m;
}

namespace {

// Quantisation parameters [O, 1] of the columns `cols` [O, G] under the quantiser's observer.
QParams slice_params(const QuantizerOptions& options, const torch::Tensor& cols) {
  QuantizerOptions o = options;
  o.spec.granularity = Granularity::Channel;
  o.spec.axis = 0;
  Quantizer q(o);
  q->calibrate(cols.to(torch::kFloat).contiguous());
  return {q->scale().detach().clone(), q->zero_point().detach().clone()};
}

}  // namespace

GptqLayerResult gptq_quantize(const torch::Tensor& weight2d, const torch::Tensor& hessian, QuantizerImpl& quantizer,
                              torch::IntArrayRef weight_shape, const GptqOptions& o, const std::string& name) {
  PTQ_CHECK(o.block_size >= 1, "method.block_size must be positive, got {}", o.block_size);
  PTQ_CHECK(o.percdamp > 0, "method.percdamp must be positive, got {}", o.percdamp);
  const auto& spec = quantizer.options().spec;
  const int64_t rows = weight2d.size(0), cols = weight2d.size(1);
  const bool grouped = spec.granularity == Granularity::Group;
  PTQ_CHECK(!grouped || spec.axis == 1,
            "layer '{}': GPTQ quantises along the input of each output channel; weight groups must start at axis 1 "
            "(got axis {})",
            name, spec.axis);
  PTQ_CHECK(spec.granularity != Granularity::Channel || spec.axis == 0,
            "layer '{}': GPTQ needs per-output-channel weight scales (axis 0), got axis {}", name, spec.axis);
  PTQ_CHECK(spec.granularity != Granularity::Token, "layer '{}': per-token granularity is for activations", name);
  const int64_t gsize = grouped ? std::min(spec.group_size, cols) : cols;
  const bool static_groups = grouped && (o.static_groups || o.act_order);

  GptqLayerResult res;
  auto W = weight2d.detach().to(torch::kDouble).clone();
  auto H = hessian.to(torch::kDouble).clone();
  PTQ_CHECK(torch::isfinite(H).all().item<bool>(),
            "layer '{}': the Hessian of the calibration inputs holds NaN or Inf; check the calibration data", name);
  {
    const auto dead = H.diagonal() == 0;
    res.dead_columns = dead.sum().item<int64_t>();
    if (res.dead_columns > 0) {
      H.diagonal().masked_fill_(dead, 1.0);
      W.index_put_({torch::indexing::Slice(), dead}, 0.0);
    }
  }

  // Parameters known up front: per-tensor / per-channel, or static groups (on the original W).
  // For dynamic groups, filled in as the solver reaches each group.
  const int64_t n_groups = grouped ? (cols + gsize - 1) / gsize : 1;
  torch::Tensor scale, zero;
  QParams upfront;
  if (!grouped || static_groups) {
    quantizer.calibrate(W.to(torch::kFloat).reshape(weight_shape));
    upfront = {quantizer.scale().detach().to(torch::kFloat).clone(),
               quantizer.zero_point().detach().to(torch::kFloat).clone()};
    scale = upfront.scale;
    zero = upfront.zero_point;
    if (scale.size(0) == 1 && rows > 1) {  // per-tensor: one row of parameters for every output channel
      scale = scale.expand({rows, scale.size(1)}).contiguous();
      zero = zero.expand({rows, zero.size(1)}).contiguous();
    }
  } else {
    scale = torch::zeros({rows, n_groups});
    zero = torch::zeros({rows, n_groups});
  }

  torch::Tensor perm, invperm;
  if (o.act_order) {
    perm = torch::argsort(H.diagonal(), /*dim=*/0, /*descending=*/true);
    W = W.index_select(1, perm);
    H = H.index_select(0, perm).index_select(1, perm);
    invperm = torch::argsort(perm);
  }
  const double damp = o.percdamp * H.diagonal().mean().item<double>();
  H.diagonal().add_(damp);
  torch::Tensor U;
  try {
    const auto L = torch::linalg::cholesky(H);
    U = torch::linalg::cholesky(torch::cholesky_inverse(L)).t().contiguous();
  } catch (const c10::Error&) {
    PTQ_FAIL("layer '{}': the damped Hessian is not positive definite (Cholesky failed); raise method.percdamp "
             "(now {}) or use more calibration samples",
             name, o.percdamp);
  }

  // The original column index of processed column j (act_order permutes).
  const auto original = o.act_order ? perm.to(torch::kLong) : torch::arange(cols, torch::kLong);
  const auto* orig = original.data_ptr<int64_t>();
  auto Q = torch::zeros_like(W);
  double loss = 0;
  for (int64_t i1 = 0; i1 < cols; i1 += o.block_size) {
    const int64_t i2 = std::min(i1 + o.block_size, cols), count = i2 - i1;
    auto W1 = W.narrow(1, i1, count).clone();
    auto Q1 = torch::zeros_like(W1), E1 = torch::zeros_like(W1);
    const auto U1 = U.narrow(0, i1, count).narrow(1, i1, count);
    for (int64_t i = 0; i < count; ++i) {
      const int64_t col = orig[i1 + i];
      const int64_t g = grouped ? col / gsize : 0;
      if (grouped && !static_groups && col % gsize == 0) {
        const int64_t width = std::min(gsize, cols - col);
        const auto p = slice_params(quantizer.options(), W.narrow(1, i1 + i, width));
        scale.narrow(1, g, 1).copy_(p.scale.reshape({rows, 1}));
        zero.narrow(1, g, 1).copy_(p.zero_point.reshape({rows, 1}));
      }
      const auto w = W1.select(1, i);
      const auto s = scale.narrow(1, g, 1).reshape({rows, 1}), z = zero.narrow(1, g, 1).reshape({rows, 1});
      const auto q = fake_quant_grouped(w.to(torch::kFloat).reshape({rows, 1, 1}), s, z, spec)
                         .reshape({rows})
                         .to(torch::kDouble);
      const double d = U1[i][i].item<double>();
      Q1.select(1, i).copy_(q);
      const auto err = (w - q) / d;
      loss += (w - q).pow(2).sum().item<double>() / (d * d) / 2.0;
      W1.narrow(1, i, count - i).sub_(err.unsqueeze(1).mm(U1[i].narrow(0, i, count - i).unsqueeze(0)));
      E1.select(1, i).copy_(err);
    }
    Q.narrow(1, i1, count).copy_(Q1);
    if (i2 < cols) W.narrow(1, i2, cols - i2).sub_(E1.mm(U.narrow(0, i1, count).narrow(1, i2, cols - i2)));
  }
  if (o.act_order) Q = Q.index_select(1, invperm);
  res.error = loss;
  res.weight = Q.to(torch::kFloat);
  // The quantiser keeps the grid the solver used, so the forward pass re-quantises Q to itself.
  quantizer.set_qparams(grouped ? QParams{scale, zero} : upfront);
  quantizer.set_state(QuantizerState::Quantize);
  PTQ_CHECK(torch::isfinite(res.weight).all().item<bool>(),
            "layer '{}': GPTQ produced NaN or Inf weights; raise method.percdamp (now {})", name, o.percdamp);
  return res;
}

}  // namespace ptq::methods
