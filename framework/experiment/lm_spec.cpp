#include "framework/experiment/lm_spec.h"

#include "framework/core/check.h"

namespace ptq {

using config::DoubleRange;
using config::IntRange;

LlamaConfig read_llama_shape(const config::Section& s) {
  LlamaConfig c;
  c.hidden_size = s.get_int("hidden_size", 256, IntRange{8, 65536});
  c.intermediate_size = s.get_int("intermediate_size", 688, IntRange{8, 262144});
  c.num_layers = s.get_int("num_hidden_layers", 4, IntRange{1, 512});
  c.num_heads = s.get_int("num_attention_heads", 4, IntRange{1, 1024});
  c.num_kv_heads = s.get_int("num_key_value_heads", c.num_heads, IntRange{1, 1024});
  c.head_dim = s.get_int("head_dim", c.hidden_size / c.num_heads, IntRange{2, 4096});
  c.rms_norm_eps = s.get_double("rms_norm_eps", 1e-5, DoubleRange::greater_than(0.0));
  c.rope_theta = s.get_double("rope_theta", 10000.0, DoubleRange::greater_than(0.0));
  c.max_position_embeddings = s.get_int("max_position_embeddings", 2048, IntRange::at_least(1));
  c.tie_word_embeddings = s.get_bool("tie_word_embeddings", false);
  c.vocab_size = 1;  // set from the tokenizer when the model is built
  try {
    c.validate(s.path());
  } catch (const UserError& e) {
    PTQ_FAIL("{} ({})", e.what(), s.source_of("hidden_size"));
  }
  return c;
}

TextDataSpec read_text_data(const config::Section& s, const std::string& dataset, std::string* root) {
  TextDataSpec t;
  t.seq_len = s.get_int("seq_len", t.seq_len, IntRange{2, 1 << 20});
  if (dataset == "fortunes") {
    *root = s.get_string("root", "/usr/share/games/fortunes");
    t.holdout_every = s.get_int("holdout_every", t.holdout_every, IntRange{2, 1000000});
  } else {
    t.train_file = s.get_string("train_file");
    t.test_file = s.get_string("test_file");
  }
  t.tokenizer = s.get_string("tokenizer", t.tokenizer);
  if (t.tokenizer == "train") {
    t.vocab_size = s.get_int("vocab_size", t.vocab_size, IntRange{16, 1 << 20});
    t.tokenizer_type = s.get_choice("tokenizer_type", t.tokenizer_type, {"bpe", "unigram"});
  }
  return t;
}

LmTrainOptions read_lm_train(const config::Section& s, uint64_t seed, int64_t seq_len) {
  LmTrainOptions t;
  t.steps = s.get_int("steps", t.steps, IntRange{1, 100000000});
  t.batch_size = s.get_int("batch_size", t.batch_size, IntRange{1, 65536});
  t.lr = s.get_double("lr", t.lr, DoubleRange::greater_than(0.0));
  t.warmup_steps = s.get_int("warmup_steps", t.warmup_steps, IntRange::at_least(0));
  t.weight_decay = s.get_double("weight_decay", t.weight_decay, DoubleRange::at_least(0.0));
  t.progress = s.get_bool("progress", true);
  t.seed = static_cast<uint64_t>(s.get_int("seed", static_cast<int64_t>(seed), IntRange::at_least(0)));
  t.seq_len = seq_len;
  return t;
}

}  // namespace ptq
