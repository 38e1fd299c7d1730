#include "framework/experiment/workload.h"

#include "framework/core/logging.h"
#include "framework/experiment/evaluate.h"
#include "framework/experiment/sources.h"

namespace ptq {

Workload make_workload(const ExperimentSpec& spec) {
  if (spec.is_language_model()) return language_workload(spec);
  if (spec.is_sentence_encoder()) return encoder_workload(spec);
  return image_workload(spec);
}

Workload image_workload(const ExperimentSpec& spec) {
  Workload w;
  const auto data = load_datasets(spec);
  bool trained = false;
  w.model = load_fp_model(spec, data, &trained);
  w.model_info = {{"arch", spec.model.arch}, {"weights", spec.model.weights}, {"trained_now", trained}};
  if (spec.model.fold_bn) w.model->fold_batchnorm();
  w.model->eval();  // unfolded BN layers use their running statistics

  data::CalibrationOptions co;
  co.num_samples = spec.calibration.num_samples;
  co.seed = spec.calibration.seed;
  co.memory_mb = spec.calibration.memory_mb;
  co.spill_dir = spec.calibration.spill_dir;
  w.calibration = data::calibration_images(*data.calibration, co);
  w.calibration_text = fmt::format("{} images from {}", w.calibration.size(0), data.calibration->describe());

  auto test = data.test;
  w.evaluate = [test](QuantModelImpl& model, const EvalSpec& e) {
    const auto r = evaluate(model, *test, e.batch_size, e.limit);
    return nlohmann::json{{"top1", r.top1}, {"loss", r.loss}, {"images", r.images}, {"seconds", r.seconds},
                          {"text", fmt::format("top-1 {:.2f}%  loss {:.4f}  ({} test images, {:.0f} img/s)", r.top1,
                                               r.loss, r.images, r.images_per_second())}};
  };
  w.headline = "top1";
  w.higher_is_better = true;
  return w;
}

}  // namespace ptq
