#include "stockcast/forecast/global_model.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "forecast/ensemble.h"
#include "forecast/gbm.h"
#include "forecast/rnn.h"

namespace stockcast::forecast {

Result<Forecast> GlobalModel::Predict(size_t series, int horizon,
                                      std::span<const double> levels) const {
  if (fitted_series_.empty()) {
    return Error::InvalidArgument(fmt::format("{}: Predict before Fit", name()));
  }
  if (series >= fitted_series_.size()) {
    return Error::InvalidArgument(
        fmt::format("{}: series index {} out of range; the model was fitted on {} series", name(),
                    series, fitted_series_.size()));
  }
  SC_ASSIGN_OR_RETURN(std::vector<Forecast> out,
                      PredictMany(fitted_series_.subspan(series, 1), horizon, levels));
  return std::move(out.front());
}

const GlobalModelRegistry& GlobalModelRegistry::Global() {
  // Built on first use (see ModelRegistry::Global for why not static registration objects).
  static const GlobalModelRegistry registry = [] {
    GlobalModelRegistry r;
    const Status status = RegisterGbmModel(r);
    SC_ASSERT_MSG(status.ok(), "built-in global model registration failed");
    const Status rnn = RegisterRnnModels(r);  // lstm, gru
    SC_ASSERT_MSG(rnn.ok(), "built-in global model registration failed (lstm/gru)");
    const Status ensemble = RegisterEnsembleModel(r);
    SC_ASSERT_MSG(ensemble.ok(), "built-in global model registration failed (ensemble)");
    return r;
  }();
  return registry;
}

Status GlobalModelRegistry::Register(GlobalModelInfo info) {
  if (info.name.empty()) return Error::InvalidArgument("global model name is empty");
  if (info.available && !info.factory) {
    return Error::InvalidArgument(fmt::format("global model \"{}\" has no factory", info.name));
  }
  if (models_.count(info.name) != 0) {
    return Error::Conflict(fmt::format("global model \"{}\" is already registered", info.name));
  }
  std::string name = info.name;
  models_.emplace(std::move(name), std::move(info));
  return Status::Ok();
}

const GlobalModelInfo* GlobalModelRegistry::Find(std::string_view name) const {
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : &it->second;
}

std::vector<const GlobalModelInfo*> GlobalModelRegistry::List() const {
  std::vector<const GlobalModelInfo*> out;
  out.reserve(models_.size());
  for (const auto& [name, info] : models_) out.push_back(&info);
  return out;
}

std::string GlobalModelRegistry::Names() const {
  std::string out;
  for (const auto& [name, info] : models_) out += (out.empty() ? "" : ", ") + name;
  return out;
}

Result<std::unique_ptr<GlobalModel>> GlobalModelRegistry::Create(std::string_view spec) const {
  SC_ASSIGN_OR_RETURN(ModelSpec parsed, ParseModelSpec(spec));
  const GlobalModelInfo* info = Find(parsed.name);
  if (info == nullptr) {
    return Error::InvalidArgument(
        fmt::format("unknown global model \"{}\"; available: {}", parsed.name, Names()));
  }
  if (!info->available) {
    return Error::Unavailable(
        fmt::format("model \"{}\" is unavailable: {}", info->name, info->unavailable_reason));
  }
  SC_ASSIGN_OR_RETURN(ParamValues values,
                      info->schema.Validate(parsed.params, fmt::format("model {}", info->name)));
  if (info->validate) SC_RETURN_IF_ERROR(info->validate(values));
  SC_ASSIGN_OR_RETURN(std::unique_ptr<GlobalModel> model, info->factory(values));
  if (!model) {
    return Error::Internal(fmt::format("model \"{}\" factory returned nothing", info->name));
  }
  return model;
}

bool IsGlobalModelSpec(std::string_view spec) {
  auto parsed = ParseModelSpec(spec);
  return parsed.ok() && GlobalModelRegistry::Global().Find(parsed->name) != nullptr;
}

Result<std::unique_ptr<GlobalModel>> CreateGlobalModel(std::string_view spec) {
  return GlobalModelRegistry::Global().Create(spec);
}

Result<std::string> GlobalModelFileSpec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::NotFound(fmt::format("model file {}: cannot be opened for reading", path));
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    return Error::InvalidArgument(
        fmt::format("model file {}: not a stockcast model file (JSON: {})", path, e.what()));
  }
  if (!header.is_object() || !header.contains("spec") || !header["spec"].is_string()) {
    return Error::InvalidArgument(
        fmt::format("model file {}: no \"spec\" string; not written by GlobalModel::Save", path));
  }
  return header["spec"].get<std::string>();
}

Result<std::unique_ptr<GlobalModel>> LoadGlobalModel(const std::string& path) {
  SC_ASSIGN_OR_RETURN(std::string spec, GlobalModelFileSpec(path));
  SC_ASSIGN_OR_RETURN(std::unique_ptr<GlobalModel> model, CreateGlobalModel(spec));
  SC_RETURN_IF_ERROR(model->Load(path));
  return model;
}

std::vector<const GlobalModelInfo*> ListGlobalModels() {
  return GlobalModelRegistry::Global().List();
}

}  // namespace stockcast::forecast
