#pragma once
// The global recurrent forecasters `lstm` and `gru` (LibTorch) and their window builder.
// The builder and the parameters do not need LibTorch, so they are compiled (rnn_windows.cpp,
// rnn.cpp) and tested in every build; the model itself (src/torch_module/rnn_model.cpp) is part of
// the LibTorch module (forecast/torch_module.h), created through stockcast_torch_create_rnn.
//
// Model (DeepAR-like, Salinas et al. 2020, with direct multi-horizon decoding as in MQ-RNN,
// Wen et al. 2017): a window is (series, origin o). The encoder -- an LSTM or GRU -- reads the
// `context` days o - context + 1 .. o, one row of RnnEncoderFeatureNames() per day: demand
// divided by the window's scale v = 1 + mean usable demand of the context, a flag for unusable
// days (missing, censored, not launched, before the series' first day: demand 0), calendar
// (weekday one-hot, yearly sine/cosine, festival flags, closeness of 11.11 / 6.18 / 12.12 and
// Spring Festival) and drivers (price relative to the context's mean price, promotion, cart adds
// relative to their context mean). An MLP head maps the encoder's last hidden state and, for
// each step h = 1..horizon, one row of RnnDecoderFeatureNames() (the step, the target day's
// calendar, planned price and promotion, the latest same-season value and the mean of the
// latest four, log v) to the two parameters of a negative binomial for y[o + h]: mean
// v * softplus(a) and dispersion softplus(b) / sqrt(v) (DeepAR's scaling). Nothing is fed back,
// so there is no recursive error build-up and one forward pass gives all steps.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "forecast/features.h"
#include "stockcast/forecast/global_model.h"

namespace stockcast::forecast {

// Adds `lstm` and `gru` to `registry` (available, or unavailable with the reason when built
// without LibTorch).
Status RegisterRnnModels(GlobalModelRegistry& registry);

// The model file: {"format": kRnnFormat, "version": kRnnFormatVersion, "model", "spec", ...}.
inline constexpr std::string_view kRnnFormat = "stockcast-global-model";
inline constexpr int kRnnFormatVersion = 1;

// The parameters of an lstm/gru, read from its validated ParamValues.
struct RnnSettings {
  std::string cell = "lstm";  // the registry name: lstm | gru
  int hidden = 64;
  int layers = 1;
  int context = 56;
  int epochs = 30;
  int batch = 256;
  double learning_rate = 1e-3;
  int patience = 5;
  double dropout = 0.0;
  std::string likelihood = "negbin";
  int max_windows = 20000;
  int train_days = 0;
  int min_days = 14;
  int seed = 1;
  int threads = 0;
  std::string device = "cpu";
  bool verbose = false;
  std::string spec;  // canonical spec these settings came from
};

// The parameter schema of lstm and gru (one list for both).
std::vector<ParamSpec> RnnSpecs();
RnnSettings SettingsFrom(std::string_view cell, const ParamValues& v);
// The rules the schema cannot express (likelihood and device names); no LibTorch needed.
Status ValidateRnnChoices(std::string_view cell, const ParamValues& v);
// The error text for device = cuda when LibTorch sees no CUDA device.
std::string RnnNoCudaMessage(std::string_view cell);
// "encoder:<name>" then "decoder:<name>": the feature list a model file records.
std::vector<std::string> FlatFeatureNames();

// Entry points of the LibTorch module (src/torch_module/module.cpp), extern "C" under these names:
//   stockcast_torch_create_rnn: a new, unfitted model for `settings` (CUDA checked).
//   stockcast_torch_cuda_available: torch::cuda::is_available().
using CreateRnnModelFn = Result<std::unique_ptr<GlobalModel>> (*)(const RnnSettings& settings);
using TorchCudaAvailableFn = bool (*)();

// The input columns, in order: one encoder row per context day, one decoder row per step.
const std::vector<std::string>& RnnEncoderFeatureNames();
const std::vector<std::string>& RnnDecoderFeatureNames();

// Per-series precomputation for window rows: usable demand, prefix sums, driver columns.
class RnnWindows {
 public:
  // `series` and `calendar` (may be null: computed per day) must outlive this object;
  // `season_length` >= 1 picks the same-season lags of the decoder.
  RnnWindows(const GlobalSeries& series, const CalendarTable* calendar, int season_length);

  int n() const { return static_cast<int>(y_.size()); }
  int usable() const { return usable_; }
  int first_usable() const { return first_usable_; }
  // Whether day t is a usable target (finite, no kUnusableDayMask bit, inside the series).
  bool UsableTarget(int t) const;
  // Usable demand of day t (negatives clipped to 0); NaN when unusable.
  double Demand(int t) const { return y_[static_cast<size_t>(t)]; }
  // Usable days in [from, to] (clipped to the series).
  int UsableIn(int from, int to) const;
  // The window's scale v = 1 + mean usable demand over [origin - context + 1, origin].
  double Scale(int origin, int context) const;
  // Fills `enc` (context x RnnEncoderFeatureNames().size(), row-major, oldest day first) and
  // `dec` (horizon x RnnDecoderFeatureNames().size()) for `origin` (0 <= origin < n) and
  // returns the scale. `trained_horizon` normalises the step feature (steps past it hold).
  double Fill(int origin, int context, int horizon, int trained_horizon, std::span<float> enc,
              std::span<float> dec) const;

 private:
  double Regressor(int column, long long t) const;
  double ContextMean(int column, int from, int to, bool positive_only) const;
  void PutCalendar(long long t, float* out) const;

  const GlobalSeries* series_;
  const CalendarTable* calendar_;
  int season_ = 7;
  std::vector<double> y_;              // NaN where unusable, negatives clipped to 0
  std::vector<double> csum_, ccount_;  // prefix sums over usable days, size n + 1
  int usable_ = 0;
  int first_usable_ = -1;
  int price_ = -1, promotion_ = -1, cart_ = -1;  // column of x, -1 when absent
};

}  // namespace stockcast::forecast
