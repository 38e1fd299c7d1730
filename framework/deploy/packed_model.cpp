#include "framework/deploy/packed_model.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/io/safetensors.h"
#include "framework/nn/state.h"
#include "framework/nn/weights.h"
#include "framework/quant/grouping.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

namespace ptq {
namespace {

namespace fs = std::filesystem;
using kernels::PackedFormat;

constexpr const char* kFormatVersion = "1";

PackedFormat packed_format_for(const QuantSpec& spec, const std::string& name) {
  if (spec.format == NumberFormat::Int) {
    PTQ_CHECK(spec.bits >= 2 && spec.bits <= 8,
              "layer '{}': {}-bit weights have no packed format (INT2/3/4/8 hold 2 to 8 bits); quantise the weights "
              "to at most 8 bits to export",
              name, spec.bits);
    return kernels::int_format_for_bits(spec.bits);
  }
  const auto& f = spec.minifloat;
  if (f.name() == "e4m3" && f.subnormals && f.specials == FloatSpecials::NanOnly) return PackedFormat::Fp8E4M3;
  if (f.name() == "e2m1" && f.subnormals && f.specials == FloatSpecials::FiniteOnly) return PackedFormat::Fp4E2M1;
  PTQ_FAIL("layer '{}': minifloat weights {} have no packed format; the packed minifloats are OCP E4M3 and MX E2M1 "
           "(with subnormals)",
           name, f.name());
}

// Per-(row, group) parameters [N, nG] and the group size of the weight's quantiser, in the
// packed layout (rows = output channels, groups along the flattened input).
void packed_params(const QuantizerImpl& q, const torch::Tensor& w, const std::string& name, torch::Tensor* scale,
                   torch::Tensor* zero, int64_t* group) {
  const auto& spec = q.options().spec;
  const int64_t n = w.size(0), k = w.numel() / n;
  const auto layout = group_layout(spec, w.sizes());
  auto s = q.scale().detach().to(torch::kFloat), z = q.zero_point().detach().to(torch::kFloat);
  switch (spec.granularity) {
    case Granularity::Tensor:
      *scale = s.reshape({1, 1}).expand({n, 1}).contiguous();
      *zero = z.reshape({1, 1}).expand({n, 1}).contiguous();
      *group = k;
      return;
    case Granularity::Channel:
      PTQ_CHECK(spec.axis == 0, "layer '{}': per-channel weight scales along axis {} cannot be packed; packed "
                "weights take one scale per output channel (axis 0)", name, spec.axis);
      *scale = s.reshape({n, 1}).contiguous();
      *zero = z.reshape({n, 1}).contiguous();
      *group = k;
      return;
    case Granularity::Token:
      PTQ_FAIL("layer '{}': per-token scales are for activations; weights cannot be packed with them", name);
    case Granularity::Group:
      PTQ_CHECK(layout.rows == n, "layer '{}': weight groups from axis {} cannot be packed; packed groups run along "
                "the input of each output channel (axis 1)", name, spec.axis);
      PTQ_CHECK(kernels::valid_pack_group(spec.group_size, k) || spec.group_size >= k,
                "layer '{}': weight group size {} cannot be packed; use a multiple of {} (32, 64, 128, …)", name,
                spec.group_size, kernels::kPackBlock);
      *scale = s.contiguous();
      *zero = z.contiguous();
      *group = spec.group_size >= k ? k : spec.group_size;
      return;
  }
}

std::map<std::string, std::string> layers_json_meta(const std::vector<PackedLayerInfo>& layers) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& l : layers)
    j[l.name] = {{"format", kernels::format_traits(l.format).name}, {"shape", l.shape}, {"group_size", l.group_size}};
  return {{"ptq.packed_layers", j.dump()}, {"ptq.format_version", kFormatVersion}};
}

