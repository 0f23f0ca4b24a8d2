#pragma once
// Synthetic e-commerce dataset generator, deterministic by seed.
//
// Simulates daily true demand per SKU x warehouse (four demand classes: smooth, erratic,
// intermittent, lumpy; weekly and yearly seasonality, trend, price promotions with elasticity,
// festival spikes on 11.11 / 6.18 / Black Friday, cart adds that lead sales by a few days, new
// products launched mid-history), then runs a reorder-point inventory with suppliers whose
// lead times are stochastic and who stop shipping during the Spring Festival shutdown, so that
// stockouts censor sales. Emits the same CSV files `stockcast import --dir` reads (see
// docs/formats.md) plus true_demand.csv (demand before censoring) for scoring.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/calendar.h"
#include "stockcast/core/date.h"
#include "stockcast/core/entities.h"
#include "stockcast/core/error.h"
#include "stockcast/core/progress.h"

namespace stockcast::sim {

enum class DemandClass { kSmooth, kErratic, kIntermittent, kLumpy };
std::string_view ToString(DemandClass c);  // "smooth", "erratic", ...
std::optional<DemandClass> ParseDemandClass(std::string_view text);

struct GeneratorOptions {
  uint64_t seed = 42;
  int num_skus = 40;
  int num_locations = 2;
  int num_suppliers = 4;
  Date start = *Date::FromYmd(2024, 1, 1);
  int num_days = 730;
  Region region = Region::kCN;
  int snapshot_every_days = 7;         // stock snapshot cadence (the last day always has one)
  double new_product_fraction = 0.15;  // SKUs launched after the start
  // Injected dirt, so cleaning has something to find: exact duplicate lines, postage lines,
  // bulk-order outliers, as fractions of order lines.
  double duplicate_fraction = 0.002;
  double postage_fraction = 0.002;
  double outlier_fraction = 0.0005;
  double return_rate = 0.03;  // fraction of sold units returned later
  Status Validate() const;    // names the field and the rule
};

struct SkuTruth {
  std::string sku;
  DemandClass demand_class = DemandClass::kSmooth;
  Date launch;
  int cart_lead_days = 3;         // cart adds on day t follow demand on day t + lead
  double price_elasticity = 1.5;  // demand multiplier (1 - discount)^-elasticity
};

struct GeneratedData {
  std::vector<Product> products;
  std::vector<Supplier> suppliers;
  std::vector<Location> locations;
  std::vector<StockSnapshot> snapshots;
  std::vector<Receipt> receipts;  // received and open purchase-order lines
  std::vector<CartAdds> cart_adds;
  std::vector<Promotion> promotions;
  std::vector<SkuTruth> truth;
  // Order lines in the generic preset's columns.
  struct OrderRow {
    std::string order_id, sku, location, customer_id;
    double quantity = 0, unit_price = 0;
    Date date;
    int32_t seconds = 0;
  };
  std::vector<OrderRow> orders;
  // True demand before censoring: one row per SKU x location x day (after launch).
  struct DemandRow {
    Date date;
    std::string sku, location;
    double demand = 0;  // true demand
    double sales = 0;   // what was sold (min(demand, stock))
  };
  std::vector<DemandRow> true_demand;
};

Result<GeneratedData> Generate(const GeneratorOptions& options, const ProgressFn& progress = {});
// Writes orders.csv, products.csv, suppliers.csv, locations.csv, stock_snapshots.csv,
// receipts.csv, cart_adds.csv, promotions.csv and true_demand.csv into `dir` (created).
Status WriteDataset(const GeneratedData& data, const std::string& dir);

}  // namespace stockcast::sim
