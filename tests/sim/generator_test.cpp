#include "stockcast/sim/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "test_util.h"

namespace stockcast::sim {
namespace {

using OrderRow = GeneratedData::OrderRow;
using SeriesId = std::pair<std::string, std::string>;  // sku, location

// One default-options dataset shared by the read-only tests (generation takes a moment under
// the sanitizers).
const GeneratedData& Default() {
  static const GeneratedData data = [] {
    auto r = Generate(GeneratorOptions{});
    EXPECT_TRUE(r.ok()) << Describe(r.error());
    return std::move(r).value();
  }();
  return data;
}

std::tuple<std::string, std::string, double, double, int32_t, std::string, std::string, int32_t>
RowKey(const OrderRow& r) {
  return {r.order_id,    r.sku,      r.quantity,    r.unit_price,
          r.date.days(), r.location, r.customer_id, r.seconds};
}

// Order lines minus exact duplicates (second and later copies of a byte-identical line).
std::vector<const OrderRow*> Deduplicated(const std::vector<OrderRow>& orders,
                                          size_t* duplicates = nullptr) {
  std::set<decltype(RowKey(orders[0]))> seen;
  std::vector<const OrderRow*> out;
  size_t dup = 0;
  for (const OrderRow& r : orders) {
    if (seen.insert(RowKey(r)).second) {
      out.push_back(&r);
    } else {
      ++dup;
    }
  }
  if (duplicates) *duplicates = dup;
  return out;
}

struct ClassStats {
  double adi = 0, cv2 = 0;
};

// Syntetos-Boylan statistics of a daily series: ADI = days / demand days, CV^2 of the non-zero
// demand sizes.
ClassStats Classify(const std::vector<double>& y) {
  double n = 0, sum = 0, sum2 = 0;
  for (double v : y) {
    if (v > 0) {
      n += 1;
      sum += v;
      sum2 += v * v;
    }
  }
  ClassStats s;
  if (n == 0) return {1e9, 0};
  s.adi = static_cast<double>(y.size()) / n;
  const double mean = sum / n;
  s.cv2 = (sum2 / n - mean * mean) / (mean * mean);
  return s;
}

DemandClass ClassOf(const ClassStats& s) {
  const bool intermittent = s.adi >= 1.32, variable = s.cv2 >= 0.49;
  if (!intermittent) return variable ? DemandClass::kErratic : DemandClass::kSmooth;
  return variable ? DemandClass::kLumpy : DemandClass::kIntermittent;
}

std::map<SeriesId, std::vector<const GeneratedData::DemandRow*>> DemandBySeries(
    const GeneratedData& d) {
  std::map<SeriesId, std::vector<const GeneratedData::DemandRow*>> m;
  for (const auto& r : d.true_demand) m[{r.sku, r.location}].push_back(&r);
  return m;
}

double Correlation(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

TEST(GeneratorTest, SameSeedGivesIdenticalData) {
  GeneratorOptions o;
  o.num_skus = 8;
  o.num_days = 200;
  auto a = Generate(o);
  auto b = Generate(o);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->orders.size(), b->orders.size());
  for (size_t i = 0; i < a->orders.size(); ++i) {
    ASSERT_EQ(RowKey(a->orders[i]), RowKey(b->orders[i])) << "order line " << i;
  }
  ASSERT_EQ(a->true_demand.size(), b->true_demand.size());
  for (size_t i = 0; i < a->true_demand.size(); ++i) {
    ASSERT_EQ(a->true_demand[i].demand, b->true_demand[i].demand);
    ASSERT_EQ(a->true_demand[i].sales, b->true_demand[i].sales);
  }
  ASSERT_EQ(a->receipts.size(), b->receipts.size());
  ASSERT_EQ(a->snapshots.size(), b->snapshots.size());
  for (size_t i = 0; i < a->snapshots.size(); ++i) {
    ASSERT_EQ(a->snapshots[i].on_hand, b->snapshots[i].on_hand);
  }
  // Byte-identical files too.
  const auto da = testing::TempDir("gen-same-a"), db = testing::TempDir("gen-same-b");
  ASSERT_TRUE(WriteDataset(*a, da.string()).ok());
  ASSERT_TRUE(WriteDataset(*b, db.string()).ok());
  for (const char* f : {"orders.csv", "products.csv", "stock_snapshots.csv", "receipts.csv",
                        "cart_adds.csv", "promotions.csv", "true_demand.csv"}) {
    EXPECT_EQ(testing::ReadFile(da / f), testing::ReadFile(db / f)) << f;
  }
  std::filesystem::remove_all(da);
  std::filesystem::remove_all(db);
}

TEST(GeneratorTest, DifferentSeedGivesDifferentData) {
  GeneratorOptions o;
  o.num_skus = 8;
  o.num_days = 200;
  auto a = Generate(o);
  o.seed = 43;
  auto b = Generate(o);
  ASSERT_TRUE(a.ok() && b.ok());
  size_t differing = 0, common = std::min(a->true_demand.size(), b->true_demand.size());
  for (size_t i = 0; i < common; ++i) {
    differing += a->true_demand[i].demand != b->true_demand[i].demand;
  }
  EXPECT_GT(differing, common / 4);
  EXPECT_NE(a->orders.size(), b->orders.size());
}

TEST(GeneratorTest, MasterDataLooksLikeTheSpec) {
  const GeneratedData& d = Default();
  ASSERT_EQ(d.products.size(), 40u);
  EXPECT_EQ(d.products[0].sku, "SKU-0001");
  EXPECT_EQ(d.products[39].sku, "SKU-0040");
  ASSERT_EQ(d.locations.size(), 2u);
  EXPECT_EQ(d.locations[0].id, "WH-SH");
  EXPECT_EQ(d.locations[1].id, "WH-GZ");
  ASSERT_EQ(d.suppliers.size(), 4u);
  std::set<std::string> supplier_ids;
  for (const Supplier& s : d.suppliers) {
    EXPECT_TRUE(s.Validate().ok());
    EXPECT_GE(s.lead_time_mean_days, 5.0);
    EXPECT_LE(s.lead_time_mean_days, 20.0);
    EXPECT_GT(s.lead_time_sd_days, 0.0);
    supplier_ids.insert(s.id);
  }
  std::set<std::string> categories;
  bool has_comma = false, has_quote = false, has_chinese = false;
  for (const Product& p : d.products) {
    EXPECT_TRUE(p.Validate().ok());
    EXPECT_TRUE(supplier_ids.count(p.supplier_id)) << p.sku;
    EXPECT_GT(p.price, p.unit_cost) << p.sku;
    categories.insert(p.category);
    has_comma |= p.name.find(',') != std::string::npos;
    has_quote |= p.name.find('"') != std::string::npos;
    has_chinese |= static_cast<unsigned char>(p.name[0]) >= 0xE0;
    if (p.category == "food") {
      EXPECT_GT(p.shelf_life_days, 0) << p.sku;
    }
  }
  EXPECT_EQ(categories.size(), 5u);
  EXPECT_TRUE(has_comma && has_quote && has_chinese);
  for (const Location& l : d.locations) EXPECT_GT(l.capacity_units, 0.0);
}

TEST(GeneratorTest, AllDemandClassesPresentAndMostSeriesInTheirClass) {
  const GeneratedData& d = Default();
  std::map<DemandClass, int> intended;
  std::map<std::string, DemandClass> class_of;
  for (const SkuTruth& t : d.truth) {
    ++intended[t.demand_class];
    class_of[t.sku] = t.demand_class;
  }
  ASSERT_EQ(intended.size(), 4u);
  for (const auto& [c, count] : intended) EXPECT_EQ(count, 10) << ToString(c);

  int match = 0, total = 0;
  std::map<DemandClass, int> observed;
  for (const auto& [id, rows] : DemandBySeries(d)) {
    std::vector<double> y;
    for (const auto* r : rows) y.push_back(r->demand);
    const ClassStats s = Classify(y);
    const DemandClass c = ClassOf(s);
    ++observed[c];
    ++total;
    if (c == class_of[id.first]) {
      ++match;
    } else {
      std::printf("  %s@%s intended %s observed %s (ADI %.2f, CV2 %.2f)\n", id.first.c_str(),
                  id.second.c_str(), std::string(ToString(class_of[id.first])).c_str(),
                  std::string(ToString(c)).c_str(), s.adi, s.cv2);
    }
  }
  EXPECT_EQ(observed.size(), 4u);
  for (const auto& [c, count] : observed) EXPECT_GE(count, total / 8) << ToString(c);
  EXPECT_GE(match, total * 85 / 100) << match << " of " << total << " series in class";
}

TEST(GeneratorTest, SalesNeverExceedDemandAndSomeStockoutsOccur) {
  const GeneratedData& d = Default();
  size_t stockout_days = 0;
  std::map<SeriesId, size_t> per_series;
  for (const auto& r : d.true_demand) {
    ASSERT_LE(r.sales, r.demand) << r.sku << " " << r.date.ToString();
    ASSERT_GE(r.sales, 0);
    if (r.sales < r.demand) {
      ++stockout_days;
      ++per_series[{r.sku, r.location}];
    }
  }
  const double share = static_cast<double>(stockout_days) / d.true_demand.size();
  std::printf("  stockout days: %.2f%% of series-days, in %zu series\n", 100 * share,
              per_series.size());
  EXPECT_GT(share, 0.005);
  EXPECT_LT(share, 0.10);
  // Some SKUs run out much more often than the average.
  size_t worst = 0;
  for (const auto& [id, n] : per_series) worst = std::max(worst, n);
  EXPECT_GT(static_cast<double>(worst) / 730, 2 * share);
}

// The rule the importer uses to rebuild daily stock: between two snapshots of a series, stock
// moves by received receipts + returns - sales (duplicates and postage lines excluded).
TEST(GeneratorTest, SnapshotsReconcileWithMovements) {
  const GeneratedData& d = Default();
  std::map<SeriesId, std::map<int32_t, double>> delta;  // series -> day -> net movement
  for (const Receipt& r : d.receipts) {
    if (r.status == ReceiptStatus::kReceived)
      delta[{r.sku, r.location}][r.date.days()] += r.quantity;
  }
  size_t dups = 0;
  for (const OrderRow* r : Deduplicated(d.orders, &dups)) {
    if (r->sku == "POST") continue;
    delta[{r->sku, r->location}][r->date.days()] -= r->quantity;  // returns are negative lines
  }
  EXPECT_GT(dups, 0u);
  std::map<SeriesId, std::vector<const StockSnapshot*>> snaps;
  for (const StockSnapshot& s : d.snapshots) snaps[{s.sku, s.location}].push_back(&s);
  ASSERT_EQ(snaps.size(), 80u);
  size_t checked = 0;
  for (auto& [id, list] : snaps) {
    std::sort(list.begin(), list.end(),
              [](const auto* x, const auto* y) { return x->date < y->date; });
    const auto& moves = delta[id];
    for (size_t i = 1; i < list.size(); ++i) {
      double expect = list[i - 1]->on_hand;
      for (auto it = moves.upper_bound(list[i - 1]->date.days());
           it != moves.end() && it->first <= list[i]->date.days(); ++it) {
        expect += it->second;
      }
      ASSERT_EQ(list[i]->on_hand, expect)
          << id.first << "@" << id.second << " from " << list[i - 1]->date.ToString() << " to "
          << list[i]->date.ToString();
      ASSERT_GE(list[i]->on_hand, 0);
      ++checked;
    }
  }
  EXPECT_GT(checked, 7000u);
}

TEST(GeneratorTest, SnapshotsOnFirstDayEveryWeekAndLastDay) {
  const GeneratedData& d = Default();
  std::map<std::string, Date> launch;
  for (const SkuTruth& t : d.truth) launch[t.sku] = t.launch;
  std::map<SeriesId, std::vector<Date>> dates;
  for (const StockSnapshot& s : d.snapshots) dates[{s.sku, s.location}].push_back(s.date);
  const Date last = GeneratorOptions{}.start + 729;
  for (auto& [id, v] : dates) {
    std::sort(v.begin(), v.end());
    EXPECT_EQ(v.front(), launch[id.first]) << id.first;
    EXPECT_EQ(v.back(), last) << id.first;
    for (size_t i = 1; i + 1 < v.size(); ++i) EXPECT_EQ(v[i] - v[i - 1], 7) << id.first;
  }
}

TEST(GeneratorTest, DuplicatesPostageBulkAndReturnsAreInjected) {
  const GeneratedData& d = Default();
  size_t dups = 0;
  const auto lines = Deduplicated(d.orders, &dups);
  size_t post = 0, returns = 0, bulk = 0, sold_units = 0, returned_units = 0;
  std::set<std::string> order_ids, post_orders;
  std::map<std::string, std::set<std::string>> skus_per_order;
  for (const OrderRow* r : lines) {
    if (r->sku == "POST") {
      ++post;
      post_orders.insert(r->order_id);
      EXPECT_EQ(r->quantity, 1);
      EXPECT_LT(r->unit_price, 20);
      continue;
    }
    order_ids.insert(r->order_id);
    skus_per_order[r->order_id].insert(r->sku);
    if (r->quantity < 0) {
      ++returns;
      returned_units += static_cast<size_t>(-r->quantity);
    } else {
      sold_units += static_cast<size_t>(r->quantity);
      bulk += r->quantity >= 20;
    }
  }
  // Postage lines belong to orders that also hold products.
  for (const std::string& id : post_orders) EXPECT_TRUE(order_ids.count(id)) << id;
  size_t multi = 0;
  for (const auto& [id, skus] : skus_per_order) multi += skus.size() > 1;
  const double n = static_cast<double>(lines.size());
  std::printf("  lines %zu: dups %zu, post %zu, returns %zu, bulk %zu, multi-SKU orders %zu\n",
              lines.size(), dups, post, returns, bulk, multi);
  EXPECT_NEAR(dups / n, 0.002, 0.001);
  EXPECT_NEAR(post / n, 0.002, 0.001);
  EXPECT_GT(bulk, 10u);
  EXPECT_NEAR(static_cast<double>(returned_units) / sold_units, 0.03, 0.01);
  EXPECT_GT(multi, skus_per_order.size() / 10);
}

TEST(GeneratorTest, OrdersMatchSalesAndPromotionPrices) {
  const GeneratedData& d = Default();
  std::map<std::tuple<std::string, std::string, int32_t>, double> sold;
  for (const OrderRow* r : Deduplicated(d.orders)) {
    if (r->sku != "POST" && r->quantity > 0)
      sold[{r->sku, r->location, r->date.days()}] += r->quantity;
  }
  for (const auto& t : d.true_demand) {
    const auto it = sold.find({t.sku, t.location, t.date.days()});
    ASSERT_EQ(it == sold.end() ? 0.0 : it->second, t.sales) << t.sku << " " << t.date.ToString();
  }
  // unit_price = list price x (1 - discount) on promotion days.
  std::map<std::string, double> list_price;
  for (const Product& p : d.products) list_price[p.sku] = p.price;
  size_t discounted = 0;
  for (const OrderRow& r : d.orders) {
    if (r.sku == "POST") continue;
    double discount = 0;
    for (const Promotion& p : d.promotions) {
      if (p.sku == r.sku && (p.location.empty() || p.location == r.location) && p.start <= r.date &&
          r.date <= p.end) {
        discount = p.discount;
      }
    }
    if (r.quantity < 0) continue;  // returns carry the original sale's price
    ASSERT_NEAR(r.unit_price, std::round(list_price[r.sku] * (1 - discount) * 100) / 100, 1e-9)
        << r.order_id << " " << r.sku;
    discounted += discount > 0;
  }
  EXPECT_GT(discounted, 1000u);
  // Some promotions are planned in the four weeks after the history.
  const Date end = GeneratorOptions{}.start + 729;
  size_t planned = 0;
  for (const Promotion& p : d.promotions) planned += p.start > end && p.start <= end + 28;
  EXPECT_GE(planned, 5u);
}

TEST(GeneratorTest, SinglesDayDemandSpikesAfterADip) {
  const GeneratedData& d = Default();
  std::map<int32_t, double> demand, carts;
  for (const auto& r : d.true_demand) demand[r.date.days()] += r.demand;
  for (const auto& c : d.cart_adds) carts[c.date.days()] += c.cart_adds;
  for (int year : {2024, 2025}) {
    const Date day = *Date::FromYmd(year, 11, 11);
    double around = 0;
    int k = 0;
    for (int off = 15; off <= 35; ++off) {
      around += demand[(day - off).days()] + demand[(day + off).days()];
      k += 2;
    }
    around /= k;
    double before = 0, cart_before = 0, cart_around = 0;
    for (int off = 3; off <= 9; ++off) {
      before += demand[(day - off).days()] / 7;
      cart_before += carts[(day - off).days()] / 7;
    }
    for (int off = 15; off <= 35; ++off) cart_around += carts[(day - off).days()] / 21;
    std::printf("  %d: 11.11 %.0f, days before %.0f, around %.0f; carts before %.0f vs %.0f\n",
                year, demand[day.days()], before, around, cart_before, cart_around);
    EXPECT_GT(demand[day.days()], 2.5 * around) << year;
    EXPECT_LT(before, 0.9 * around) << year;
    EXPECT_GT(cart_before, 1.3 * cart_around) << year;
  }
}

TEST(GeneratorTest, SpringFestivalDipsDemand) {
  const GeneratedData& d = Default();
  std::map<int32_t, double> demand;
  for (const auto& r : d.true_demand) demand[r.date.days()] += r.demand;
  for (int year : {2024, 2025}) {
    const Date sf = *Calendar::SpringFestival(year);
    double during = 0, after = 0;
    for (int off = 0; off <= 5; ++off) during += demand[(sf + off).days()] / 6;
    for (int off = 20; off <= 40; ++off) after += demand[(sf + off).days()] / 21;
    EXPECT_LT(during, 0.7 * after) << year;
  }
}

TEST(GeneratorTest, CartAddsLeadSales) {
  const GeneratedData& d = Default();
  std::map<std::string, int> lead;
  for (const SkuTruth& t : d.truth) {
    lead[t.sku] = t.cart_lead_days;
    EXPECT_GE(t.cart_lead_days, 2);
    EXPECT_LE(t.cart_lead_days, 4);
  }
  std::map<SeriesId, std::vector<double>> sales, carts;
  for (const auto& r : d.true_demand) sales[{r.sku, r.location}].push_back(r.sales);
  for (const auto& c : d.cart_adds) carts[{c.sku, c.location}].push_back(c.cart_adds);
  int better = 0, total = 0;
  double sum_lagged = 0, sum_same = 0;
  for (const auto& [id, y] : sales) {
    const std::vector<double>& c = carts[id];
    ASSERT_EQ(c.size(), y.size());
    const int L = lead[id.first];
    const size_t m = y.size() - L;
    const std::vector<double> cx(c.begin(), c.begin() + m);
    const double lagged = Correlation(cx, std::vector<double>(y.begin() + L, y.end()));
    const double same = Correlation(cx, std::vector<double>(y.begin(), y.begin() + m));
    better += lagged > same;
    sum_lagged += lagged;
    sum_same += same;
    ++total;
  }
  std::printf("  mean corr lagged %.3f vs same day %.3f; lagged better in %d of %d\n",
              sum_lagged / total, sum_same / total, better, total);
  EXPECT_GE(better, total * 9 / 10);
  EXPECT_GT(sum_lagged, sum_same + 0.1 * total);
}

TEST(GeneratorTest, NothingBeforeLaunch) {
  const GeneratedData& d = Default();
  std::map<std::string, Date> launch;
  int launched_later = 0;
  for (const SkuTruth& t : d.truth) {
    launch[t.sku] = t.launch;
    launched_later += t.launch > GeneratorOptions{}.start;
  }
  EXPECT_EQ(launched_later, 6);  // 15% of 40
  for (const OrderRow& r : d.orders) {
    if (r.sku != "POST") {
      ASSERT_GE(r.date, launch[r.sku]) << r.sku;
    }
  }
  for (const StockSnapshot& s : d.snapshots) ASSERT_GE(s.date, launch[s.sku]) << s.sku;
  for (const Receipt& r : d.receipts) ASSERT_GE(r.date, launch[r.sku]) << r.sku;
  for (const auto& r : d.true_demand) ASSERT_GE(r.date, launch[r.sku]) << r.sku;
  for (const CartAdds& c : d.cart_adds) ASSERT_GE(c.date, launch[c.sku]) << c.sku;
}

TEST(GeneratorTest, NoReceiptDuringSupplierShutdownAndLeadTimesVary) {
  const GeneratedData& d = Default();
  const Calendar calendar;
  size_t open = 0, received = 0, after_shutdown = 0;
  const Date end = GeneratorOptions{}.start + 729;
  std::map<std::string, std::vector<int>> leads;
  std::map<std::string, std::string> supplier_of;
  for (const Product& p : d.products) supplier_of[p.sku] = p.supplier_id;
  for (const Receipt& r : d.receipts) {
    ASSERT_FALSE(calendar.Has(r.date, kEventSupplierShutdown))
        << r.po_id << " " << r.sku << " arrives " << r.date.ToString();
    ASSERT_TRUE(r.order_date.has_value());
    ASSERT_GT(r.date, *r.order_date);
    EXPECT_EQ(r.supplier_id, supplier_of[r.sku]);
    if (r.status == ReceiptStatus::kOpen) {
      ++open;
      EXPECT_GT(r.date, end);
    } else {
      ++received;
      EXPECT_LE(r.date, end);
      leads[r.supplier_id].push_back(r.date - *r.order_date);
      after_shutdown += calendar.Has(r.date - 1, kEventSupplierShutdown);
    }
  }
  EXPECT_GT(open, 0u);
  EXPECT_GT(received, 100u);
  EXPECT_GT(after_shutdown, 0u);  // arrivals were pushed to the first day after the shutdown
  for (const auto& [sup, v] : leads) {
    EXPECT_GT(*std::max_element(v.begin(), v.end()), *std::min_element(v.begin(), v.end())) << sup;
  }
}

TEST(GeneratorTest, ValidateRejectsBadOptionsNamingFieldAndRule) {
  struct Case {
    void (*mutate)(GeneratorOptions&);
    const char* message;
  };
  const Case cases[] = {
      {[](GeneratorOptions& o) { o.num_days = 0; }, "GeneratorOptions.num_days = 0; must be >= 28"},
      {[](GeneratorOptions& o) { o.num_skus = 0; }, "GeneratorOptions.num_skus = 0; must be >= 1"},
      {[](GeneratorOptions& o) { o.num_skus = 1000000; },
       "GeneratorOptions.num_skus = 1000000; must be <= 999999"},
      {[](GeneratorOptions& o) { o.num_locations = 11; },
       "GeneratorOptions.num_locations = 11; must be <= 10"},
      {[](GeneratorOptions& o) { o.num_suppliers = 0; },
       "GeneratorOptions.num_suppliers = 0; must be >= 1"},
      {[](GeneratorOptions& o) { o.snapshot_every_days = 0; },
       "GeneratorOptions.snapshot_every_days = 0; must be >= 1"},
      {[](GeneratorOptions& o) { o.duplicate_fraction = -0.1; },
       "GeneratorOptions.duplicate_fraction = -0.1; must be in [0, 1]"},
      {[](GeneratorOptions& o) { o.return_rate = 1; },
       "GeneratorOptions.return_rate = 1; must be in [0, 1)"},
      {[](GeneratorOptions& o) { o.new_product_fraction = std::nan(""); },
       "GeneratorOptions.new_product_fraction = nan; must be in [0, 1]"},
  };
  for (const Case& c : cases) {
    GeneratorOptions o;
    c.mutate(o);
    const Status s = o.Validate();
    ASSERT_FALSE(s.ok()) << c.message;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(s.error().message, c.message);
    auto r = Generate(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, c.message);
  }
  EXPECT_TRUE(GeneratorOptions{}.Validate().ok());
}

TEST(GeneratorTest, SmallAndOddOptionsWork) {
  GeneratorOptions o;
  o.num_skus = 3;
  o.num_locations = 5;
  o.num_suppliers = 9;
  o.num_days = 28;
  o.snapshot_every_days = 10;
  o.new_product_fraction = 0.5;
  o.return_rate = 0;
  o.duplicate_fraction = 0;
  o.postage_fraction = 1;
  o.region = Region::kUS;
  o.start = *Date::FromYmd(2030, 1, 20);
  auto r = Generate(o);
  ASSERT_TRUE(r.ok()) << Describe(r.error());
  EXPECT_EQ(r->locations.size(), 5u);
  EXPECT_EQ(r->suppliers.size(), 9u);
  for (const OrderRow& row : r->orders) EXPECT_GE(row.quantity, row.sku == "POST" ? 1 : 1);
  std::set<std::string> orders_with_post, orders;
  for (const OrderRow& row : r->orders) {
    (row.sku == "POST" ? orders_with_post : orders).insert(row.order_id);
  }
  EXPECT_EQ(orders_with_post, orders);  // postage_fraction = 1: every order pays postage
}


TEST(GeneratorTest, WriteDatasetWritesDocumentedFiles) {
  GeneratorOptions o;
  o.num_skus = 10;
  o.num_days = 120;
  auto r = Generate(o);
  ASSERT_TRUE(r.ok());
  const auto dir = testing::TempDir("gen-write") / "nested" / "out";
  ASSERT_TRUE(WriteDataset(*r, dir.string()).ok());
  const std::map<std::string, std::string> headers = {
      {"orders.csv", "order_id,sku,quantity,unit_price,timestamp,location,customer_id"},
      {"products.csv",
       "sku,name,category,supplier_id,unit_cost,price,shelf_life_days,allow_backorder"},
      {"suppliers.csv",
       "supplier_id,name,lead_time_mean_days,lead_time_sd_days,moq,case_pack,unit_cost,"
       "order_cost"},
      {"locations.csv", "location_id,name,capacity_units"},
      {"stock_snapshots.csv", "date,sku,location,on_hand"},
      {"receipts.csv", "po_id,sku,location,supplier_id,quantity,order_date,date,status"},
      {"cart_adds.csv", "date,sku,location,cart_adds"},
      {"promotions.csv", "sku,location,start_date,end_date,discount"},
      {"true_demand.csv", "date,sku,location,demand,sales"},
  };
  const std::map<std::string, size_t> expected_rows = {
      {"orders.csv", r->orders.size()},
      {"products.csv", r->products.size()},
      {"suppliers.csv", r->suppliers.size()},
      {"locations.csv", r->locations.size()},
      {"stock_snapshots.csv", r->snapshots.size()},
      {"receipts.csv", r->receipts.size()},
      {"cart_adds.csv", r->cart_adds.size()},
      {"promotions.csv", r->promotions.size()},
      {"true_demand.csv", r->true_demand.size()},
  };
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_TRUE(headers.count(entry.path().filename().string())) << entry.path();
  }
  EXPECT_EQ(files, headers.size());
  for (const auto& [name, header] : headers) {
    const std::string text = testing::ReadFile(dir / name);
    ASSERT_FALSE(text.empty()) << name;
    EXPECT_EQ(text.substr(0, text.find('\n')), header) << name;
    const auto rows = testing::ParseCsv(text);
    ASSERT_EQ(rows.size(), expected_rows.at(name) + 1) << name;
    for (size_t i = 1; i < rows.size(); ++i) {
      ASSERT_EQ(rows[i].size(), rows[0].size()) << name << " row " << i;
    }
  }
  // Field contents round-trip: names with commas and quotes, timestamps, numbers.
  const auto products = testing::ParseCsv(testing::ReadFile(dir / "products.csv"));
  for (size_t i = 0; i < r->products.size(); ++i) {
    EXPECT_EQ(products[i + 1][0], r->products[i].sku);
    EXPECT_EQ(products[i + 1][1], r->products[i].name);
    EXPECT_EQ(std::stod(products[i + 1][5]), r->products[i].price);
  }
  const auto orders = testing::ParseCsv(testing::ReadFile(dir / "orders.csv"));
  for (size_t i = 1; i < orders.size(); ++i) {
    const auto ts = ParseTimestamp(orders[i][4]);
    ASSERT_TRUE(ts.has_value()) << orders[i][4];
    ASSERT_EQ(orders[i][4].size(), 19u) << orders[i][4];
    const OrderRow& row = r->orders[i - 1];
    ASSERT_EQ(ts->date, row.date);
    ASSERT_EQ(ts->seconds, row.seconds);
    ASSERT_EQ(std::stod(orders[i][2]), row.quantity);
    ASSERT_NEAR(std::stod(orders[i][3]), row.unit_price, 1e-9);
    ASSERT_EQ(orders[i][0], row.order_id);
  }
  const auto receipts = testing::ParseCsv(testing::ReadFile(dir / "receipts.csv"));
  std::set<std::string> statuses;
  for (size_t i = 1; i < receipts.size(); ++i) {
    statuses.insert(receipts[i][7]);
    EXPECT_TRUE(Date::Parse(receipts[i][5]).has_value()) << receipts[i][5];
    EXPECT_TRUE(Date::Parse(receipts[i][6]).has_value()) << receipts[i][6];
  }
  EXPECT_EQ(statuses, (std::set<std::string>{"open", "received"}));
  std::filesystem::remove_all(dir.parent_path().parent_path());
}

TEST(GeneratorTest, WriteDatasetReportsUnwritableDirectory) {
  const auto dir = testing::TempDir("gen-bad");
  const std::string file = testing::WriteFile(dir / "plain-file", "x");
  const Status s = WriteDataset(Default(), file + "/sub");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(file + "/sub"), std::string::npos) << s.error().message;
  std::filesystem::remove_all(dir);
}

TEST(GeneratorTest, ProgressIsReportedUpToOne) {
  GeneratorOptions o;
  o.num_skus = 4;
  o.num_days = 60;
  double last = -1;
  bool monotone = true;
  auto r = Generate(o, [&](std::string_view stage, double f) {
    EXPECT_EQ(stage, "generate");
    monotone &= f >= last;
    last = f;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(monotone);
  EXPECT_EQ(last, 1.0);
}

TEST(DemandClassTest, RoundTripsThroughText) {
  for (DemandClass c : {DemandClass::kSmooth, DemandClass::kErratic, DemandClass::kIntermittent,
                        DemandClass::kLumpy}) {
    EXPECT_EQ(ParseDemandClass(ToString(c)), c);
  }
  EXPECT_FALSE(ParseDemandClass("bursty").has_value());
}

}  // namespace
}  // namespace stockcast::sim