PackedModel packed_model_from(const std::map<std::string, torch::Tensor>& tensors,
                              const std::map<std::string, std::string>& metadata, const std::string& source) {
  PTQ_CHECK(metadata.count("ptq.packed_layers") && metadata.count("ptq.format_version"),
            "'{}' is not a ptq packed model (no ptq.packed_layers metadata); make one with `ptq export RUN_DIR`",
            source);
  PTQ_CHECK(metadata.at("ptq.format_version") == kFormatVersion,
            "'{}' has packed format version {}, this ptq reads version {}; export the run again with this ptq", source,
            metadata.at("ptq.format_version"), kFormatVersion);
  PackedModel out;
  out.loaded = build_model_for(read_model_file_info(metadata, source), source);
  auto& model = *out.loaded.model;
  nlohmann::json layers;
  try {
    layers = nlohmann::json::parse(metadata.at("ptq.packed_layers"));
  } catch (const nlohmann::json::exception& e) {
    PTQ_FAIL("'{}': metadata ptq.packed_layers is not valid JSON ({}); the file is damaged, export it again", source,
             e.what());
  }
  std::map<std::string, std::shared_ptr<QuantLayerImpl>> by_name;
  for (const auto& e : model.layers()) by_name[e.name] = e.layer;
  std::map<std::string, torch::Tensor> weights, qstate;
  std::set<std::string> packed_tensors;
  std::vector<QuantLayerImpl*> packed_layers;
  for (const auto& item : layers.items()) {
    const std::string name = item.key();  // a plain variable: the lambda below captures it
    const auto& desc = item.value();
    auto it = by_name.find(name);
    PTQ_CHECK(it != by_name.end(), "'{}' packs a layer '{}' that the model ({}) does not have; the file does not "
              "belong to its config", source, name, model.arch());
    auto& layer = *it->second;
    PackedLayerInfo info;
    info.name = name;
    try {
      info.format = kernels::packed_format_named(desc.at("format").get<std::string>());
      info.shape = desc.at("shape").get<std::vector<int64_t>>();
      info.group_size = desc.at("group_size").get<int64_t>();
    } catch (const nlohmann::json::exception& e) {
      PTQ_FAIL("'{}': packed layer '{}' has a bad description ({}); export it again", source, name, e.what());
    }
    PTQ_CHECK(torch::IntArrayRef(info.shape) == layer.weight.sizes(),
              "'{}': packed layer '{}' has shape [{}] but the model's weight is [{}]", source, name,
              fmt::join(info.shape, ", "), fmt::join(layer.weight.sizes(), ", "));
    kernels::PackedWeight w;
    w.format = info.format;
    w.n = info.shape[0];
    w.k = layer.weight.numel() / w.n;
    w.group_size = info.group_size;
    auto get = [&](const std::string& suffix, bool required) {
      auto t = tensors.find(name + ".weight." + suffix);
      PTQ_CHECK(t != tensors.end() || !required, "'{}' has no tensor '{}.weight.{}'; the file is damaged, export it again",
                source, name, suffix);
      packed_tensors.insert(name + ".weight." + suffix);
      return t == tensors.end() ? torch::Tensor() : t->second.contiguous();
    };
    w.words = get("packed", true);
    w.scales = get("scales", true);
    w.zeros = get("zeros", !w.traits().is_float);
    w.validate(fmt::format("'{}' layer '{}'", source, name));
    info.bytes = w.bytes();
    layer.set_packed_weight(std::make_shared<const kernels::PackedWeight>(std::move(w)));
    layer.weight_quantizer->set_state(QuantizerState::Off);
    weights[name + ".weight"] = torch::zeros(layer.weight.sizes());  // replaced by NaN below
    packed_layers.push_back(&layer);
    out.layers.push_back(info);
  }
  for (const auto& [name, t] : tensors) {
    if (packed_tensors.count(name)) continue;
    (is_quantizer_state(name) ? qstate : weights)[name] = t;
  }
  load_model_state(model, weights, source);
  load_quantizer_state(model, qstate, source);
  // The float weight is never read by a packed layer; NaN makes any use visible.
  torch::NoGradGuard no_grad;
  for (auto* layer : packed_layers) layer->weight.fill_(std::numeric_limits<float>::quiet_NaN());
  return out;
}

}  // namespace

