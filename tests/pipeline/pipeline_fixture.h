#pragma once
// A small world for the pipeline tests: three series over 120 days in a FakeStore.
#include <cmath>
#include <limits>
#include <string>

#include "pipeline/fake_store.h"
#include "stockcast/core/demand_panel.h"

namespace stockcast::testing {

inline Date Day(const char* text) { return *Date::Parse(text); }

// A@WH1: ~10/day with weekly pattern, a stockout week and an outlier; low stock -> orders.
// B@WH1: ~3/day, plenty of stock -> no order.
// C@WH2: never sold (all missing) -> fallback forecast.
inline void FillWorld(FakeStore& store) {
  const Date start = Day("2024-01-01");
  DemandPanel panel(start, 120, {{"A", "WH1"}, {"B", "WH1"}, {"C", "WH2"}});
  for (int t = 0; t < 120; ++t) {
    const size_t i = static_cast<size_t>(t);
    const double weekly = (t % 7 == 5 || t % 7 == 6) ? 1.5 : 0.8;
    auto a = panel.column(PanelColumn::kDemand, 0);
    auto a_raw = panel.column(PanelColumn::kRawDemand, 0);
    auto a_price = panel.column(PanelColumn::kPrice, 0);
    auto a_flags = panel.flags(0);
    a[i] = static_cast<float>(std::round(10 * weekly + (t % 3)));
    a_raw[i] = a[i];
    a_price[i] = 5.0f;
    if (t >= 90 && t < 97) {
      a[i] = 0;
      a_raw[i] = 0;
      a_flags[i] = kFlagCensored;
    }
    if (t == 60) {
      a_raw[i] = 80;
      a_flags[i] = kFlagOutlier;
    }
    auto b = panel.column(PanelColumn::kDemand, 1);
    b[i] = static_cast<float>(3 + (t % 2));
    panel.column(PanelColumn::kRawDemand, 1)[i] = b[i];
    panel.flags(2)[i] = kFlagMissing;
  }
  (void)store.SavePanel(panel);

  Supplier acme;
  acme.id = "ACME";
  acme.name = "Acme";
  acme.lead_time_mean_days = 9;
  acme.lead_time_sd_days = 1;
  acme.case_pack = 12;
  acme.moq = 0;
  acme.unit_cost = 2;
  const Supplier suppliers[] = {acme};
  (void)store.UpsertSuppliers(suppliers);
  Product pa;
  pa.sku = "A";
  pa.name = "Apple <crate>";
  pa.category = "fruit";
  pa.supplier_id = "ACME";
  pa.unit_cost = 2.5;
  pa.price = 5;
  Product pb = pa;
  pb.sku = "B";
  pb.name = "Banana";
  pb.category = "other";
  const Product products[] = {pa, pb};
  (void)store.UpsertProducts(products);
  // Counted on the history's last day (a stock snapshot): the on hand is known.
  store.stock_levels.push_back({"A", "WH1", 40, 0, Day("2024-04-29"), std::nullopt});
  store.stock_levels.push_back({"B", "WH1", 500, 24, Day("2024-04-29"), std::nullopt});
  Receipt open;
  open.po_id = "PO1";
  open.sku = "B";
  open.location = "WH1";
  open.supplier_id = "ACME";
  open.quantity = 24;
  open.date = Day("2024-05-03");
  open.status = ReceiptStatus::kOpen;
  store.receipts.push_back(open);

  // An import run with a cleaning report written the way the lead's import does.
  auto id = store.StartRun("import", "{}");
  (void)store.FinishRun(*id, "ok", R"({"lines_read": 1234, "cancellation_lines": 5,
      "exact_duplicates": 2, "distinct_skus": 3,
      "rules": {"non_product_line": 4, "outlier_capped": 1},
      "examples": {"non_product_line": [{"where": "orders.csv:17", "text": "POST <script>alert(1)</script>"}]},
      "series": {"count": 3, "censored_days": 7}})");
}

}  // namespace stockcast::testing
