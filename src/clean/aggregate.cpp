#include "stockcast/clean/aggregate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "stockcast/core/calendar.h"
#include "stockcast/core/error.h"

namespace stockcast::clean {

uint32_t DailyAggregator::SeriesId(std::string_view sku, std::string_view location) {
  const uint32_t s = skus_.Intern(sku);
  const uint32_t l = locations_.Intern(location);
  bool inserted = false;
  uint32_t& id = series_index_.Get(Key(s, static_cast<int32_t>(l)), &inserted);
  if (inserted) {
    id = static_cast<uint32_t>(series_.size());
    series_.emplace_back(s, l);
    latest_.emplace_back();
  }
  return id;
}

void DailyAggregator::CountActivity(uint64_t key) {
  // Every insert into activity_ passes here, so the cached pointer cannot have been moved by
  // a rehash since it was taken.
  if (key != last_activity_key_) {
    last_activity_ = &activity_.Get(key);
    last_activity_key_ = key;
  }
  ++*last_activity_;
}

void DailyAggregator::Extend(Date date) {
  if (!first_ || date < *first_) first_ = date;
  if (!last_ || date > *last_) last_ = date;
}

void DailyAggregator::Add(uint32_t series, Date date, MovementType type, double quantity,
                          double unit_price) {
  SC_ASSERT(series < latest_.size());
  Latest& latest = latest_[series];
  if (latest.record == kNoRecord || latest.day != date.days()) {
    if (num_days_ >= compact_at_) Compact();
    if (latest.record == kNoRecord || latest.day != date.days()) {
      latest = {date.days(), static_cast<uint32_t>(num_days_)};
      PushRecord({series, date.days(), {}});
    }
  }
  Day& d = record(latest.record).values;
  const uint32_t location = series_[series].second;
  switch (type) {
    case MovementType::kSale:
      d.sales += quantity;
      if (unit_price > 0) {
        d.revenue += quantity * unit_price;
        d.priced_units += quantity;
      }
      CountActivity(Key(location, date.days()));
      break;
    case MovementType::kReturn:
      d.returns += quantity;
      CountActivity(Key(location, date.days()));
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
  Extend(date);
}

void DailyAggregator::PushRecord(const DayRecord& r) {
  if ((num_days_ & (kChunk - 1)) == 0 && (num_days_ >> kChunkBits) == days_.size()) {
    days_.emplace_back().reserve(kChunk);  // address space only: pages are touched as filled
  }
  days_[num_days_ >> kChunkBits].push_back(r);
  ++num_days_;
}

void DailyAggregator::Compact() {
  std::vector<DayRecord> all;
  all.reserve(num_days_);
  for (auto& chunk : days_) {
    all.insert(all.end(), chunk.begin(), chunk.end());
    LargeVector<DayRecord>().swap(chunk);
  }
  std::sort(all.begin(), all.end(), [](const DayRecord& a, const DayRecord& b) {
    return a.series != b.series ? a.series < b.series : a.day < b.day;
  });
  days_.clear();
  num_days_ = 0;
  for (auto& l : latest_) l = Latest{};
  for (size_t k = 0; k < all.size(); ++k) {
    if (num_days_ > 0 && record(num_days_ - 1).series == all[k].series &&
        record(num_days_ - 1).day == all[k].day) {
      record(num_days_ - 1).values += all[k].values;
      continue;
    }
    // Each series continues from its latest day (sorted last), as an in-order stream would.
    latest_[all[k].series] = {all[k].day, static_cast<uint32_t>(num_days_)};
    PushRecord(all[k]);
  }
  compact_at_ = std::max({compact_at_, 2 * num_days_, size_t{16}});
  if (compact_at_ > kNoRecord) compact_at_ = kNoRecord;
}

void DailyAggregator::NoteActivity(std::string_view location, Date date) {
  CountActivity(Key(locations_.Intern(location), date.days()));
}

void DailyAggregator::AddSnapshot(const StockSnapshot& s) {
  snapshots_.push_back({SeriesId(s.sku, s.location), s.date.days(), s.on_hand});
  Extend(s.date);
}

void DailyAggregator::AddCartAdds(const CartAdds& c) { cart_adds_.push_back(c); }
void DailyAggregator::AddPromotion(const Promotion& p) { promotions_.push_back(p); }

DemandPanel DailyAggregator::Build(const CleanOptions& options, std::optional<Date> end) const {
  if (!first_) return DemandPanel(Date(), 0, {});
  const Date start = *first_;
  const Date last = end && *end > *last_ ? *end : *last_;
  const int n = (last - start) + 1;
  const size_t ns = series_.size();

  // Series in (sku, location) order so output is stable whatever the input order.
  std::vector<uint32_t> order(ns);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const int c = skus_[series_[a].first].compare(skus_[series_[b].first]);
    if (c != 0) return c < 0;
    return locations_[series_[a].second] < locations_[series_[b].second];
  });
  std::vector<uint32_t> row(ns);  // aggregator series id -> panel series index
  std::vector<SeriesKey> keys;
  keys.reserve(ns);
  for (size_t i = 0; i < ns; ++i) {
    row[order[i]] = static_cast<uint32_t>(i);
    keys.push_back({skus_[series_[order[i]].first], locations_[series_[order[i]].second]});
  }
  DemandPanel panel(start, n, std::move(keys));