kernels::PackedWeight pack_layer_weight(QuantLayerImpl& layer, const std::string& name, PackedFormat* format_out) {
  torch::NoGradGuard no_grad;
  const auto& q = *layer.weight_quantizer;
  const auto& spec = q.options().spec;
  PTQ_CHECK(!spec.dynamic, "layer '{}': dynamic weight scales cannot be packed", name);
  const PackedFormat format = packed_format_for(spec, name);
  const auto& t = kernels::format_traits(format);
  const auto w = layer.effective_weight().detach().to(torch::kCPU, torch::kFloat).contiguous();
  const int64_t n = w.size(0), k = w.numel() / n;
  torch::Tensor scale, zero;
  int64_t group = 0;
  packed_params(q, w, name, &scale, &zero, &group);
  const auto w2 = w.reshape({n, k});
  auto per_element = [&](const torch::Tensor& p) { return p.repeat_interleave(group, 1).narrow(1, 0, k); };
  torch::Tensor codes, zeros;
  if (t.is_float) {
    const auto r = (w2 / per_element(scale)).contiguous();
    codes = torch::empty({n, k}, torch::kLong);
    const float* rp = r.data_ptr<float>();
    int64_t* cp = codes.data_ptr<int64_t>();
    for (int64_t i = 0; i < n * k; ++i) cp[i] = t.encode(rp[i]);
  } else {
    const double qmin = static_cast<double>(spec.qmin());
    PTQ_CHECK(torch::equal(zero, torch::round(zero)), "layer '{}': zero points are not integers; cannot pack", name);
    codes = (torch::round(w2 / per_element(scale) + per_element(zero)) - qmin).to(torch::kLong);
    zeros = (zero - qmin).to(torch::kLong);
  }
  auto packed = kernels::pack_codes(codes, scale, zeros, format, group);
  const auto back = kernels::dequantize_reference(packed);
  const auto diff = (back != w2).sum().item<int64_t>();
  PTQ_CHECK(diff == 0,
            "layer '{}': {} of {} weights do not dequantise to the fake-quantised value after packing as {} (largest "
            "difference {:.3g}); the weight is not on its quantiser's grid — please report this with the run directory",
            name, diff, n * k, t.name, (back - w2).abs().max().item<double>());
  if (format_out) *format_out = format;
  return packed;
}

PackedExport export_packed(QuantModelImpl& model, const QuantizedModelInfo& info) {
  PackedExport out;
  auto state = model_state(model);
  for (const auto& entry : model.layers()) {
    auto& layer = *entry.layer;
    if (!is_quantizing(*layer.weight_quantizer)) {
      out.float_layers.push_back(entry.name);
      continue;
    }
    PackedLayerInfo li;
    li.name = entry.name;
    const auto w = pack_layer_weight(layer, entry.name, &li.format);
    li.shape = layer.weight.sizes().vec();
    li.group_size = w.group_size;
    li.bytes = w.bytes();
    state.erase(entry.name + ".weight");
    state[entry.name + ".weight.packed"] = w.words;
    state[entry.name + ".weight.scales"] = w.scales;
    if (w.zeros.defined()) state[entry.name + ".weight.zeros"] = w.zeros;
    out.layers.push_back(li);
  }
  for (const auto& item : model.named_modules("", false)) {
    auto* q = dynamic_cast<QuantizerImpl*>(item.value().get());
    if (!q || !is_quantizing(*q) || ends_with(item.key(), ".weight_quantizer")) continue;
    state[item.key() + ".scale"] = q->scale().detach();
    state[item.key() + ".zero_point"] = q->zero_point().detach();
  }
  out.tensors = std::move(state);
  out.metadata = model_file_metadata(model, info);
  for (const auto& kv : layers_json_meta(out.layers)) out.metadata.insert(kv);
  return out;
}

PackedModel load_packed_model(const std::string& path) {
  const auto file = io::load_safetensors(path);
  return packed_model_from(file.tensors, file.metadata, path);
}

PackedModel packed_model_from_export(const PackedExport& e, const std::string& source) {
  return packed_model_from(e.tensors, e.metadata, source);
}

std::string packed_model_path(const std::string& run_dir, const std::string& variant) {
  return (fs::path(run_dir) / "packed" / (fs::path(quantized_model_path(run_dir, variant)).filename())).string();
}

}  // namespace ptq
