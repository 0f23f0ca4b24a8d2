// Builds a large stockcast store directly (no CSV round trip) for the `plan` scale benchmark
// (bench/decision/plan_scale.sh): N SKUs x L warehouses of daily demand over D days, products,
// suppliers, warehouses, a stock snapshot on the last day and one open purchase order per 10
// series, as if `stockcast import` had run.
//
//   stockcast_make_store --db FILE [--skus 30000] [--locations 3] [--days 730] [--seed 7]
//
// Demand per series: a level drawn log-uniformly in [0.05, 60] units/day (many slow movers, a
// few fast ones, as in retail), a weekly profile, a yearly wave, a trend, and Poisson-gamma
// noise (negative binomial with size 2 + level), so the forecaster sees intermittent, erratic
// and smooth series. Stock on the last day: 0-40 days of demand (some series short, some long).
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "stockcast/core/demand_panel.h"
#include "stockcast/core/entities.h"
#include "stockcast/store/store.h"

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "stockcast_make_store: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace stockcast;
  std::string db;
  int skus = 30000, locations = 3, days = 730;
  uint64_t seed = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--db") db = v;
    else if (flag == "--skus") skus = std::atoi(v);
    else if (flag == "--locations") locations = std::atoi(v);
    else if (flag == "--days") days = std::atoi(v);
    else if (flag == "--seed") seed = std::strtoull(v, nullptr, 10);
    else return Fail("unknown flag " + flag + "; use --db --skus --locations --days --seed");
  }
  if (db.empty() || skus < 1 || locations < 1 || locations > 20 || days < 56) {
    return Fail("--db is required; --skus >= 1, 1 <= --locations <= 20, --days >= 56");
  }
  auto opened = OpenSqliteStore(db);
  if (!opened.ok()) return Fail(opened.error().message);
  Store& store = **opened;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u01(0.0, 1.0);

  const Date start = *Date::FromYmd(2024, 1, 1);
  std::vector<Supplier> suppliers;
  for (int s = 0; s < 40; ++s) {
    Supplier x;
    x.id = fmt::format("SUP-{:02d}", s + 1);
    x.name = x.id;
    x.lead_time_mean_days = 3 + std::floor(u01(rng) * 18);
    x.lead_time_sd_days = x.lead_time_mean_days * (0.1 + 0.2 * u01(rng));
    x.moq = s % 3 == 0 ? 50 : 0;
    x.case_pack = s % 4 == 0 ? 12 : 1;
    x.order_cost = 20 + std::floor(u01(rng) * 80);
    suppliers.push_back(x);
  }
  std::vector<Location> locs;
  std::vector<SeriesKey> keys;
  for (int l = 0; l < locations; ++l) {
    Location x;
    x.id = fmt::format("WH-{}", l + 1);
    x.name = x.id;
    locs.push_back(x);
  }
  const char* categories[] = {"apparel", "beauty", "electronics", "home", "food", "toys"};
  std::vector<Product> products;
  for (int k = 0; k < skus; ++k) {
    Product p;
    p.sku = fmt::format("SKU-{:06d}", k + 1);
    p.name = p.sku;
    p.category = categories[k % 6];
    p.supplier_id = suppliers[static_cast<size_t>(k % 40)].id;
    p.unit_cost = std::round(std::exp(std::log(2.0) + u01(rng) * std::log(150.0)) * 100) / 100;
    p.price = std::round(p.unit_cost * (1.3 + u01(rng)) * 100) / 100;
    products.push_back(p);
    for (const Location& l : locs) keys.push_back({p.sku, l.id});
  }
  if (auto st = store.UpsertSuppliers(suppliers); !st.ok()) return Fail(st.error().message);
  if (auto st = store.UpsertLocations(locs); !st.ok()) return Fail(st.error().message);
  if (auto st = store.UpsertProducts(products); !st.ok()) return Fail(st.error().message);

  DemandPanel panel(start, days, keys);
  std::vector<StockSnapshot> snapshots;
  std::vector<Receipt> receipts;
  double weekly[7];
  for (size_t s = 0; s < keys.size(); ++s) {
    const double level = std::exp(std::log(0.05) + u01(rng) * std::log(60.0 / 0.05));
    for (double& w : weekly) w = 0.7 + 0.6 * u01(rng);
    const double wave = 0.3 * u01(rng), trend = (u01(rng) - 0.5) * 0.6 / days;
    const double size = 2.0 + level;
    auto demand = panel.column(PanelColumn::kDemand, s);
    auto raw = panel.column(PanelColumn::kRawDemand, s);
    auto price = panel.column(PanelColumn::kPrice, s);
    const double list = products[s / static_cast<size_t>(locations)].price;
    double recent = 0;
    for (int t = 0; t < days; ++t) {
      const double mu = std::max(0.0, level * weekly[t % 7] *
                                          (1 + wave * std::sin(6.283185307 * t / 365.25)) *
                                          (1 + trend * t));
      std::gamma_distribution<double> g(size, mu / size);
      const double lambda = mu > 0 ? g(rng) : 0.0;
      std::poisson_distribution<int> pois(std::max(lambda, 1e-12));
      const float y = static_cast<float>(lambda > 0 ? pois(rng) : 0);
      demand[static_cast<size_t>(t)] = y;
      raw[static_cast<size_t>(t)] = y;
      if (y > 0) price[static_cast<size_t>(t)] = static_cast<float>(list);
      if (t >= days - 28) recent += mu;
    }
    const double daily = recent / 28;
    StockSnapshot snap;
    snap.date = start + (days - 1);
    snap.sku = keys[s].sku;
    snap.location = keys[s].location;
    snap.on_hand = std::round(daily * 40 * u01(rng));
    snapshots.push_back(snap);
    if (s % 10 == 0) {
      Receipt r;
      r.po_id = fmt::format("PO-{}", s);
      r.sku = keys[s].sku;
      r.location = keys[s].location;
      r.supplier_id = products[s / static_cast<size_t>(locations)].supplier_id;
      r.quantity = std::max(1.0, std::round(daily * 14));
      r.order_date = start + (days - 5);
      r.date = start + (days + 4);
      r.status = ReceiptStatus::kOpen;
      receipts.push_back(r);
    }
  }
  auto run = store.StartRun("import", R"({"source":"stockcast_make_store"})");
  if (!run.ok()) return Fail(run.error().message);
  if (auto st = store.SavePanel(panel); !st.ok()) return Fail(st.error().message);
  if (auto st = store.UpsertSnapshots(snapshots); !st.ok()) return Fail(st.error().message);
  if (auto st = store.UpsertReceipts(receipts); !st.ok()) return Fail(st.error().message);
  if (auto st = store.RebuildStockLevels(); !st.ok()) return Fail(st.error().message);
  if (auto st = store.FinishRun(*run, "ok", "{}"); !st.ok()) return Fail(st.error().message);
  std::printf("%s: %d SKUs x %d locations = %zu series, %d days\n", db.c_str(), skus, locations,
              keys.size(), days);
  return 0;
}
