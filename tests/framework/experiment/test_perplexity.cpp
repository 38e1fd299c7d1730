// Perplexity protocol: non-overlapping windows, partial window dropped, token-weighted NLL.
#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/experiment/perplexity.h"
#include "framework/nn/llama.h"
#include "tests/support/llama_fixture.h"

#include <cmath>

using namespace ptq;

TEST_CASE("perplexity: sum_nll is Σ −log softmax at the targets", "[llama][ppl]") {
  const auto logits = torch::tensor({{0.0, std::log(3.0)}, {std::log(2.0), std::log(2.0)}}, torch::kFloat);
  const auto targets = torch::tensor({1, 0}, torch::kLong);
  // p = 3/4 for the first row, 1/2 for the second.
  CHECK(sum_nll(logits, targets) == Approx(-std::log(0.75) - std::log(0.5)).epsilon(1e-6));
}

TEST_CASE("perplexity: a model with uniform predictions has perplexity = vocabulary size", "[llama][ppl]") {
  auto m = create_llama(test::tiny_llama(50, 8, 16, 1, 2, 2, 16));
  {
    torch::NoGradGuard g;
    for (auto& p : m->named_parameters())
      if (p.key() == "lm_head.weight") p.value().zero_();
  }
  const auto tokens = torch::randint(0, 50, {103}, torch::kLong);
  const auto r = perplexity(*m, tokens, 10, 4);
  CHECK(r.windows == 10);               // 103 tokens: ten windows of 10, 3 dropped
  CHECK(r.predicted_tokens == 10 * 9);  // each window predicts its last 9 tokens
  CHECK(r.perplexity == Approx(50.0).epsilon(1e-5));
  CHECK(perplexity(*m, tokens, 10, 4, 3).windows == 3);
  CHECK_THROWS_WITH(perplexity(*m, tokens.narrow(0, 0, 5), 10, 4), Catch::Contains("fewer than one window"));
}

TEST_CASE("perplexity: batching does not change the result", "[llama][ppl]") {
  torch::manual_seed(3);
  auto m = create_llama(test::tiny_llama(30, 8, 16, 2, 2, 1, 16));
  const auto tokens = torch::randint(0, 30, {64}, torch::kLong);
  const auto a = perplexity(*m, tokens, 8, 1), b = perplexity(*m, tokens, 8, 8);
  CHECK(a.perplexity == Approx(b.perplexity).epsilon(1e-6));
  CHECK(a.perplexity > 1.0);
}
