#include <catch2/catch.hpp>

#include "framework/nn/calibration.h"
#include "framework/nn/quant_setup.h"
#include "framework/nn/zoo.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensors.h"

using namespace ptq;

TEST_CASE("calibrated W8A8 stays close to float, W2A4 does not", "[nn]") {
  auto m = create_model("resnet8", test::fmnist_model_options());
  m->eval();
  m->fold_batchnorm();
  auto x = torch::randn({32, 1, 28, 28});
  auto fp = m->forward(x).detach();
  auto quantised = [&](int w, int a, const std::string& order) {
    QuantSetup s;
    s.weight = default_weight_options(w);
    s.act = default_act_options(a);
    apply_quant_setup(*m, s);
    calibrate_weights(*m);
    CalibrationOptions c;
    c.order = order;
    calibrate_activations(*m, x, c);
    return m->forward(x).detach();
  };
  const double sq8 = test::sqnr_db(quantised(8, 8, "sequential"), fp);
  const double sq8fp = test::sqnr_db(quantised(8, 8, "fp"), fp);
  const double sq2 = test::sqnr_db(quantised(2, 4, "sequential"), fp);
  INFO("W8A8 " << sq8 << " dB, W8A8 fp-order " << sq8fp << " dB, W2A4 " << sq2 << " dB");
  CHECK(sq8 > 25);
  CHECK(sq8fp > 25);
  CHECK(sq2 < sq8 - 10);
  m->set_all_quantizers(QuantizerState::Off);
  CHECK(torch::equal(m->forward(x), fp));
}
