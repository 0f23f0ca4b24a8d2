// Window rows of the recurrent global models (rnn.h). No LibTorch here: the rows are plain
// floats, so this file is built and tested without it, and rnn.cpp stays the only translation
// unit that pays for torch headers.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "forecast/rnn.h"

namespace stockcast::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Festival closeness ramps: 1 on the day, falling linearly to 0 this many days before it (the
// pre-sale weeks of 11.11 and 6.18), and for Spring Festival also after it (the shutdown).
constexpr double kFestivalRampDays = 30.0;
// Columns of the shared calendar block, in both the encoder and the decoder rows.
constexpr size_t kCalendarColumns = 7 + 2 + std::size(kFestivalColumns) + 3 + 2;

void AppendCalendarNames(std::vector<std::string>* f) {
  for (int d = 0; d < 7; ++d) f->push_back(fmt::format("weekday_{}", d));
  f->emplace_back("year_sin");
  f->emplace_back("year_cos");
  for (const FestivalColumn& e : kFestivalColumns) f->push_back(fmt::format("event_{}", e.name));
  for (const char* name : {"near_singles_day", "near_618", "near_double_12",
                           "spring_festival_before", "spring_festival_after"}) {
    f->emplace_back(name);
  }
}

std::vector<std::string> MakeEncoderNames() {
  std::vector<std::string> f = {"demand", "unusable"};
  AppendCalendarNames(&f);
  for (const char* name : {"price_ratio", "promotion", "cart_adds"}) f.emplace_back(name);
  return f;
}

std::vector<std::string> MakeDecoderNames() {
  std::vector<std::string> f = {"step"};
  AppendCalendarNames(&f);
  for (const char* name : {"price_ratio", "promotion", "season_lag", "season_lag_missing",
                           "season_mean_4", "log_scale"}) {
    f.emplace_back(name);
  }
  return f;
}

int ColumnOf(const Regressors& x, std::string_view name) {
  for (size_t j = 0; j < x.names.size(); ++j) {
    if (x.names[j] == name) return static_cast<int>(j);
  }
  return -1;
}

float Finite(double v) { return std::isfinite(v) ? static_cast<float>(v) : 0.0f; }

}  // namespace

const std::vector<std::string>& RnnEncoderFeatureNames() {
  static const std::vector<std::string> names = MakeEncoderNames();
  return names;
}

const std::vector<std::string>& RnnDecoderFeatureNames() {
  static const std::vector<std::string> names = MakeDecoderNames();
  return names;
}

RnnWindows::RnnWindows(const GlobalSeries& series, const CalendarTable* calendar, int season_length)
    : series_(&series), calendar_(calendar), season_(std::max(season_length, 1)) {
  const size_t n = series.y.size();
  y_.assign(n, kNaN);
  csum_.assign(n + 1, 0.0);
  ccount_.assign(n + 1, 0.0);
  for (size_t t = 0; t < n; ++t) {
    const double v = series.y[t];
    const bool usable =
        std::isfinite(v) && (series.flags.empty() || (series.flags[t] & kUnusableDayMask) == 0);
    csum_[t + 1] = csum_[t];
    ccount_[t + 1] = ccount_[t];
    if (!usable) continue;
    y_[t] = std::max(v, 0.0);
    csum_[t + 1] += y_[t];
    ccount_[t + 1] += 1.0;
    ++usable_;
    if (first_usable_ < 0) first_usable_ = static_cast<int>(t);
  }
  price_ = ColumnOf(series.x, "price");
  promotion_ = ColumnOf(series.x, "promotion");
  cart_ = ColumnOf(series.x, "cart_adds");
}

bool RnnWindows::UsableTarget(int t) const {
  return t >= 0 && t < n() && std::isfinite(y_[static_cast<size_t>(t)]);
}

int RnnWindows::UsableIn(int from, int to) const {
  from = std::max(from, 0);
  to = std::min(to, n() - 1);
  if (to < from) return 0;
  return static_cast<int>(ccount_[static_cast<size_t>(to) + 1] -
                          ccount_[static_cast<size_t>(from)]);
}

double RnnWindows::Scale(int origin, int context) const {
  const int from = std::max(origin - context + 1, 0);
  const int to = std::min(origin, n() - 1);
  if (to < from) return 1.0;
  const double count = ccount_[static_cast<size_t>(to) + 1] - ccount_[static_cast<size_t>(from)];
  if (count <= 0) return 1.0;
  return 1.0 + (csum_[static_cast<size_t>(to) + 1] - csum_[static_cast<size_t>(from)]) / count;
}

double RnnWindows::Regressor(int column, long long t) const {
  if (column < 0 || t < 0) return kNaN;
  return series_->x.At(static_cast<size_t>(column), static_cast<size_t>(t));
}

double RnnWindows::ContextMean(int column, int from, int to, bool positive_only) const {
  if (column < 0) return kNaN;
  double sum = 0.0;
  int count = 0;
  for (int d = std::max(from, 0); d <= to; ++d) {
    const double v = Regressor(column, d);
    if (!std::isfinite(v) || (positive_only && v <= 0)) continue;
    sum += v;
    ++count;
  }
  return count > 0 ? sum / count : kNaN;
}

