#include "stockcast/clean/aggregate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "stockcast/core/calendar.h"

namespace stockcast::clean {

uint32_t DailyAggregator::Series(std::string_view sku, std::string_view location) {
  const uint64_t key =
      (static_cast<uint64_t>(skus_.Intern(sku)) << 32) | locations_.Intern(location);
  auto [it, inserted] = series_index_.emplace(key, static_cast<uint32_t>(series_.size()));
  if (inserted) series_.emplace_back(static_cast<uint32_t>(key >> 32), static_cast<uint32_t>(key));
  return it->second;
}

void DailyAggregator::Add(std::string_view sku, std::string_view location, Date date,
                          MovementType type, double quantity, double unit_price) {
  Day& d = days_[Key(Series(sku, location), date)];
  switch (type) {
    case MovementType::kSale:
      d.sales += quantity;
      if (unit_price > 0) {
        d.revenue += quantity * unit_price;
        d.priced_units += quantity;
      }
      NoteActivity(location, date);
      break;
    case MovementType::kReturn:
      d.returns += quantity;
      NoteActivity(location, date);
      break;
    case MovementType::kReceipt:
    case MovementType::kTransferIn:
      d.receipts += quantity;
      break;
    case MovementType::kTransferOut:
      d.adjust -= quantity;
      break;
    case MovementType::kAdjustment:
      d.adjust += quantity;
      break;
  }
  if (!first_ || date < *first_) first_ = date;
  if (!last_ || date > *last_) last_ = date;
}

void DailyAggregator::NoteActivity(std::string_view location, Date date) {
  ++activity_[(static_cast<uint64_t>(locations_.Intern(location)) << 32) |
              static_cast<uint32_t>(date.days())];
}

void DailyAggregator::AddSnapshot(const StockSnapshot& s) {
  snapshots_[Key(Series(s.sku, s.location), s.date)] = s.on_hand;
  if (!first_ || s.date < *first_) first_ = s.date;
  if (!last_ || s.date > *last_) last_ = s.date;
}

void DailyAggregator::AddCartAdds(const CartAdds& c) { cart_adds_.push_back(c); }
void DailyAggregator::AddPromotion(const Promotion& p) { promotions_.push_back(p); }

DemandPanel DailyAggregator::Build(const CleanOptions& options, std::optional<Date> end) const {
  if (!first_) return DemandPanel(Date(), 0, {});
  const Date start = *first_;
  const Date last = end && *end > *last_ ? *end : *last_;
  const int n = (last - start) + 1;

  // Series in (sku, location) order so output is stable whatever the input order.
  std::vector<uint32_t> order(series_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const auto& ka = series_[a];
    const auto& kb = series_[b];
    const int c = skus_[ka.first].compare(skus_[kb.first]);
    if (c != 0) return c < 0;
    return locations_[ka.second] < locations_[kb.second];
  });
  std::vector<SeriesKey> keys;
  keys.reserve(order.size());
  for (uint32_t s : order) keys.push_back({skus_[series_[s].first], locations_[series_[s].second]});
  DemandPanel panel(start, n, std::move(keys));

  // Trading days per location.
  std::vector<std::vector<uint8_t>> open(locations_.size(), std::vector<uint8_t>(n, 0));
  for (const auto& [key, lines] : activity_) {
    const int t = Date::FromDays(static_cast<int32_t>(static_cast<uint32_t>(key))) - start;
    if (t >= 0 && t < n && lines >= options.min_lines_per_open_day) open[key >> 32][t] = 1;
  }
  const Calendar calendar(options.calendar);
  std::vector<uint8_t> event_days(n, 0);
  for (int t = 0; t < n; ++t) {
    event_days[t] = calendar.Has(start + t, kShoppingFestivals | kEventChristmas |
                                                kEventPublicHoliday)
                        ? 1
                        : 0;
  }

  for (size_t i = 0; i < order.size(); ++i) {
    const uint32_t s = order[i];
    const uint32_t loc = series_[s].second;
    auto demand = panel.column(PanelColumn::kDemand, i);
    auto raw = panel.column(PanelColumn::kRawDemand, i);
    auto returns = panel.column(PanelColumn::kReturns, i);
    auto price = panel.column(PanelColumn::kPrice, i);
    auto receipts = panel.column(PanelColumn::kReceipts, i);
    auto on_hand = panel.column(PanelColumn::kOnHand, i);
    auto flags = panel.flags(i);

    // The series starts at its first movement or snapshot.
    int first = n;
    std::vector<const Day*> day(n, nullptr);
    for (int t = 0; t < n; ++t) {
      auto it = days_.find(Key(s, start + t));
      if (it != days_.end()) day[t] = &it->second;
      if (first == n && (day[t] || snapshots_.count(Key(s, start + t)))) first = t;
    }
    bool have_stock = false;
    double stock = 0;
    for (int t = 0; t < n; ++t) {
      if (event_days[t]) flags[t] |= kFlagEvent;
      if (t < first) {
        flags[t] |= kFlagNotLaunched;
        continue;
      }
      const Day* d = day[t];
      const bool trading = open[loc][t] || (d && d->sales > 0);
      if (trading) {
        raw[t] = static_cast<float>(d ? d->sales : 0.0);
        demand[t] = raw[t];
        returns[t] = static_cast<float>(d ? d->returns : 0.0);
        if (d && d->priced_units > 0) price[t] = static_cast<float>(d->revenue / d->priced_units);
      } else {
        flags[t] |= kFlagMissing;
      }
      receipts[t] = static_cast<float>(d ? d->receipts : 0.0);
      // End-of-day stock: a snapshot when there is one, else carried forward by movements.
      auto snap = snapshots_.find(Key(s, start + t));
      if (snap != snapshots_.end()) {
        stock = snap->second;
        have_stock = true;
      } else if (have_stock && d) {
        stock += d->receipts + d->returns + d->adjust - d->sales;
      }
      if (have_stock) {
        on_hand[t] = static_cast<float>(stock);
        if (stock <= 1e-9) flags[t] |= kFlagCensored;
      }
    }
  }

  // Cart adds (without a location they belong to every location of the SKU) and promotions.
  std::unordered_map<std::string, std::vector<size_t>> series_of_sku;
  for (size_t i = 0; i < panel.num_series(); ++i) series_of_sku[panel.key(i).sku].push_back(i);
  for (const auto& c : cart_adds_) {
    const int t = panel.IndexOf(c.date);
    auto it = series_of_sku.find(c.sku);
    if (t < 0 || it == series_of_sku.end()) continue;
    for (size_t i : it->second) {
      if (!c.location.empty() && panel.key(i).location != c.location) continue;
      auto col = panel.column(PanelColumn::kCartAdds, i);
      col[t] = (std::isnan(col[t]) ? 0.0f : col[t]) + static_cast<float>(c.cart_adds);
    }
  }
  for (const auto& p : promotions_) {
    auto it = series_of_sku.find(p.sku);
    if (it == series_of_sku.end()) continue;
    for (size_t i : it->second) {
      if (!p.location.empty() && panel.key(i).location != p.location) continue;
      auto flags = panel.flags(i);
      for (Date d = p.start; d <= p.end; d += 1) {
        const int t = panel.IndexOf(d);
        if (t >= 0) flags[t] |= kFlagPromotion;
      }
    }
  }
  return panel;
}

}  // namespace stockcast::clean
