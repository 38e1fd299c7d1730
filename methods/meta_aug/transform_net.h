// MetaAug's transformation network T (ptq-methods.md §5.2): a U-Net that maps calibration
// images to augmented images of the same shape. The official code uses the classic full
// U-Net (two 3×3 conv-BN-ReLU per level, 2×2 max-pool down, 2×2 transposed conv up with
// skip concatenation, 1×1 output conv; 64 → 1024 channels over 4 levels, bilinear = False).
// `base_channels` and `depth` size it (64 and 4 are the official network; the Fashion-MNIST
// preset uses a smaller one); odd sizes are handled by padding the upsampled map to the
// skip's size, so 28×28 inputs work at any depth.
// The warm-up (`warm_up_identity`) trains T to reproduce its input: the official code
// starts from a pre-trained `warmup/unet.pt` whose recipe is not published, and T(x) ≈ x is
// the natural starting point for an augmentation kept at a margin from x by the outer loss.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace ptq::methods {

struct TransformNetOptions {
  int64_t channels = 3;        // image channels (in and out)
  int64_t base_channels = 64;  // first level's width; level i has base·2^i
  int64_t depth = 4;           // down-sampling steps
  void validate() const;
};

class TransformNetImpl : public torch::nn::Module {
 public:
  explicit TransformNetImpl(const TransformNetOptions& o);
  torch::Tensor forward(const torch::Tensor& x);
  const TransformNetOptions& options() const { return options_; }

 private:
  torch::nn::Sequential double_conv(int64_t in, int64_t out, const std::string& name);
  TransformNetOptions options_;
  std::vector<torch::nn::Sequential> down_, up_conv_;
  std::vector<torch::nn::ConvTranspose2d> up_;
  torch::nn::Conv2d out_{nullptr};
};
TORCH_MODULE(TransformNet);

struct TransformWarmupOptions {
  int64_t iters = 500;  // Adam steps on ‖T(x) − x‖² (0 = none: T starts at its random initialisation)
  double lr = 1e-3;
  int64_t batch = 32;
  void validate() const;
};

// Trains T towards the identity on the calibration images (batches drawn by LibTorch's
// generator); returns the final batch MSE.
double warm_up_identity(TransformNet& net, const torch::Tensor& images, const TransformWarmupOptions& o);

// T on `images` in eval mode (BN running statistics), no gradient, in batches.
torch::Tensor transform_images(TransformNet& net, const torch::Tensor& images, int64_t batch);

}  // namespace ptq::methods