  // Scatter day records and snapshots into (series x day) grids: array reads from here on.
  // A cell is -1 (no movement), k >= 0 (days_[k]) or -2 - j (merged[j]: several records of
  // the same day, from out-of-order input).
  const size_t cells = ns * static_cast<size_t>(n);
  LargeVector<int32_t> cell_record(cells, -1);
  std::vector<Day> merged;
  for (size_t k = 0; k < num_days_; ++k) {
    const DayRecord& r = record(k);
    const int t = r.day - start.days();
    if (t < 0 || t >= n) continue;
    int32_t& cell = cell_record[row[r.series] * static_cast<size_t>(n) + t];
    if (cell == -1) {
      cell = static_cast<int32_t>(k);
      continue;
    }
    if (cell >= 0) {
      merged.push_back(record(static_cast<size_t>(cell)).values);
      cell = -2 - static_cast<int32_t>(merged.size() - 1);
    }
    merged[-2 - cell] += r.values;
  }
  LargeVector<float> snapshot;
  if (!snapshots_.empty()) {
    snapshot.assign(cells, std::numeric_limits<float>::quiet_NaN());
    for (const auto& s : snapshots_) {  // the last snapshot of a day wins
      const int t = s.day - start.days();
      if (t >= 0 && t < n) snapshot[row[s.series] * static_cast<size_t>(n) + t] = static_cast<float>(s.on_hand);
    }
  }
  auto snapshot_at = [&](size_t i, int t) {
    return snapshot.empty() ? std::numeric_limits<float>::quiet_NaN()
                            : snapshot[i * static_cast<size_t>(n) + t];
  };

  // Trading days per location.
  std::vector<std::vector<uint8_t>> open(locations_.size(), std::vector<uint8_t>(n, 0));
  activity_.ForEach([&](uint64_t key, int64_t lines) {
    const int t = static_cast<int32_t>(static_cast<uint32_t>(key)) - start.days();
    if (t >= 0 && t < n && lines >= options.min_lines_per_open_day) open[key >> 32][t] = 1;
  });
  const Calendar calendar(options.calendar);
  std::vector<uint8_t> event_days(n, 0);
  for (int t = 0; t < n; ++t) {
    event_days[t] =
        calendar.Has(start + t, kShoppingFestivals | kEventChristmas | kEventPublicHoliday) ? 1 : 0;
  }

  for (size_t i = 0; i < ns; ++i) {
    const uint32_t loc = series_[order[i]].second;
    auto demand = panel.column(PanelColumn::kDemand, i);
    auto raw = panel.column(PanelColumn::kRawDemand, i);
    auto returns = panel.column(PanelColumn::kReturns, i);
    auto price = panel.column(PanelColumn::kPrice, i);
    auto receipts = panel.column(PanelColumn::kReceipts, i);
    std::span<float> on_hand;  // allocated only once some series has stock data
    auto flags = panel.flags(i);
    const int32_t* rec = cell_record.data() + i * static_cast<size_t>(n);

    // The series starts at its first movement or snapshot.
    int first = 0;
    while (first < n && rec[first] == -1 && std::isnan(snapshot_at(i, first))) ++first;
    bool have_stock = false;
    double stock = 0;
    for (int t = 0; t < n; ++t) {
      if (event_days[t]) flags[t] |= kFlagEvent;
      if (t < first) {
        flags[t] |= kFlagNotLaunched;
        continue;
      }
      const Day* d = rec[t] >= 0    ? &record(static_cast<size_t>(rec[t])).values
                     : rec[t] <= -2 ? &merged[-2 - rec[t]]
                                    : nullptr;
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
      if (const float snap = snapshot_at(i, t); !std::isnan(snap)) {
        stock = snap;
        have_stock = true;
      } else if (have_stock && d) {
        stock += d->receipts + d->returns + d->adjust - d->sales;
      }
      if (have_stock) {
        if (on_hand.empty()) on_hand = panel.column(PanelColumn::kOnHand, i);
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
