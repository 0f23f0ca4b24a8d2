#include "stockcast/forecast/model.h"

#include <cmath>

#include <fmt/format.h>

#include "stockcast/forecast/baseline.h"

namespace stockcast::forecast {

const std::vector<double>* Forecast::QuantilesAt(double level) const {
  for (size_t i = 0; i < levels.size(); ++i) {
    if (std::abs(levels[i] - level) < 1e-9) return &quantiles[i];
  }
  return nullptr;
}

std::string ModelSpec::ToString() const {
  std::string out = name;
  char sep = ':';
  for (const auto& [k, v] : params) {  // std::map: keys sorted
    out += sep;
    out += k;
    out += '=';
    out += v;
    sep = ',';
  }
  return out;
}

Result<ModelSpec> ParseModelSpec(std::string_view spec) {
  ModelSpec out;
  const size_t colon = spec.find(':');
  std::string_view name = spec.substr(0, colon);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (name.empty()) {
    return Error::InvalidArgument(
        fmt::format("model spec \"{}\" has no model name; write name or name:key=value,...",
                    spec));
  }
  out.name = std::string(name);
  if (colon != std::string_view::npos && colon + 1 < spec.size()) {
    SC_ASSIGN_OR_RETURN(out.params,
                        ParseKeyValues(spec.substr(colon + 1), fmt::format("model {}", name)));
  }
  return out;
}

const ModelRegistry& ModelRegistry::Global() {
  // Built on first use rather than by static registration objects, which a static library
  // link may silently drop when nothing references their translation unit.
  static const ModelRegistry registry = [] {
    ModelRegistry r;
    const Status status = RegisterBaselineModels(r);
    SC_ASSERT_MSG(status.ok(), "built-in model registration failed");
    return r;
  }();
  return registry;
}

Status ModelRegistry::Register(ModelInfo info) {
  if (info.name.empty()) return Error::InvalidArgument("model name is empty");
  if (!info.factory) {
    return Error::InvalidArgument(fmt::format("model \"{}\" has no factory", info.name));
  }
  if (models_.count(info.name) != 0) {
    return Error::Conflict(fmt::format("model \"{}\" is already registered", info.name));
  }
  std::string name = info.name;
  models_.emplace(std::move(name), std::move(info));
  return Status::Ok();
}

const ModelInfo* ModelRegistry::Find(std::string_view name) const {
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : &it->second;
}

std::vector<const ModelInfo*> ModelRegistry::List() const {
  std::vector<const ModelInfo*> out;
  out.reserve(models_.size());
  for (const auto& [name, info] : models_) out.push_back(&info);
  return out;
}

std::string ModelRegistry::Names() const {
  std::string out;
  for (const auto& [name, info] : models_) out += (out.empty() ? "" : ", ") + name;
  return out;
}

Result<std::unique_ptr<ForecastModel>> ModelRegistry::Create(std::string_view spec) const {
  SC_ASSIGN_OR_RETURN(ModelSpec parsed, ParseModelSpec(spec));
  const ModelInfo* info = Find(parsed.name);
  if (info == nullptr) {
    return Error::InvalidArgument(
        fmt::format("unknown model \"{}\"; available: {}", parsed.name, Names()));
  }
  SC_ASSIGN_OR_RETURN(ParamValues values,
                      info->schema.Validate(parsed.params, fmt::format("model {}", info->name)));
  std::unique_ptr<ForecastModel> model = info->factory(values);
  if (!model) {
    return Error::Internal(fmt::format("model \"{}\" factory returned nothing", info->name));
  }
  return model;
}

Result<std::unique_ptr<ForecastModel>> CreateModel(std::string_view spec) {
  return ModelRegistry::Global().Create(spec);
}

std::vector<const ModelInfo*> ListModels() { return ModelRegistry::Global().List(); }

}  // namespace stockcast::forecast
