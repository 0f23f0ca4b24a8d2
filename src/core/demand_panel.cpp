#include "stockcast/core/demand_panel.h"

#include <cmath>
#include <limits>

#include "stockcast/core/error.h"

namespace stockcast {
namespace {
std::string IndexKey(const std::string& sku, const std::string& location) {
  std::string k;
  k.reserve(sku.size() + location.size() + 1);
  k += sku;
  k += '\x1f';
  k += location;
  return k;
}
}  // namespace

std::string_view ToString(PanelColumn column) {
  switch (column) {
    case PanelColumn::kDemand: return "demand";
    case PanelColumn::kRawDemand: return "raw_demand";
    case PanelColumn::kReturns: return "returns";
    case PanelColumn::kPrice: return "price";
    case PanelColumn::kCartAdds: return "cart_adds";
    case PanelColumn::kReceipts: return "receipts";
    case PanelColumn::kOnHand: return "on_hand";
  }
  return "demand";
}

DemandPanel::DemandPanel(Date start, int num_days, std::vector<SeriesKey> keys)
    : start_(start), num_days_(num_days), keys_(std::move(keys)) {
  SC_ASSERT(num_days >= 0);
  const size_t cells = keys_.size() * static_cast<size_t>(num_days_);
  nan_row_.assign(static_cast<size_t>(num_days_), std::numeric_limits<float>::quiet_NaN());
  flags_.assign(cells, 0);
  index_.reserve(keys_.size());
  for (size_t i = 0; i < keys_.size(); ++i) {
    const bool inserted = index_.emplace(IndexKey(keys_[i].sku, keys_[i].location), i).second;
    SC_ASSERT_MSG(inserted, "duplicate series key in DemandPanel");
  }
}

int DemandPanel::IndexOf(Date date) const {
  const int t = date - start_;
  return t >= 0 && t < num_days_ ? t : -1;
}

std::optional<size_t> DemandPanel::Find(const std::string& sku, const std::string& location) const {
  auto it = index_.find(IndexKey(sku, location));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::span<float> DemandPanel::column(PanelColumn c, size_t series) {
  SC_ASSERT(series < keys_.size());
  const size_t n = static_cast<size_t>(num_days_);
  auto& block = values_[static_cast<size_t>(c)];
  if (block.empty()) block.assign(keys_.size() * n, std::numeric_limits<float>::quiet_NaN());
  return {block.data() + series * n, n};
}

std::span<const float> DemandPanel::column(PanelColumn c, size_t series) const {
  SC_ASSERT(series < keys_.size());
  const size_t n = static_cast<size_t>(num_days_);
  const auto& block = values_[static_cast<size_t>(c)];
  if (block.empty()) return {nan_row_.data(), n};
  return {block.data() + series * n, n};
}

std::span<uint8_t> DemandPanel::flags(size_t series) {
  SC_ASSERT(series < keys_.size());
  const size_t n = static_cast<size_t>(num_days_);
  return {flags_.data() + series * n, n};
}

std::span<const uint8_t> DemandPanel::flags(size_t series) const {
  return const_cast<DemandPanel*>(this)->flags(series);
}

std::span<const float> DemandPanel::data(PanelColumn c) const {
  const auto& block = values_[static_cast<size_t>(c)];
  return {block.data(), block.size()};
}

int DemandPanel::FirstObserved(size_t series) const {
  auto f = flags(series);
  auto raw = column(PanelColumn::kRawDemand, series);
  for (int t = 0; t < num_days_; ++t) {
    if (!(f[t] & kFlagNotLaunched) && !std::isnan(raw[t])) return t;
  }
  return num_days_;
}

}  // namespace stockcast
