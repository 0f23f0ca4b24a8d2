#pragma once
// Aggregation of movements, stock snapshots, cart adds and promotions into a DemandPanel of
// daily series (one per SKU x location), telling missing days from true zero-demand days.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/clean/clean_options.h"
#include "stockcast/core/demand_panel.h"
#include "stockcast/core/flat_hash.h"
#include "stockcast/core/large_alloc.h"
#include "stockcast/core/entities.h"
#include "stockcast/io/order_reader.h"

namespace stockcast::clean {

class DailyAggregator {
 public:
  // `compact_at`: number of day records after which duplicates from out-of-order input are
  // first merged (then each time the records double); lower it only to test that path.
  explicit DailyAggregator(size_t compact_at = size_t{1} << 22) : compact_at_(compact_at) {}
  // The series of (sku, location), created on first use. Ids are dense and stable.
  uint32_t SeriesId(std::string_view sku, std::string_view location);
  // A stock movement (sale, return, receipt, adjustment, transfer) on a day.
  void Add(uint32_t series, Date date, MovementType type, double quantity, double unit_price);
  void Add(std::string_view sku, std::string_view location, Date date, MovementType type,
           double quantity, double unit_price) {
    Add(SeriesId(sku, location), date, type, quantity, unit_price);
  }
  void Add(const Movement& m) { Add(m.sku, m.location, m.date, m.type, m.quantity, m.unit_price); }
  // A line that shows the location was trading that day (any order line, even a fee).
  void NoteActivity(std::string_view location, Date date);
  void AddSnapshot(const StockSnapshot& snapshot);
  void AddCartAdds(const CartAdds& cart_adds);
  void AddPromotion(const Promotion& promotion);

  // Builds the panel over [first day with data, last day with data] (or `end` when later):
  // demand/raw demand/returns/price/receipts/cart adds/on hand per day; flags for missing days
  // (location not trading), days before a series starts, promotions and calendar events; and
  // the end-of-day on hand reconstructed from snapshots and movements, flagging days that end
  // out of stock as censored. Outliers are left to CleanSeries.
  DemandPanel Build(const CleanOptions& options, std::optional<Date> end = std::nullopt) const;

  size_t num_series() const { return series_.size(); }

 private:
  struct Day {
    double sales = 0, revenue = 0, priced_units = 0, returns = 0, receipts = 0, adjust = 0;
    void operator+=(const Day& o) {
      sales += o.sales;
      revenue += o.revenue;
      priced_units += o.priced_units;
      returns += o.returns;
      receipts += o.receipts;
      adjust += o.adjust;
    }
  };
  struct DayRecord {
    uint32_t series;
    int32_t day;  // days since epoch
    Day values;
  };
  static uint64_t Key(uint32_t hi, int32_t lo) {
    return (static_cast<uint64_t>(hi) << 32) | static_cast<uint32_t>(lo);
  }
  void Extend(Date date);

  // Day records are appended, never looked up: each series remembers its latest record, and
  // lines arrive mostly in date order, so a line either adds to that record or starts a new
  // one. Out-of-order lines may start a second record for the same (series, day); Build sums
  // them, and Compact() merges them when the records outgrow twice the last compacted size.
  // (This replaced a (series, day) hash table whose random probes were the import's hot spot.)
  static constexpr uint32_t kNoRecord = ~0u;
  struct Latest {
    int32_t day = 0;
    uint32_t record = kNoRecord;
  };
  void Compact();

  io::Interner skus_, locations_;
  FlatMap64<uint32_t> series_index_;                   // sku id << 32 | location id -> series
  std::vector<std::pair<uint32_t, uint32_t>> series_;  // (sku id, location id)
  std::vector<Latest> latest_;                         // per series
  // Day records in fixed chunks, so growing never copies (or touches twice) what is stored.
  static constexpr int kChunkBits = 17;
  static constexpr size_t kChunk = size_t{1} << kChunkBits;
  DayRecord& record(size_t k) { return days_[k >> kChunkBits][k & (kChunk - 1)]; }
  const DayRecord& record(size_t k) const { return days_[k >> kChunkBits][k & (kChunk - 1)]; }
  void PushRecord(const DayRecord& r);
  std::vector<LargeVector<DayRecord>> days_;
  size_t num_days_ = 0;  // records stored
  size_t compact_at_;
  FlatMap64<int64_t> activity_;                        // location << 32 | day -> lines
  uint64_t last_activity_key_ = ~0ull;                 // lines arrive mostly in date order:
  int64_t* last_activity_ = nullptr;                   // the last counter, found without a probe
  void CountActivity(uint64_t key);
  struct Snapshot {
    uint32_t series;
    int32_t day;
    double on_hand;
  };
  std::vector<Snapshot> snapshots_;
  std::vector<CartAdds> cart_adds_;
  std::vector<Promotion> promotions_;
  std::optional<Date> first_, last_;
};

}  // namespace stockcast::clean
