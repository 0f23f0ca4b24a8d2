#pragma once
// DemandPanel: many daily series (one per SKU x location) on a shared date axis, stored as a
// structure of arrays. Every column is one contiguous block of num_series * num_days values,
// series-major: series i occupies [i * num_days, (i + 1) * num_days). A column's block is
// allocated on the first mutable access; until then it reads as all NaN (a shop without stock
// snapshots or cart data does not pay for those columns).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/large_alloc.h"

namespace stockcast {

struct SeriesKey {
  std::string sku;
  std::string location;
  bool operator==(const SeriesKey&) const = default;
};

// Numeric columns. Demand is NaN on days with no data (missing) and before a product's launch.
enum class PanelColumn : uint8_t {
  kDemand,     // cleaned demand: sales after outlier capping (what models fit)
  kRawDemand,  // sales as recorded (before capping)
  kReturns,    // units returned or cancelled (never demand)
  kPrice,      // average selling price of the day (NaN when nothing sold)
  kCartAdds,   // add-to-cart events (a leading signal of demand); NaN when unknown
  kReceipts,   // units received into stock
  kOnHand,     // end-of-day on hand where stock data exists, NaN otherwise
};
inline constexpr int kNumPanelColumns = 7;
std::string_view ToString(PanelColumn column);

// Per-day flag bits.
enum PanelFlag : uint8_t {
  kFlagMissing = 1u << 0,      // no data for the day (shop closed / gap in the export)
  kFlagCensored = 1u << 1,     // out of stock: recorded sales understate demand
  kFlagOutlier = 1u << 2,      // robust outlier; kDemand holds the capped value
  kFlagPromotion = 1u << 3,    // a price promotion was running
  kFlagNotLaunched = 1u << 4,  // before the series' first sale
  kFlagEvent = 1u << 5,        // a shopping festival / holiday of the calendar
};

class DemandPanel {
 public:
  DemandPanel() = default;
  // All numeric columns start as NaN, flags as 0.
  DemandPanel(Date start, int num_days, std::vector<SeriesKey> keys);

  size_t num_series() const { return keys_.size(); }
  int num_days() const { return num_days_; }
  Date start() const { return start_; }
  Date end() const { return start_ + (num_days_ - 1); }  // last day, inclusive
  Date DateAt(int t) const { return start_ + t; }
  // Day index of `date`, or -1 when outside the panel.
  int IndexOf(Date date) const;

  const SeriesKey& key(size_t series) const { return keys_[series]; }
  const std::vector<SeriesKey>& keys() const { return keys_; }
  std::optional<size_t> Find(const std::string& sku, const std::string& location) const;

  // Mutable access allocates the column's block (NaN-filled) when it has none yet; read-only
  // code should call the const overload (std::as_const) so it does not allocate.
  std::span<float> column(PanelColumn c, size_t series);
  std::span<const float> column(PanelColumn c, size_t series) const;
  // Whether the column's block exists (some code asked to write it).
  bool has_column(PanelColumn c) const { return !values_[static_cast<size_t>(c)].empty(); }
  std::span<uint8_t> flags(size_t series);
  std::span<const uint8_t> flags(size_t series) const;
  // The whole column, all series back to back; empty when the column was never written.
  std::span<const float> data(PanelColumn c) const;

  // Index of the first day with data (launch), or num_days() when the series is empty.
  int FirstObserved(size_t series) const;

 private:
  Date start_;
  int num_days_ = 0;
  std::vector<SeriesKey> keys_;
  std::unordered_map<std::string, size_t> index_;  // sku + '\x1f' + location -> series
  std::array<LargeVector<float>, kNumPanelColumns> values_;  // empty until first written
  std::vector<float> nan_row_;                     // num_days NaNs: unwritten columns read this
  LargeVector<uint8_t> flags_;
};

}  // namespace stockcast
