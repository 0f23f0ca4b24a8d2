#pragma once
// A generated panel for global-model tests: daily Poisson demand with a per-series level, a
// weekend lift and promotions that multiply demand, promotions known in the future too.
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/demand_panel.h"
#include "stockcast/forecast/global_model.h"

namespace stockcast::forecast::testing {

struct PromoPanel {
  int days = 0;     // history the series views hold
  int horizon = 0;  // days after it with actuals (the test window)
  std::vector<std::vector<double>> full;   // days + horizon actual values
  std::vector<std::vector<double>> promo;  // days + horizon + 1 (0/1)
  std::vector<std::vector<uint8_t>> flags;
  std::vector<GlobalSeries> series;  // views of the first `days` days
};

// `n_series` series of `days` days plus `horizon` actuals; categories alternate even/odd.
inline PromoPanel MakePromoPanel(int n_series, int days, int horizon, uint32_t seed,
                                 double promo_lift = 2.0) {
  PromoPanel p;
  p.days = days;
  p.horizon = horizon;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> level(2.0, 20.0);
  std::bernoulli_distribution on_promo(0.12);
  const int64_t first_day = Date::FromYmd(2023, 1, 2)->days();  // a Monday
  const size_t n = static_cast<size_t>(n_series);
  p.full.resize(n);
  p.promo.resize(n);
  p.flags.resize(n);
  for (size_t s = 0; s < n; ++s) {
    const double base = level(rng);
    for (int t = 0; t < days + horizon; ++t) {
      const bool promo = on_promo(rng);
      const int weekday = t % 7;  // 0 = Monday
      const double lambda = base * (weekday >= 5 ? 1.5 : 1.0) * (promo ? promo_lift : 1.0);
      std::poisson_distribution<int> draw(lambda);
      p.full[s].push_back(draw(rng));
      p.promo[s].push_back(promo ? 1.0 : 0.0);
    }
    p.promo[s].push_back(0.0);
    p.flags[s].assign(static_cast<size_t>(days), 0);
    for (size_t t = 0; t < static_cast<size_t>(days); ++t) {
      if (p.promo[s][t] > 0) p.flags[s][t] = kFlagPromotion;
    }
  }
  for (size_t s = 0; s < n; ++s) {
    GlobalSeries g;
    g.y = std::span<const double>(p.full[s]).first(static_cast<size_t>(days));
    g.flags = p.flags[s];
    g.x.names = {"promotion"};
    g.x.values = {p.promo[s]};
    g.x.first_day = first_day;
    g.category = s % 2 == 0 ? "even" : "odd";
    p.series.push_back(std::move(g));
  }
  return p;
}

}  // namespace stockcast::forecast::testing
