#include "stockcast/risk/kpi.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace stockcast::risk {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Ratio(double num, double den) { return den != 0.0 && std::isfinite(den) ? num / den : kNaN; }

// Additive statistics of one series in one period.
struct Cell {
  int64_t days = 0;  // counted days (launched, sales known)
  double sold = 0;
  double revenue = 0;
  double cogs = 0;
  double lost = 0;
  double lost_value = 0;
  int64_t stockout_days = 0;
  double inv_sum = 0;      // sum of known end-of-day on hand
  int64_t inv_known = 0;   // days with known on hand
  double inv_last = kNaN;  // last known on hand in the period
  double f_abs = 0;        // sum |forecast - actual|
  double f_err = 0;        // sum (forecast - actual)
  double f_actual = 0;     // sum actual
  int64_t f_days = 0;
};

struct Period {
  std::string label;
  int first = 0;  // panel day index, inclusive
  int last = 0;
};

}  // namespace

std::string_view ToString(KpiPeriod period) {
  return period == KpiPeriod::kMonth ? "month" : "week";
}

std::optional<KpiPeriod> ParseKpiPeriod(std::string_view text) {
  if (text == "month") return KpiPeriod::kMonth;
  if (text == "week") return KpiPeriod::kWeek;
  return std::nullopt;
}

std::string PeriodLabel(Date date, KpiPeriod period) {
  if (period == KpiPeriod::kMonth) return fmt::format("{:04d}-{:02d}", date.year(), date.month());
  // ISO 8601: the week belongs to the year of its Thursday; week 1 holds the first Thursday.
  const Date thursday = date + (3 - date.weekday());
  return fmt::format("{:04d}-W{:02d}", thursday.year(), (thursday.day_of_year() - 1) / 7 + 1);
}

