#include "framework/recon/loss.h"

#include "framework/core/check.h"
#include "framework/recon/quantizer_states.h"

namespace ptq {

torch::Tensor lp_reconstruction_loss(const torch::Tensor& a, const torch::Tensor& b, double p) {
  auto d = a - b;
  auto e = p == 2.0 ? d * d : d.abs().pow(p);
  return e.sum(1).mean();
}

torch::Tensor weighted_mse_loss(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& w) {
  auto d = a - b;
  return (d * d * w).sum(1).mean();
}

namespace {

class LpLoss final : public ReconLoss {
 public:
  explicit LpLoss(double p) : p_(p) {}
  std::string name() const override { return "lp"; }
  torch::Tensor compute(const LossBatch& b, LossTerms& terms) override {
    auto l = lp_reconstruction_loss(b.output, b.target, p_);
    terms["rec"] = l.item<double>();
    return l;
  }

 private:
  double p_;
};

class MseKlLoss final : public ReconLoss {
 public:
  explicit MseKlLoss(double kl_weight) : kl_weight_(kl_weight) {}
  std::string name() const override { return "mse_kl"; }
  torch::Tensor compute(const LossBatch& b, LossTerms& terms) override {
    const auto d = b.output - b.target;
    const auto mse = (d * d).sum(-1).mean();
    const auto log_q = torch::log_softmax(b.output, -1), log_p = torch::log_softmax(b.target, -1);
    const auto kl = (log_p.exp() * (log_p - log_q)).sum(-1).mean();
    terms["mse"] = mse.item<double>();
    terms["kl"] = kl.item<double>();
    return kl_weight_ > 0.0 ? mse + kl_weight_ * kl : mse;
  }

 private:
  double kl_weight_;
};

class FisherLoss final : public ReconLoss {
 public:
  explicit FisherLoss(FisherOptions o) : o_(o) {}
  std::string name() const override { return "fisher"; }

  void prepare(GroupContext& g) override {
    PTQ_CHECK(!g.group.is_layer(), "loss.kind fisher needs block (or coarser) granularity: the task-loss gradient "
                                   "is taken through the rest of the network after group '{}'",
              g.group.name);
    auto& model = g.model;
    const size_t end = g.group.unit_end, n = model.units().size();
    std::vector<Quantizer> rest;
    for (size_t u = end; u < n; ++u)
      for (const auto& q : model.units()[u]->quantizers()) rest.push_back(q);
    QuantizerStateGuard rest_fp(rest, QuantizerState::Off);
    const std::string input = g.cache.has("q_in") ? "q_in" : "fp_in";
    double total = 0.0;
    int64_t count = 0;
    g.cache.fill("fisher", g.rows, g.forward_batch, [&](int64_t b, int64_t c) {
      torch::Tensor z;
      {
        torch::NoGradGuard no_grad;
        z = g.forward(g.cache.slice(input, b, c));
      }
      z = z.detach().requires_grad_(true);
      auto logits_q = model.forward_units(z, end, n);
      torch::Tensor logits_fp;
      {
        torch::NoGradGuard no_grad;
        logits_fp = model.forward_units(g.cache.slice("fp_out", b, c), end, n);
      }
      auto kl = torch::kl_div(torch::log_softmax(logits_q, 1), torch::softmax(logits_fp, 1), at::Reduction::Sum);
      if (o_.batch_mean) kl = kl / static_cast<double>(c);
      auto grad = torch::autograd::grad({kl}, {z})[0];
      auto w = (grad.abs() + o_.damping).pow(2);
      total += w.sum().item<double>();
      count += w.numel();
      return w;
    });
    scale_ = 1.0;
    if (o_.normalize) {
      const double mean = total / std::max<int64_t>(count, 1);
      PTQ_CHECK(std::isfinite(mean) && mean > 0.0,
                "loss.kind fisher: the task-loss gradients at group '{}' are all zero or not finite (mean weight {}); "
                "use loss.kind lp or set loss.fisher.damping > 0",
                g.group.name, mean);
      scale_ = 1.0 / mean;
    }
  }

  torch::Tensor compute(const LossBatch& b, LossTerms& terms) override {
    auto w = b.group.cache.gather("fisher", b.indices);
    if (scale_ != 1.0) w = w * scale_;
    auto l = weighted_mse_loss(b.output, b.target, w);
    terms["rec"] = l.item<double>();
    return l;
  }

 private:
  FisherOptions o_;
  double scale_ = 1.0;
};

}  // namespace

std::shared_ptr<ReconLoss> make_loss(const LossOptions& o) {
  if (o.kind == "lp") {
    PTQ_CHECK(o.p > 0.0, "loss.p: expected a number > 0, got {}", o.p);
    return std::make_shared<LpLoss>(o.p);
  }
  if (o.kind == "fisher") {
    PTQ_CHECK(o.fisher.damping >= 0.0, "loss.fisher.damping: expected a number >= 0, got {}", o.fisher.damping);
    return std::make_shared<FisherLoss>(o.fisher);
  }
  if (o.kind == "mse_kl") {
    PTQ_CHECK(o.kl_weight >= 0.0, "loss.kl_weight: expected a number >= 0, got {}", o.kl_weight);
    return std::make_shared<MseKlLoss>(o.kl_weight);
  }
  PTQ_FAIL("loss.kind: expected one of lp, fisher, mse_kl, got \"{}\"", o.kind);
}

}  // namespace ptq
