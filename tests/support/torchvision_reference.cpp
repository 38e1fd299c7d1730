#include "tests/support/torchvision_reference.h"

#include <fmt/format.h>

#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace ptq::test {
namespace {

[[noreturn]] void fail(const std::string& arch, const std::string& what) {
  throw std::runtime_error("reference_forward(" + arch + "): " + what);
}

std::string shape_str(torch::IntArrayRef s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

// Functional layers over the weight map; remembers which tensors were read.
class Net {
 public:
  Net(std::string arch, const std::map<std::string, torch::Tensor>& state) : arch_(std::move(arch)), state_(state) {}

  torch::Tensor get(const std::string& name, std::vector<int64_t> shape) {
    auto it = state_.find(name);
    if (it == state_.end()) fail(arch_, "missing tensor '" + name + "'");
    if (it->second.sizes() != torch::IntArrayRef(shape))
      fail(arch_, fmt::format("tensor '{}' has shape {}, expected {}", name, shape_str(it->second.sizes()),
                              shape_str(shape)));
    used_.insert(name);
    return it->second;
  }

  // Conv without bias (torchvision's convs before BN), padding (k-1)/2.
  torch::Tensor conv(const torch::Tensor& x, const std::string& name, int64_t out, int64_t k, int64_t stride,
                     int64_t groups = 1) {
    const int64_t in = x.size(1);
    auto w = get(name + ".weight", {out, in / groups, k, k});
    return torch::conv2d(x, w, {}, {stride, stride}, {(k - 1) / 2, (k - 1) / 2}, {1, 1}, groups);
  }

  torch::Tensor bn(const torch::Tensor& x, const std::string& name) {
    const int64_t c = x.size(1);
    return torch::batch_norm(x, get(name + ".weight", {c}), get(name + ".bias", {c}), get(name + ".running_mean", {c}),
                             get(name + ".running_var", {c}), /*training=*/false, /*momentum=*/0.1, /*eps=*/1e-5,
                             /*cudnn_enabled=*/false);
  }

  torch::Tensor classifier(const torch::Tensor& features, const std::string& name) {
    auto pooled = torch::adaptive_avg_pool2d(features, {1, 1}).flatten(1);
    auto it = state_.find(name + ".bias");
    if (it == state_.end()) fail(arch_, "missing tensor '" + name + ".bias'");
    const int64_t classes = it->second.size(0);
    return torch::linear(pooled, get(name + ".weight", {classes, pooled.size(1)}), get(name + ".bias", {classes}));
  }

  // Every tensor of the map must have been used (num_batches_tracked is eval-irrelevant).
  void expect_all_used() const {
    std::vector<std::string> unused;
    for (const auto& kv : state_)
      if (!used_.count(kv.first) && kv.first.find("num_batches_tracked") == std::string::npos)
        unused.push_back(kv.first);
    if (!unused.empty())
      fail(arch_, fmt::format("{} tensor(s) not used by the architecture, e.g. '{}'", unused.size(), unused.front()));
  }

 private:
  std::string arch_;
  const std::map<std::string, torch::Tensor>& state_;
  std::set<std::string> used_;
};

torch::Tensor clip6(const torch::Tensor& x) { return torch::hardtanh(x, 0.0, 6.0); }  // ReLU6

// torchvision resnet18 (BasicBlock) / resnet50 (Bottleneck, stride on the 3x3 conv).
torch::Tensor resnet(Net& n, const torch::Tensor& x, bool bottleneck, const std::vector<int64_t>& blocks, bool small) {
  auto y = small ? n.conv(x, "conv1", 64, 3, 1) : n.conv(x, "conv1", 64, 7, 2);
  y = torch::relu(n.bn(y, "bn1"));
  if (!small) y = torch::max_pool2d(y, {3, 3}, {2, 2}, {1, 1});
  const int64_t widths[] = {64, 128, 256, 512};
  const int64_t expansion = bottleneck ? 4 : 1;
  int64_t in = 64;
  for (size_t s = 0; s < blocks.size(); ++s) {
    const int64_t w = widths[s], out = w * expansion;
    for (int64_t b = 0; b < blocks[s]; ++b) {
      const int64_t stride = (s > 0 && b == 0) ? 2 : 1;
      const std::string p = fmt::format("layer{}.{}.", s + 1, b);
      torch::Tensor h;
      if (bottleneck) {
        h = torch::relu(n.bn(n.conv(y, p + "conv1", w, 1, 1), p + "bn1"));
        h = torch::relu(n.bn(n.conv(h, p + "conv2", w, 3, stride), p + "bn2"));
        h = n.bn(n.conv(h, p + "conv3", out, 1, 1), p + "bn3");
      } else {
        h = torch::relu(n.bn(n.conv(y, p + "conv1", w, 3, stride), p + "bn1"));
        h = n.bn(n.conv(h, p + "conv2", w, 3, 1), p + "bn2");
      }
      auto skip = (stride != 1 || in != out)
                      ? n.bn(n.conv(y, p + "downsample.0", out, 1, stride), p + "downsample.1")
                      : y;
      y = torch::relu(h + skip);
      in = out;
    }
  }
  return n.classifier(y, "fc");
}

// torchvision mobilenet_v2, width 1.0.
torch::Tensor mobilenet_v2(Net& n, const torch::Tensor& x, bool small) {
  struct Setting {
    int64_t t, c, n, s;
  };
  const Setting settings[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                              {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  auto y = clip6(n.bn(n.conv(x, "features.0.0", 32, 3, small ? 1 : 2), "features.0.1"));
  int64_t in = 32, index = 1;
  for (const auto& st : settings) {
    for (int64_t i = 0; i < st.n; ++i, ++index) {
      const int64_t stride = i == 0 ? st.s : 1, hidden = in * st.t;
      const std::string p = fmt::format("features.{}.conv.", index);
      auto h = y;
      int64_t j = 0;  // index inside the block's Sequential
      if (st.t != 1) {
        h = clip6(n.bn(n.conv(h, p + "0.0", hidden, 1, 1), p + "0.1"));
        j = 1;
      }
      h = clip6(n.bn(n.conv(h, fmt::format("{}{}.0", p, j), hidden, 3, stride, hidden), fmt::format("{}{}.1", p, j)));
      h = n.bn(n.conv(h, fmt::format("{}{}", p, j + 1), st.c, 1, 1), fmt::format("{}{}", p, j + 2));
      y = (stride == 1 && in == st.c) ? y + h : h;
      in = st.c;
    }
  }
  y = clip6(n.bn(n.conv(y, "features.18.0", 1280, 1, 1), "features.18.1"));
  return n.classifier(y, "classifier.1");
}

// torchvision regnet_x_*: the stage parameters torchvision's BlockParams produce.
torch::Tensor regnetx(Net& n, const torch::Tensor& x, const std::vector<int64_t>& widths,
                      const std::vector<int64_t>& depths, int64_t group_width, bool small) {
  auto y = torch::relu(n.bn(n.conv(x, "stem.0", 32, 3, small ? 1 : 2), "stem.1"));
  int64_t in = 32;
  for (size_t s = 0; s < widths.size(); ++s) {
    const int64_t w = widths[s], groups = w / group_width;
    for (int64_t i = 0; i < depths[s]; ++i) {
      const int64_t stride = i == 0 ? 2 : 1;
      const std::string p = fmt::format("trunk_output.block{0}.block{0}-{1}.", s + 1, i);
      auto h = torch::relu(n.bn(n.conv(y, p + "f.a.0", w, 1, 1), p + "f.a.1"));
      h = torch::relu(n.bn(n.conv(h, p + "f.b.0", w, 3, stride, groups), p + "f.b.1"));
      h = n.bn(n.conv(h, p + "f.c.0", w, 1, 1), p + "f.c.1");
      auto skip = (stride != 1 || in != w) ? n.bn(n.conv(y, p + "proj.0", w, 1, stride), p + "proj.1") : y;
      y = torch::relu(skip + h);
      in = w;
    }
  }
  return n.classifier(y, "fc");
}

}  // namespace

torch::Tensor reference_forward(const std::string& arch, const std::map<std::string, torch::Tensor>& state,
                                const torch::Tensor& x, const ReferenceOptions& options) {
  torch::NoGradGuard no_grad;
  Net net(arch, state);
  const bool small = options.small_input;
  torch::Tensor y;
  if (arch == "resnet18") {
    y = resnet(net, x, false, {2, 2, 2, 2}, small);
  } else if (arch == "resnet50") {
    y = resnet(net, x, true, {3, 4, 6, 3}, small);
  } else if (arch == "mobilenet_v2") {
    y = mobilenet_v2(net, x, small);
  } else if (arch == "regnetx_400mf") {
    y = regnetx(net, x, {32, 64, 160, 400}, {1, 2, 7, 12}, 16, small);
  } else if (arch == "regnetx_600mf") {
    y = regnetx(net, x, {48, 96, 240, 528}, {1, 3, 5, 7}, 24, small);
  } else {
    fail(arch, "unknown architecture");
  }
  net.expect_all_used();
  return y;
}

}  // namespace ptq::test