Result<std::vector<KpiRow>> ComputeKpis(const DemandPanel& panel,
                                        std::span<const SeriesEconomics> economics,
                                        const KpiOptions& options,
                                        std::span<const std::vector<double>> forecasts) {
  const size_t num_series = panel.num_series();
  if (economics.size() != num_series) {
    return Error::InvalidArgument(
        fmt::format("economics has {} entries; must be {} (one per panel series)", economics.size(),
                    num_series));
  }
  for (size_t s = 0; s < num_series; ++s) {
    const SeriesEconomics& e = economics[s];
    const auto& k = panel.key(s);
    auto bad = [&](std::string_view field, double v) {
      return Error::InvalidArgument(
          fmt::format("economics[{}] ({}@{}) {} = {}; must be finite "
                      "and >= 0",
                      s, k.sku, k.location, field, v));
    };
    if (!(e.unit_cost >= 0.0) || !std::isfinite(e.unit_cost)) return bad("unit_cost", e.unit_cost);
    if (!(e.unit_price >= 0.0) || !std::isfinite(e.unit_price)) {
      return bad("unit_price", e.unit_price);
    }
    if (!(e.holding_rate >= 0.0) || !std::isfinite(e.holding_rate)) {
      return bad("holding_rate", e.holding_rate);
    }
  }
  if (!forecasts.empty()) {
    if (forecasts.size() != num_series) {
      return Error::InvalidArgument(
          fmt::format("forecasts has {} entries; must be 0 or {} (one per panel series)",
                      forecasts.size(), num_series));
    }
    for (size_t s = 0; s < num_series; ++s) {
      const size_t n = forecasts[s].size();
      if (n != 0 && n != static_cast<size_t>(panel.num_days())) {
        return Error::InvalidArgument(
            fmt::format("forecasts[{}] has {} values; must be 0 or {} (the panel's days)", s, n,
                        panel.num_days()));
      }
    }
  }
  if (options.to < options.from) {
    return Error::InvalidArgument(fmt::format("kpi range from = {} > to = {}; must be from <= to",
                                              options.from.ToString(), options.to.ToString()));
  }
  if (panel.num_days() <= 0 || options.to < panel.start() || options.from > panel.end()) {
    return Error::InvalidArgument(
        fmt::format("kpi range {}..{} does not overlap the panel's days{}", options.from.ToString(),
                    options.to.ToString(),
                    panel.num_days() > 0
                        ? fmt::format(" {}..{}", panel.start().ToString(), panel.end().ToString())
                        : std::string(" (empty panel)")));
  }
  const int t0 = std::max(options.from, panel.start()) - panel.start();
  const int t1 = std::min(options.to, panel.end()) - panel.start();

  std::vector<Period> periods;
  for (int t = t0; t <= t1; ++t) {
    std::string label = PeriodLabel(panel.DateAt(t), options.period);
    if (periods.empty() || periods.back().label != label) {
      periods.push_back(Period{std::move(label), t, t});
    } else {
      periods.back().last = t;
    }
  }
  const size_t np = periods.size();

  // Cells [series][period].
  std::vector<Cell> cells(num_series * np);
  auto cell = [&](size_t s, size_t p) -> Cell& { return cells[s * np + p]; };
  // Whether a series' stockouts can be seen at all: it has a stock count or a stockout flag
  // somewhere in the panel. Without either (an order export with no stock data), its fill
  // rate, stockout rate and cycle service are unknown, not 100%.
  std::vector<char> service_known(num_series, 0);
  for (size_t s = 0; s < num_series; ++s) {
    const auto oh = panel.column(PanelColumn::kOnHand, s);
    const auto fl = panel.flags(s);
    for (size_t t = 0; t < oh.size() && !service_known[s]; ++t) {
      service_known[s] = std::isfinite(oh[t]) || (fl[t] & kFlagCensored) != 0;
    }
  }
  for (size_t s = 0; s < num_series; ++s) {
    const SeriesEconomics& e = economics[s];
    const auto raw = panel.column(PanelColumn::kRawDemand, s);
    const auto dem = panel.column(PanelColumn::kDemand, s);
    const auto price = panel.column(PanelColumn::kPrice, s);
    const auto on_hand = panel.column(PanelColumn::kOnHand, s);
    const auto flags = panel.flags(s);
    const std::vector<double>* fc =
        forecasts.empty() || forecasts[s].empty() ? nullptr : &forecasts[s];
    const double lost_price = e.unit_price > 0.0 ? e.unit_price : e.unit_cost;
    auto sold_at = [&](int t) -> double {
      if (flags[static_cast<size_t>(t)] & (kFlagNotLaunched | kFlagMissing)) return kNaN;
      const float r = raw[static_cast<size_t>(t)];
      return std::isfinite(r) ? static_cast<double>(r)
                              : static_cast<double>(dem[static_cast<size_t>(t)]);
    };
    // Mean sold per uncensored counted day, per period and over the range.
    std::vector<double> period_mean(np, kNaN);
    double range_sum = 0.0;
    int64_t range_n = 0;
    for (size_t p = 0; p < np; ++p) {
      double sum = 0.0;
      int64_t n = 0;
      for (int t = periods[p].first; t <= periods[p].last; ++t) {
        const double v = sold_at(t);
        if (!std::isfinite(v) || (flags[static_cast<size_t>(t)] & kFlagCensored)) continue;
        sum += v;
        ++n;
      }
      if (n > 0) period_mean[p] = sum / static_cast<double>(n);
      range_sum += sum;
      range_n += n;
    }
    const double range_mean = range_n > 0 ? range_sum / static_cast<double>(range_n) : 0.0;

    for (size_t p = 0; p < np; ++p) {
      Cell& c = cell(s, p);
      const double m = std::isfinite(period_mean[p]) ? period_mean[p] : range_mean;
      for (int t = periods[p].first; t <= periods[p].last; ++t) {
        const auto ti = static_cast<size_t>(t);
        const double oh = on_hand[ti];
        if (std::isfinite(oh)) {
          c.inv_sum += oh;
          ++c.inv_known;
          c.inv_last = oh;
        }
        const double v = sold_at(t);
        if (!std::isfinite(v)) continue;
        ++c.days;
        c.sold += v;
        const double pr = std::isfinite(price[ti]) ? static_cast<double>(price[ti]) : e.unit_price;
        c.revenue += v * pr;
        c.cogs += v * e.unit_cost;
        const bool censored = (flags[ti] & kFlagCensored) != 0;
        if (censored) {
          ++c.stockout_days;
          const double lost = std::max(0.0, m - v);
          c.lost += lost;
          c.lost_value += lost * lost_price;
        }
        if (fc != nullptr && !censored) {
          const double f = (*fc)[ti];
          const double a = dem[ti];
          if (std::isfinite(f) && std::isfinite(a)) {
            c.f_abs += std::fabs(f - a);
            c.f_err += f - a;
            c.f_actual += a;
            ++c.f_days;
          }
        }
      }
    }
  }

  // One row over `members` and periods [pb, pe).
  auto make_row = [&](std::string scope, std::string key, std::string period_label,
                      const std::vector<size_t>& members, size_t pb, size_t pe) {
    KpiRow row;
    row.scope = std::move(scope);
    row.key = std::move(key);
    row.period = std::move(period_label);
    row.series = static_cast<int>(members.size());
    row.days = periods[pe - 1].last - periods[pb].first + 1;
    const double days = row.days;
    bool inv_known = !members.empty();
    bool end_known = !members.empty();
    double inv_units = 0, inv_value = 0, holding = 0, end_value = 0;
    int64_t csl_cells = 0, csl_ok = 0;
    double f_abs = 0, f_err = 0, f_act = 0;
    bool any_service = false;
    for (size_t s : members) {
      any_service = any_service || service_known[s] != 0;
      const SeriesEconomics& e = economics[s];
      double inv_sum = 0, inv_last = kNaN;
      int64_t inv_n = 0;
      for (size_t p = pb; p < pe; ++p) {
        const Cell& c = cell(s, p);
        row.series_days += c.days;
        row.units_sold += c.sold;
        row.revenue += c.revenue;
        row.cogs += c.cogs;
        row.lost_units += c.lost;
        row.lost_sales_value += c.lost_value;
        row.stockout_days += c.stockout_days;
        inv_sum += c.inv_sum;
        inv_n += c.inv_known;
        if (std::isfinite(c.inv_last)) inv_last = c.inv_last;
        if (c.days > 0) {
          ++csl_cells;
          if (c.stockout_days == 0) ++csl_ok;
        }
        f_abs += c.f_abs;
        f_err += c.f_err;
        f_act += c.f_actual;
        row.forecast_days += c.f_days;
      }
      if (inv_n > 0) {
        const double avg = inv_sum / static_cast<double>(inv_n);
        inv_units += avg;
        inv_value += avg * e.unit_cost;
        holding += avg * e.unit_cost * e.holding_rate * days / 365.0;
      } else {
        inv_known = false;
      }
      if (std::isfinite(inv_last)) {
        end_value += inv_last * e.unit_cost;
      } else {
        end_known = false;
      }
    }
    row.gross_margin = row.revenue - row.cogs;
    row.stockout_rate =
        Ratio(static_cast<double>(row.stockout_days), static_cast<double>(row.series_days));
    row.fill_rate = Ratio(row.units_sold, row.units_sold + row.lost_units);
    row.cycle_service_level = Ratio(static_cast<double>(csl_ok), static_cast<double>(csl_cells));
    if (!any_service) {
      row.stockout_rate = kNaN;
      row.fill_rate = kNaN;
      row.cycle_service_level = kNaN;
    }
    if (inv_known) {
      row.avg_inventory_units = inv_units;
      row.avg_inventory_value = inv_value;
      // Turnover per year: COGS of the range over the average inventory value, scaled by
      // 365 / days (Silver, Pyke & Peterson 2017, ch. 2).
      row.inventory_turnover = Ratio(row.cogs, inv_value) * 365.0 / days;
      row.days_of_supply = Ratio(inv_units, row.units_sold / days);
      row.holding_cost = holding;
      row.gmroi = Ratio(row.gross_margin, inv_value);
    } else {
      row.avg_inventory_units = row.avg_inventory_value = row.inventory_turnover = kNaN;
      row.days_of_supply = row.holding_cost = row.gmroi = kNaN;
    }
    row.end_inventory_value = end_known ? end_value : kNaN;
    if (row.forecast_days > 0) {
      row.forecast_wape = Ratio(f_abs, f_act);
      row.forecast_bias = Ratio(f_err, f_act);
    } else {
      row.forecast_wape = row.forecast_bias = kNaN;
    }
    return row;
  };

  std::vector<KpiRow> rows;
  std::vector<size_t> all(num_series);
  for (size_t s = 0; s < num_series; ++s) all[s] = s;
  rows.push_back(make_row("total", "total", "", all, 0, np));
  for (size_t p = 0; p < np; ++p) {
    rows.push_back(make_row("period", periods[p].label, periods[p].label, all, p, p + 1));
  }
  std::map<std::string, std::vector<size_t>> by_sku, by_category, by_location;
  for (size_t s = 0; s < num_series; ++s) {
    by_sku[panel.key(s).sku].push_back(s);
    by_category[economics[s].category.empty() ? "(none)" : economics[s].category].push_back(s);
    by_location[panel.key(s).location].push_back(s);
  }
  for (const auto& [scope, groups] :
       {std::pair<std::string, const std::map<std::string, std::vector<size_t>>*>{"sku", &by_sku},
        {"category", &by_category},
        {"location", &by_location}}) {
    for (const auto& [key, members] : *groups) {
      rows.push_back(make_row(scope, key, "", members, 0, np));
      if (!options.breakdown_by_period) continue;
      for (size_t p = 0; p < np; ++p) {
        rows.push_back(make_row(scope, key, periods[p].label, members, p, p + 1));
      }
    }
  }
  return rows;
}

}  // namespace stockcast::risk
