#include "methods/meta_aug/transform_net.h"

#include "framework/core/check.h"

#include <cmath>

namespace ptq::methods {

void TransformNetOptions::validate() const {
  PTQ_CHECK(channels >= 1, "transform.channels must be >= 1, got {}", channels);
  PTQ_CHECK(base_channels >= 1, "transform.base_channels: expected a number >= 1, got {}", base_channels);
  PTQ_CHECK(depth >= 0 && depth <= 6, "transform.depth: expected 0 to 6 down-sampling steps, got {}", depth);
}

void TransformWarmupOptions::validate() const {
  PTQ_CHECK(iters >= 0, "transform.warmup.iters: expected a number >= 0, got {}", iters);
  PTQ_CHECK(lr > 0.0, "transform.warmup.lr: expected a number > 0, got {}", lr);
  PTQ_CHECK(batch >= 1, "transform.warmup.batch: expected a number >= 1, got {}", batch);
}

torch::nn::Sequential TransformNetImpl::double_conv(int64_t in, int64_t out, const std::string& name) {
  namespace nn = torch::nn;
  auto conv = [](int64_t i, int64_t o) { return nn::Conv2d(nn::Conv2dOptions(i, o, 3).padding(1).bias(false)); };
  return register_module(name, nn::Sequential(conv(in, out), nn::BatchNorm2d(out), nn::ReLU(), conv(out, out),
                                              nn::BatchNorm2d(out), nn::ReLU()));
}

TransformNetImpl::TransformNetImpl(const TransformNetOptions& o) : options_(o) {
  options_.validate();
  const int64_t c = o.base_channels;
  down_.push_back(double_conv(o.channels, c, "inc"));
  for (int64_t i = 1; i <= o.depth; ++i)
    down_.push_back(double_conv(c << (i - 1), c << i, "down" + std::to_string(i)));
  for (int64_t i = o.depth; i >= 1; --i) {
    const int64_t in = c << i, out = c << (i - 1);
    up_.push_back(register_module("up" + std::to_string(o.depth - i + 1) + "_t",
                                  torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in, out, 2).stride(2))));
    up_conv_.push_back(double_conv(in, out, "up" + std::to_string(o.depth - i + 1)));
  }
  out_ = register_module("outc", torch::nn::Conv2d(torch::nn::Conv2dOptions(c, o.channels, 1)));
}

torch::Tensor TransformNetImpl::forward(const torch::Tensor& x) {
  PTQ_CHECK(x.dim() == 4 && x.size(1) == options_.channels,
            "the transformation network expects images [N, {}, H, W], got [{}]", options_.channels,
            fmt::join(x.sizes(), ", "));
  std::vector<torch::Tensor> skips;
  auto h = down_[0]->forward(x);
  for (size_t i = 1; i < down_.size(); ++i) {
    skips.push_back(h);
    h = down_[i]->forward(torch::max_pool2d(h, 2));
  }
  for (size_t i = 0; i < up_.size(); ++i) {
    const auto& skip = skips[skips.size() - 1 - i];
    auto u = up_[i]->forward(h);
    const int64_t dy = skip.size(2) - u.size(2), dx = skip.size(3) - u.size(3);
    if (dy != 0 || dx != 0) u = torch::constant_pad_nd(u, {dx / 2, dx - dx / 2, dy / 2, dy - dy / 2});
    h = up_conv_[i]->forward(torch::cat({skip, u}, 1));
  }
  return out_->forward(h);
}

double warm_up_identity(TransformNet& net, const torch::Tensor& images, const TransformWarmupOptions& o) {
  o.validate();
  net->train();
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(o.lr));
  const int64_t n = images.size(0), b = std::min(o.batch, n);
  double last = 0.0;
  for (int64_t t = 0; t < o.iters; ++t) {
    auto x = images.index_select(0, torch::randint(0, n, {b}, torch::kLong));
    auto loss = (net->forward(x) - x).pow(2).mean();
    last = loss.item<double>();
    PTQ_CHECK(std::isfinite(last), "transformation-net warm-up diverged at step {} (loss {}); lower transform.warmup.lr",
              t + 1, last);
    adam.zero_grad();
    loss.backward();
    adam.step();
  }
  return last;
}

torch::Tensor transform_images(TransformNet& net, const torch::Tensor& images, int64_t batch) {
  torch::NoGradGuard no_grad;
  const bool was_training = net->is_training();
  net->eval();
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += batch)
    out.push_back(net->forward(images.narrow(0, i, std::min(batch, images.size(0) - i))));
  net->train(was_training);
  return torch::cat(out, 0);
}

}  // namespace ptq::methods