void RnnWindows::PutCalendar(long long t, float* out) const {
  std::fill(out, out + kCalendarColumns, 0.0f);
  if (!series_->x.first_day) return;  // no dates: the calendar block stays 0
  const Date date = Date::FromDays(static_cast<int32_t>(*series_->x.first_day + t));
  const CalendarDay c = calendar_ != nullptr ? calendar_->At(date) : ComputeCalendarDay(date);
  size_t j = 0;
  out[j + static_cast<size_t>(std::clamp(c.weekday, 0, 6))] = 1.0f;
  j += 7;
  const double angle = 2.0 * std::numbers::pi * (c.day_of_year - 1) / 365.25;
  out[j++] = static_cast<float>(std::sin(angle));
  out[j++] = static_cast<float>(std::cos(angle));
  for (const FestivalColumn& e : kFestivalColumns) out[j++] = (c.events & e.bit) != 0 ? 1.0f : 0.0f;
  auto ramp = [](double days) {
    return static_cast<float>(std::max(0.0, 1.0 - days / kFestivalRampDays));
  };
  out[j++] = ramp(c.to_singles_day);
  out[j++] = ramp(c.to_618);
  out[j++] = ramp(c.to_double_12);
  // Signed days to the nearest Chinese New Year: positive before it, negative after.
  const double cny = c.to_spring_festival;
  out[j++] = std::isfinite(cny) && cny >= 0 ? ramp(cny) : 0.0f;
  out[j++] = std::isfinite(cny) && cny < 0 ? ramp(-cny) : 0.0f;
  SC_ASSERT(j == kCalendarColumns);
}

double RnnWindows::Fill(int origin, int context, int horizon, int trained_horizon,
                        std::span<float> enc, std::span<float> dec) const {
  const size_t ne = RnnEncoderFeatureNames().size();
  const size_t nd = RnnDecoderFeatureNames().size();
  SC_ASSERT(origin >= 0 && origin < n() && context >= 1 && horizon >= 1);
  SC_ASSERT(enc.size() >= static_cast<size_t>(context) * ne);
  SC_ASSERT(dec.size() >= static_cast<size_t>(horizon) * nd);
  const int from = origin - context + 1;
  const double scale = Scale(origin, context);
  const double price_mean = ContextMean(price_, from, origin, /*positive_only=*/true);
  const double cart_mean = ContextMean(cart_, from, origin, /*positive_only=*/false);
  auto price_ratio = [&](long long t) {
    const double p = Regressor(price_, t);
    return std::isfinite(p) && p > 0 && std::isfinite(price_mean) ? p / price_mean - 1.0 : 0.0;
  };

  for (int k = 0; k < context; ++k) {
    const int d = from + k;
    float* row = enc.data() + static_cast<size_t>(k) * ne;
    const bool usable = UsableTarget(d);
    size_t j = 0;
    row[j++] = usable ? static_cast<float>(y_[static_cast<size_t>(d)] / scale) : 0.0f;
    row[j++] = usable ? 0.0f : 1.0f;
    PutCalendar(d, row + j);
    j += kCalendarColumns;
    if (d < 0) {
      row[j++] = 0.0f;
      row[j++] = 0.0f;
      row[j++] = 0.0f;
    } else {
      row[j++] = Finite(price_ratio(d));
      row[j++] = Finite(Regressor(promotion_, d));
      row[j++] = Finite(Regressor(cart_, d) / (1.0 + (std::isfinite(cart_mean) ? cart_mean : 0.0)));
    }
    SC_ASSERT(j == ne);
  }

  const double log_scale = std::log(scale);
  for (int h = 1; h <= horizon; ++h) {
    const long long t = static_cast<long long>(origin) + h;
    float* row = dec.data() + static_cast<size_t>(h - 1) * nd;
    size_t j = 0;
    row[j++] = static_cast<float>(std::min(h, trained_horizon)) /
               static_cast<float>(std::max(trained_horizon, 1));
    PutCalendar(t, row + j);
    j += kCalendarColumns;
    row[j++] = Finite(price_ratio(t));
    row[j++] = Finite(Regressor(promotion_, t));
    // The latest day of the same season position at or before the origin, and the mean of the
    // latest four such days (usable ones), relative to the scale.
    const long long back = static_cast<long long>(season_) * ((h + season_ - 1) / season_);
    const long long d0 = t - back;
    const bool lag_ok = d0 >= 0 && UsableTarget(static_cast<int>(d0));
    row[j++] = lag_ok ? static_cast<float>(y_[static_cast<size_t>(d0)] / scale) : 0.0f;
    row[j++] = lag_ok ? 0.0f : 1.0f;
    double sum = 0.0;
    int count = 0;
    for (long long d = d0, i = 0; i < 4 && d >= 0; ++i, d -= season_) {
      if (UsableTarget(static_cast<int>(d))) {
        sum += y_[static_cast<size_t>(d)];
        ++count;
      }
    }
    row[j++] = count > 0 ? static_cast<float>(sum / count / scale) : 0.0f;
    row[j++] = static_cast<float>(log_scale);
    SC_ASSERT(j == nd);
  }
  return scale;
}

}  // namespace stockcast::forecast
