// ExperimentSpec: everything one `ptq run` needs, read and validated from a config before
// any work starts (so a typo fails in a second, not after training). Every key is read in
// exactly one place (here or in a method's factory); leftovers are reported as unknown keys.
//
// Top-level keys: version, seed, threads, model, data, train, calibration, quant, method,
// eval, output, variants. See configs/_base_/ for every key with its default.
#pragma once

#include "framework/config/config.h"
#include "framework/experiment/train.h"
#include "framework/experiment/train_lm.h"
#include "framework/method/method.h"
#include "framework/nn/calibration.h"
#include "framework/nn/llama_config.h"
#include "framework/nn/quant_setup.h"
#include "framework/nn/zoo.h"

#include <memory>
#include <string>
#include <vector>

namespace ptq {

struct ModelSpec {
  std::string arch = "resnet8";
  ModelOptions options;           // image models
  LlamaConfig llama;              // arch llama: the decoder's shape (model.llama.*, HF key names; vocab_size
                                  //   comes from the tokenizer), or config.json of an HF checkpoint folder
  std::string weights = "train";  // "train" (train or reuse the cached model), "random", a .safetensors path, or
                                  //   (llama) a Hugging Face checkpoint folder
  bool allow_partial_load = false;  // load a checkpoint that lacks or adds tensors (listed in a warning)
  bool fold_bn = true;            // fold BN into the convs before quantisation (BRECQ, QDrop, PD-Quant); false keeps
                                  // BN as a float layer after the quantised conv, in eval mode (MetaAug)
};

// Text data for language models (data.dataset fortunes | text).
struct TextDataSpec {
  int64_t seq_len = 128;            // window length of calibration samples and of perplexity evaluation
  int64_t holdout_every = 10;       // fortunes: entry i is a test entry when i % holdout_every == holdout_every - 1
  std::string train_file, test_file;  // text: plain UTF-8 files, each one stream (as WikiText-2 is evaluated)
  std::string tokenizer = "train";  // "train" (train on the training text, cached) or a tokenizer.model path;
                                    //   sentences: a WordPiece vocab.txt ("" = the checkpoint folder's)
  int64_t vocab_size = 4096;        // tokenizer: train
  std::string tokenizer_type = "bpe";  // bpe | unigram
};

struct DataSpec {
  std::string dataset = "fashion_mnist";  // fashion_mnist | image_folder | fortunes | text | sentences
  TextDataSpec text;                      // fortunes | text | sentences (fortunes entries as sentences)
  std::string root;                       // fashion_mnist: IDX folder; image_folder: folder with train/ and val/
  std::string train_dir = "train", val_dir = "val";  // image_folder sub-folders
  int64_t resize = 0;                     // fashion_mnist: 0 keeps 28 px; image_folder: shorter side (256)
  int64_t crop = 224;                     // image_folder: centre crop
  bool three_channels = false;            // fashion_mnist: replicate grey to 3 channels
  bool calibration_augment = false;       // image_folder: the papers' RandomResizedCrop + flip for calibration
};

struct CalibrationSpec {
  int64_t num_samples = 1024;  // calibration images (language models: token windows) drawn from the training split
  uint64_t seed = 0;           // defaults to the experiment seed
  int64_t memory_mb = 4096;    // a larger set streams from a memory-mapped spill file
  std::string spill_dir;       // "" = $TMPDIR or /tmp
  CalibrationOptions activations;
};

struct EvalSpec {
  int64_t batch_size = 256;
  int64_t limit = 0;          // 0 = the whole test split
  int64_t sqnr_samples = 256; // calibration images used for per-unit SQNR (0 = skip)
};

struct Variant {
  std::string name;
  std::vector<std::string> overrides;  // "key.path=value"
};

struct ExperimentSpec {
  std::string name;  // config name, e.g. "quickstart"
  uint64_t seed = 1005;
  int threads = 0;   // 0 = all cores
  ModelSpec model;
  DataSpec data;
  TrainOptions train;      // image models
  LmTrainOptions lm_train; // language models (arch llama)
  CalibrationSpec calibration;
  QuantSetup quant;
  std::string method_name;
  std::shared_ptr<Method> method;
  EvalSpec eval;
  std::string output_dir = "runs";
  bool save_quantized = true;  // output.save_quantized: RUN_DIR/quantized/<variant>.safetensors
  std::vector<Variant> variants;  // empty: one run of the config itself

  bool is_language_model() const { return model.arch == "llama"; }
  bool is_sentence_encoder() const { return model.arch == "bert"; }
};

// Reads and validates the whole config (including the method's options and every variant).
ExperimentSpec spec_from_config(const config::Config& cfg);

}  // namespace ptq
