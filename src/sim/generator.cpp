#include "stockcast/sim/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <system_error>
#include <tuple>
#include <utility>

#include "stockcast/io/csv_writer.h"
#include "stockcast/sim/random.h"

namespace stockcast::sim {
namespace {

// ---------------------------------------------------------------------------------------------
// Master-data tables.

enum Category { kElectronics, kApparel, kHome, kBeauty, kFood, kNumCategories };

struct CategoryInfo {
  const char* name;
  double price_lo, price_hi;    // list price range (CNY)
  double elasticity;            // typical price elasticity of demand
  double yearly_amplitude;      // yearly seasonality, peak early December
  double festival_sensitivity;  // scales the festival uplift
  int shelf_life_days;          // 0 = does not expire
  std::array<const char*, 8> names;
};

// Some names hold commas and double quotes on purpose: they exercise CSV quoting.
// clang-format off
const std::array<CategoryInfo, kNumCategories> kCategories = {{
    {"electronics", 49, 999, 1.6, 0.15, 1.2, 0,
     {"无线耳机 Wireless Earbuds", "蓝牙音箱 Bluetooth Speaker", "充电宝 Power Bank 20000mAh",
      "快充充电器 Charger, 65W \"GaN\"", "智能手环 Smart Band", "机械键盘 Mechanical Keyboard",
      "数据线 USB-C Cable, 2m", "无线鼠标 Wireless Mouse"}},
    {"apparel", 39, 599, 2.0, 0.25, 1.0, 0,
     {"纯棉T恤 Cotton T-Shirt", "羽绒服 Down Jacket", "跑步鞋 Running Shoes",
      "牛仔裤 Jeans, Slim \"Fit\"", "羊毛围巾 Wool Scarf", "防晒衣 Sun-Protection Jacket",
      "袜子 Socks, 5 Pairs", "棒球帽 Baseball Cap"}},
    {"home", 29, 499, 1.4, 0.12, 0.9, 0,
     {"保温杯 Vacuum Flask 500ml", "四件套 Bedding Set, 4 pcs", "收纳盒 Storage Box",
      "不粘锅 Non-Stick Pan 28cm", "空气炸锅 Air Fryer", "香薰蜡烛 Scented Candle \"Calm\"",
      "毛巾 Towels, Pack of 3", "台灯 LED Desk Lamp"}},
    {"beauty", 19, 399, 1.8, 0.10, 1.1, 1095,
     {"面膜 Sheet Mask, 10 pcs", "口红 Lipstick \"Rouge\" #999", "防晒霜 Sunscreen SPF50+",
      "洗面奶 Facial Cleanser", "精华液 Serum 30ml", "护手霜 Hand Cream",
      "洗发水 Shampoo 500ml", "眼影盘 Eyeshadow Palette"}},
    {"food", 15, 199, 1.1, 0.15, 0.7, 270,
     {"坚果礼盒 Mixed Nuts Gift Box", "绿茶 Green Tea 250g", "咖啡豆 Coffee Beans, 1kg",
      "牛肉干 Beef Jerky", "月饼 Mooncakes, 6 pcs", "燕麦片 Oatmeal 1kg", "蜂蜜 Honey 500g",
      "巧克力 Chocolate \"Dark\" 70%"}},
}};
// clang-format on

const std::array<const char*, 8> kSupplierNames = {
    "深圳华强电子有限公司 Shenzhen Huaqiang Electronics Co., Ltd.",
    "广州白云服饰 Guangzhou Baiyun Apparel",
    "宁波家居用品 Ningbo Home Goods, Inc.",
    "杭州美妆供应链 Hangzhou \"Beauty\" Supply Chain",
    "云南农产品 Yunnan Agri Foods",
    "义乌小商品贸易 Yiwu Trading Co.",
    "东莞精密制造 Dongguan Precision Manufacturing",
    "苏州纺织 Suzhou Textiles",
};

struct LocationInfo {
  const char* id;
  const char* name;
};
constexpr int kMaxLocations = 10;
const std::array<LocationInfo, kMaxLocations> kLocations = {{
    {"WH-SH", "上海仓 Shanghai DC"},
    {"WH-GZ", "广州仓 Guangzhou DC"},
    {"WH-BJ", "北京仓 Beijing DC"},
    {"WH-CD", "成都仓 Chengdu DC"},
    {"WH-WH", "武汉仓 Wuhan DC"},
    {"WH-XA", "西安仓 Xi'an DC"},
    {"WH-SY", "沈阳仓 Shenyang DC"},
    {"WH-HZ", "杭州仓 Hangzhou DC"},
    {"WH-TJ", "天津仓 Tianjin DC"},
    {"WH-CQ", "重庆仓 Chongqing DC"},
}};

constexpr int kMaxSkus = 999999;  // "SKU-0001" .. "SKU-9999", then "SKU-000001" .. "SKU-999999"
constexpr int kMaxSuppliers = 99;
constexpr int kMinDays = 28;
constexpr int kMaxDays = 20000;
constexpr int kPlannedPromoDays = 28;  // promotions are planned this far past the history
constexpr int kMaxCartLead = 4;        // demand is simulated this far past the end for cart adds
constexpr int kArrivalSlack = 400;     // days past the end for which shutdowns are tabulated

// Intraday order profile (share of orders by hour, China e-commerce: lunch and late evening).
constexpr std::array<double, 24> kHourWeights = {3.0, 1.5, 0.8, 0.5, 0.4, 0.5, 1.0, 2.0,
                                                 3.5, 5.0, 6.5, 6.5, 5.5, 5.5, 6.0, 6.0,
                                                 5.5, 5.0, 5.0, 6.0, 7.5, 8.5, 7.5, 5.0};
// Weekly profile before per-SKU strength (Monday first): weekends sell more.
constexpr std::array<double, 7> kWeekly = {0.96, 0.95, 0.97, 0.98, 1.00, 1.07, 1.07};
constexpr std::array<double, 5> kPostagePrices = {6, 8, 10, 12, 15};

double Round2(double x) { return std::round(x * 100.0) / 100.0; }

// ---------------------------------------------------------------------------------------------
// Per-day effects shared by every series.

struct DayEffects {
  std::vector<int> weekday;
  std::vector<double> yearly;          // cos(2 pi (doy - 335) / 365.25): +1 early December
  std::vector<double> festival;        // uplift (1 = none) before category sensitivity
  std::vector<double> cart_boost;      // extra add-to-cart interest ahead of a festival
  std::vector<double> spring;          // consumer demand around Spring Festival
  std::vector<double> spring_food;     // food: New Year gift buying, then the holiday dip
  std::vector<uint8_t> midnight_rush;  // festival days: orders pile up right after midnight
  std::vector<uint8_t> shutdown;       // supplier shutdown, indexed up to num_days + kArrivalSlack
};

DayEffects BuildDayEffects(const GeneratorOptions& o, const Calendar& calendar, int horizon) {
  DayEffects e;
  e.weekday.resize(horizon);
  e.yearly.resize(horizon);
  e.festival.assign(horizon, 1.0);
  e.cart_boost.assign(horizon, 1.0);
  e.spring.assign(horizon, 1.0);
  e.spring_food.assign(horizon, 1.0);
  e.midnight_rush.assign(horizon, 0);
  const bool western = o.region == Region::kUS || o.region == Region::kUK;
  const bool chinese_new_year = o.region == Region::kCN || o.region == Region::kNone;
  for (int t = 0; t < horizon; ++t) {
    const Date d = o.start + t;
    int y, m, day;
    d.Ymd(&y, &m, &day);
    e.weekday[t] = d.weekday();
    e.yearly[t] = std::cos(2.0 * std::numbers::pi * (d.day_of_year() - 335) / 365.25);
    const uint32_t ev = calendar.EventsOn(d);
    double f = 1.0, cart = 1.0;
    if (!western) {
      // Double 11: shoppers hold back in the ten days before (sales dip) while filling their
      // carts, then buy at midnight on the day.
      if (ev & kEventSinglesDay) f = 4.0;
      if (m == 11 && day >= 1 && day <= 10) {
        f = 0.9 - 0.03 * day;
        cart = 1.0 + 0.25 * day;
      }
      if (m == 11 && day == 12) f = 1.6;
      if (m == 11 && day == 13) f = 1.2;
      if (ev & kEvent618) f = 2.5;
      if (m == 6 && day >= 10 && day <= 17) {
        f = 0.9;
        cart = 1.0 + 0.15 * (day - 9);
      }
      if (m == 6 && day == 19) f = 1.3;
      if (ev & kEventBlackFriday) f = std::max(f, 1.8);
      if (ev & kEventCyberMonday) f = std::max(f, 1.4);
      if (ev & kEventDouble12) f = std::max(f, 1.8);
      if (ev & (kEventSinglesDay | kEvent618)) e.midnight_rush[t] = 1;
    } else {
      if (ev & kEventBlackFriday) f = 3.0;
      if (ev & kEventCyberMonday) f = 2.2;
      if (ev & kEventSinglesDay) f = 1.2;
      const Date bf = Calendar::BlackFriday(y);
      const int to_bf = bf - d;
      if (to_bf >= 1 && to_bf <= 7) {
        f = 0.92;
        cart = 1.0 + 0.2 * (8 - to_bf);
      }
      if (to_bf == -1 || to_bf == -2) f = 1.5;  // the weekend after Black Friday
    }
    e.festival[t] = f;
    e.cart_boost[t] = cart;
    if (chinese_new_year) {
      for (int yy : {y - 1, y, y + 1}) {
        const auto sf = Calendar::SpringFestival(yy);
        if (!sf) continue;
        const int off = d - *sf;
        if (off >= -2 && off <= 6) {
          e.spring[t] = 0.45;  // couriers and shoppers on holiday
          e.spring_food[t] = 0.5;
        } else if ((off >= -9 && off <= -3) || (off >= 7 && off <= 12)) {
          e.spring[t] = 0.8;
        }
        if (off >= -25 && off <= -3) e.spring_food[t] = 1.35;  // New Year gift boxes
      }
    }
  }
  const int slack = o.num_days + kArrivalSlack;
  e.shutdown.resize(slack);
  for (int t = 0; t < slack; ++t) {
    e.shutdown[t] = calendar.Has(o.start + t, kEventSupplierShutdown) ? 1 : 0;
  }
  return e;
}

// ---------------------------------------------------------------------------------------------
// SKUs and series.

struct SkuSpec {
  int category = 0;
  DemandClass cls = DemandClass::kSmooth;
  int launch = 0;         // day index of the first day on sale
  double level = 0;       // smooth/erratic: mean units per day (all locations)
  double occurrence = 1;  // probability of a demand day (erratic; base for intermittent/lumpy)
  double size_mean = 0;   // intermittent/lumpy: mean extra units on a demand day
  double nb_size = 0;     // erratic/lumpy: negative-binomial size (smaller = more erratic)
  double growth = 0;      // log growth per year
  double weekly_strength = 1;
  double yearly_amplitude = 0;
  double festival_sensitivity = 1;
  double elasticity = 1.5;
  int cart_lead = 3;
  double cart_conversion = 4;  // cart adds per unit of demand
  int supplier = 0;
};

struct PromoSpec {
  int location;    // -1 = all
  int start, end;  // day indices, inclusive
  double discount;
};

struct ReturnEvent {
  int sale_day, return_day;
  int32_t quantity;
};

struct PoLine {
  int order_day, arrival_day;
  int32_t quantity;
};

struct Series {
  int sku = 0, location = 0;
  double share = 1;              // this location's share of the SKU's demand
  std::vector<int32_t> demand;   // num_days + kMaxCartLead
  std::vector<float> expected;   // expected demand, same length
  std::vector<int32_t> bulk;     // bulk-order quantity included in demand (0 = none)
  std::vector<double> discount;  // promotion discount by day
  std::vector<int32_t> sales, on_hand, returned_in, cart;
  std::vector<ReturnEvent> returns;  // in sale-day order
  std::vector<PoLine> pos;
};

// Expected demand multiplier of one SKU x location on day t, apart from its level.
double Multiplier(const SkuSpec& k, const DayEffects& e, const Series& s, int t, double years) {
  double m = 1.0 + k.weekly_strength * (kWeekly[e.weekday[t]] - 1.0);
  m *= 1.0 + k.yearly_amplitude * e.yearly[t];
  m *= std::exp(k.growth * years);
  if (t >= k.launch) {
    // New products ramp up over their first weeks.
    const int age = t - k.launch;
    if (k.launch > 0) m *= 1.0 - 0.5 * std::exp(-age / 14.0);
  }
  if (t < static_cast<int>(s.discount.size()) && s.discount[t] > 0) {
    m *= std::pow(1.0 - s.discount[t], -k.elasticity);
  }
  m *= 1.0 + k.festival_sensitivity * (e.festival[t] - 1.0);
  m *= k.category == kFood ? e.spring_food[t] : e.spring[t];
  return m;
}

// Draws one day's true demand of a series; returns the expected value in *expected.
int32_t DrawDemand(const SkuSpec& k, double mult, double share_scale, Rng& rng, double* expected) {
  switch (k.cls) {
    case DemandClass::kSmooth: {
      const double mean = std::max(5.0, k.level * share_scale) * mult;
      *expected = mean;
      return static_cast<int32_t>(rng.Poisson(mean));
    }
    case DemandClass::kErratic: {
      const double mean = std::max(4.0, k.level * share_scale) * mult;
      const double extra = std::max(0.05, mean / k.occurrence - 1.0);
      *expected = k.occurrence * (1.0 + extra);
      if (!rng.Bernoulli(k.occurrence)) return 0;
      return 1 + static_cast<int32_t>(rng.NegativeBinomial(extra, k.nb_size));
    }
    case DemandClass::kIntermittent:
    case DemandClass::kLumpy: {
      // The calendar moves how often the item sells more than how much: sizes stay in class.
      const double p = std::clamp(k.occurrence * share_scale * mult, 0.0, 0.9);
      const double size = k.size_mean * std::sqrt(std::max(mult, 0.25));
      *expected = p * (1.0 + size);
      if (!rng.Bernoulli(p)) return 0;
      if (k.cls == DemandClass::kIntermittent) return 1 + static_cast<int32_t>(rng.Poisson(size));
      return 1 + static_cast<int32_t>(rng.NegativeBinomial(size, k.nb_size));
    }
  }
  return 0;
}

// First day index >= t that is not in a supplier shutdown; `pushed` tells whether it moved.
int OutsideShutdown(const DayEffects& e, int t, bool* pushed) {
  *pushed = false;
  while (t >= 0 && t < static_cast<int>(e.shutdown.size()) && e.shutdown[t]) {
    ++t;
    *pushed = true;
  }
  return t;
}

// Inventory of one series under a daily-reviewed (s, S) policy run by a planner whose numbers
// are imperfect: a biased moving-average forecast that ignores seasonality and festivals, the
// supplier's nominal lead time instead of its distribution, and no allowance for the Spring
// Festival shutdown. Sales are censored by stock.
struct PlannerParams {
  double bias, z, cycle_days;
};

void SimulateInventory(const GeneratorOptions& o, const SkuSpec& k, const Supplier& sup,
                       const DayEffects& e, const PlannerParams& plan, uint64_t po_seed, Series& s,
                       Rng& rng) {
  const int n = o.num_days;
  s.sales.assign(n, 0);
  s.on_hand.assign(n, 0);
  s.returned_in.assign(n, 0);
  std::vector<int32_t> arriving(n, 0);

  const int a = k.launch;
  // The planner's view: an exponentially weighted mean and variance of observed demand,
  // started from the first month's expectation, scaled by a persistent bias.
  double mean = 0;
  for (int t = a; t < std::min(n, a + 28); ++t) mean += s.expected[t];
  mean /= std::min(28, n - a);
  const double cv2 = k.cls == DemandClass::kSmooth    ? 0.05
                     : k.cls == DemandClass::kErratic ? 1.0
                                                      : 2.0;
  double var = mean + cv2 * mean * mean;
  const double lead = std::max(1.0, std::round(sup.lead_time_mean_days));
  const double shape = std::pow(sup.lead_time_mean_days / std::max(sup.lead_time_sd_days, 0.1), 2);
  const double scale = sup.lead_time_mean_days / shape;
  // Reorder point over lead time plus the one-day review period; order up to a cycle more.
  auto reorder_point = [&] {
    return plan.bias * (mean * (lead + 1) + plan.z * std::sqrt(var * (lead + 1)));
  };
  auto order_up_to = [&] { return reorder_point() + plan.bias * mean * plan.cycle_days; };
  auto round_order = [&](double q) {
    q = std::max(q, sup.moq);
    return static_cast<int32_t>(std::ceil(q / sup.case_pack - 1e-9) * sup.case_pack);
  };
  auto place = [&](int day, int32_t qty, int32_t* on_order) {
    // The lead time belongs to the purchase order, not the line: every SKU ordered from this
    // supplier for this warehouse on this day travels together (one stream per PO).
    Rng po_rng = Rng::ForStream(po_seed, static_cast<uint64_t>(day + kArrivalSlack));
    const int lt = std::max(1, static_cast<int>(std::lround(po_rng.Gamma(shape, scale))));
    bool pushed;
    int arrival = OutsideShutdown(e, day + lt, &pushed);
    // Factories reopen with a backlog: pushed orders trickle in over a few more days.
    if (pushed) {
      arrival = OutsideShutdown(e, arrival + static_cast<int>(po_rng.UniformInt(0, 4)), &pushed);
    }
    s.pos.push_back({day, arrival, qty});
    if (arrival < n) arriving[arrival] += qty;
    *on_order += qty;
  };

  int32_t on_hand = 0, on_order = 0;
  if (a == 0) {
    on_hand =
        static_cast<int32_t>(std::lround(reorder_point() + rng.Uniform() * mean * plan.cycle_days));
  } else {
    // Launch stock: a purchase order placed a lead time ahead, received on the launch day.
    const int32_t qty = round_order(order_up_to());
    s.pos.push_back({a - static_cast<int>(lead), a, qty});
    arriving[a] += qty;
    on_order += qty;
  }

  constexpr double kAlpha = 0.05;  // about a 20-day memory
  for (int t = a; t < n; ++t) {
    // Morning: receipts and returns are put away; then the day's demand meets the stock.
    on_hand += arriving[t] + s.returned_in[t];
    on_order -= arriving[t];
    const int32_t d = s.demand[t];
    const int32_t sold = std::min(d, on_hand);
    on_hand -= sold;
    s.sales[t] = sold;
    s.on_hand[t] = on_hand;
    // A fraction of the units sold come back 2..~15 days later (restocked on arrival).
    if (o.return_rate > 0) {
      const size_t first_event = s.returns.size();
      for (int32_t u = 0; u < sold; ++u) {
        if (!rng.Bernoulli(o.return_rate)) continue;
        const int back = t + 2 + static_cast<int>(rng.Poisson(4.0));
        if (back >= n) continue;  // not back yet when the history ends
        auto it = std::find_if(s.returns.begin() + static_cast<std::ptrdiff_t>(first_event),
                               s.returns.end(),
                               [&](const ReturnEvent& r) { return r.return_day == back; });
        if (it == s.returns.end()) {
          s.returns.push_back({t, back, 1});
        } else {
          ++it->quantity;
        }
        ++s.returned_in[back];
      }
    }
    // The planner learns only from days that did not run out (a censored day understates).
    if (sold == d) {
      const double err = d - mean;
      mean += kAlpha * err;
      var = (1 - kAlpha) * var + kAlpha * err * err;
    }
    const double position = on_hand + on_order;
    if (position <= reorder_point()) {
      place(t, round_order(order_up_to() - position), &on_order);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Order lines.

struct Line {
  int series;
  int32_t quantity;
  int32_t returned = 0;
  bool bulk = false;
  int order = -1;  // index into the day's orders
};

struct DayOrder {
  int32_t seconds = 0;
  int location = 0;
  int customer = 0;
  std::string id;
};

int32_t DrawLineQuantity(Rng& rng) {
  const double u = rng.Uniform();
  if (u < 0.72) return 1;
  if (u < 0.90) return 2;
  if (u < 0.96) return 3;
  return static_cast<int32_t>(rng.UniformInt(4, 6));
}

int32_t DrawSecondOfDay(Rng& rng, bool midnight_rush) {
  static const std::array<double, 24> kCumulative = [] {
    std::array<double, 24> c{};
    double sum = 0;
    for (double w : kHourWeights) sum += w;
    double acc = 0;
    for (size_t h = 0; h < 24; ++h) c[h] = (acc += kHourWeights[h] / sum);
    return c;
  }();
  int hour;
  if (midnight_rush && rng.Bernoulli(0.3)) {
    hour = 0;
  } else {
    const double u = rng.Uniform();
    hour = static_cast<int>(std::lower_bound(kCumulative.begin(), kCumulative.end(), u) -
                            kCumulative.begin());
    hour = std::min(hour, 23);
  }
  return hour * 3600 + static_cast<int32_t>(rng.UniformInt(0, 3599));
}

// ---------------------------------------------------------------------------------------------

Status CheckFraction(std::string_view field, double v, double hi, bool hi_open) {
  const bool ok = std::isfinite(v) && v >= 0 && (hi_open ? v < hi : v <= hi);
  if (ok) return Status::Ok();
  return Error::InvalidArgument(fmt::format("GeneratorOptions.{} = {}; must be in [0, {}{}", field,
                                            v, hi, hi_open ? ")" : "]"));
}

Status CheckRange(std::string_view field, int v, int lo, int hi) {
  if (v < lo) {
    return Error::InvalidArgument(
        fmt::format("GeneratorOptions.{} = {}; must be >= {}", field, v, lo));
  }
  if (v > hi) {
    return Error::InvalidArgument(
        fmt::format("GeneratorOptions.{} = {}; must be <= {}", field, v, hi));
  }
  return Status::Ok();
}

}  // namespace

std::string_view ToString(DemandClass c) {
  switch (c) {
    case DemandClass::kSmooth:
      return "smooth";
    case DemandClass::kErratic:
      return "erratic";
    case DemandClass::kIntermittent:
      return "intermittent";
    case DemandClass::kLumpy:
      return "lumpy";
  }
  return "smooth";
}

std::optional<DemandClass> ParseDemandClass(std::string_view text) {
  for (DemandClass c : {DemandClass::kSmooth, DemandClass::kErratic, DemandClass::kIntermittent,
                        DemandClass::kLumpy}) {
    if (ToString(c) == text) return c;
  }
  return std::nullopt;
}

Status GeneratorOptions::Validate() const {
  SC_RETURN_IF_ERROR(CheckRange("num_skus", num_skus, 1, kMaxSkus));
  SC_RETURN_IF_ERROR(CheckRange("num_locations", num_locations, 1, kMaxLocations));
  SC_RETURN_IF_ERROR(CheckRange("num_suppliers", num_suppliers, 1, kMaxSuppliers));
  SC_RETURN_IF_ERROR(CheckRange("num_days", num_days, kMinDays, kMaxDays));
  SC_RETURN_IF_ERROR(CheckRange("snapshot_every_days", snapshot_every_days, 1, kMaxDays));
  SC_RETURN_IF_ERROR(CheckFraction("new_product_fraction", new_product_fraction, 1, false));
  SC_RETURN_IF_ERROR(CheckFraction("duplicate_fraction", duplicate_fraction, 1, false));
  SC_RETURN_IF_ERROR(CheckFraction("postage_fraction", postage_fraction, 1, false));
  SC_RETURN_IF_ERROR(CheckFraction("outlier_fraction", outlier_fraction, 1, false));
  SC_RETURN_IF_ERROR(CheckFraction("return_rate", return_rate, 1, true));
  const int y = start.year(), last_y = (start + num_days).year();
  if (y < 1900 || last_y > 9999) {
    return Error::InvalidArgument(fmt::format(
        "GeneratorOptions.start = {}; with num_days = {} the dates must lie in years 1900..9999",
        start.ToString(), num_days));
  }
  return Status::Ok();
}

Result<GeneratedData> Generate(const GeneratorOptions& o, const ProgressFn& progress) {
  SC_RETURN_IF_ERROR(o.Validate());
  ReportProgress(progress, "generate", 0.0);
  const int n = o.num_days;
  const int horizon = n + kMaxCartLead;
  const int num_series = o.num_skus * o.num_locations;
  const Calendar calendar(CalendarOptions{.region = o.region});
  const DayEffects effects = BuildDayEffects(o, calendar, horizon);
  GeneratedData out;

  // Stream numbers keep each part of the data independent of the others: changing, say, the
  // duplicate fraction leaves demand and stock untouched.
  Rng master = Rng::ForStream(o.seed, 1);

  // Locations, with demand shares falling off from the first (largest) warehouse.
  std::vector<double> shares(o.num_locations);
  double share_sum = 0;
  for (int l = 0; l < o.num_locations; ++l) share_sum += shares[l] = 1.0 / (l + 1.5);
  for (double& sh : shares) sh /= share_sum;
  for (int l = 0; l < o.num_locations; ++l) {
    out.locations.push_back({kLocations[l].id, kLocations[l].name, 0.0});
  }

  // Suppliers: each mostly serves one category.
  for (int i = 0; i < o.num_suppliers; ++i) {
    Supplier sup;
    sup.id = fmt::format("SUP-{:02d}", i + 1);
    sup.name = kSupplierNames[i % kSupplierNames.size()];
    if (i >= static_cast<int>(kSupplierNames.size())) sup.name += fmt::format(" #{}", i + 1);
    sup.lead_time_mean_days = std::round(master.Uniform(5.0, 20.0) * 2) / 2;
    sup.lead_time_sd_days = Round2(sup.lead_time_mean_days * master.Uniform(0.15, 0.4));
    sup.moq = std::array<double, 4>{0, 20, 50, 100}[master.UniformInt(0, 3)];
    sup.case_pack = std::array<double, 4>{1, 4, 6, 12}[master.UniformInt(0, 3)];
    sup.order_cost = std::round(master.Uniform(50, 300));
    out.suppliers.push_back(std::move(sup));
  }

  // SKUs: demand classes in equal numbers, in shuffled order.
  std::vector<DemandClass> classes(o.num_skus);
  for (int i = 0; i < o.num_skus; ++i) classes[i] = static_cast<DemandClass>(i % 4);
  for (int i = o.num_skus - 1; i > 0; --i) {
    std::swap(classes[i], classes[master.UniformInt(0, i)]);
  }
  std::vector<int> order(o.num_skus);
  for (int i = 0; i < o.num_skus; ++i) order[i] = i;
  for (int i = o.num_skus - 1; i > 0; --i) std::swap(order[i], order[master.UniformInt(0, i)]);
  const int num_new = static_cast<int>(std::lround(o.new_product_fraction * o.num_skus));
  std::vector<int> launch(o.num_skus, 0);
  for (int j = 0; j < num_new; ++j) {
    // Launched mid-history, away from the supplier shutdown (the launch stock must arrive).
    int day = static_cast<int>(master.UniformInt(n / 4, std::max(n / 4, n - n / 4 - 1)));
    while (day < n && effects.shutdown[day]) ++day;
    if (day >= n) {
      day = n / 4;
      while (day > 1 && effects.shutdown[day]) --day;
    }
    launch[order[j]] = std::max(1, day);
  }

  std::vector<SkuSpec> specs(o.num_skus);
  std::vector<double> supplier_cost_sum(o.num_suppliers, 0.0);
  std::vector<int> supplier_products(o.num_suppliers, 0);
  for (int i = 0; i < o.num_skus; ++i) {
    Rng rng = Rng::ForStream(o.seed, 100 + static_cast<uint64_t>(i));
    SkuSpec& k = specs[i];
    k.category = i % kNumCategories;
    const CategoryInfo& cat = kCategories[k.category];
    k.cls = classes[i];
    k.launch = launch[i];
    switch (k.cls) {
      case DemandClass::kSmooth:
        k.level = rng.Uniform(15, 45);
        break;
      case DemandClass::kErratic:
        k.level = rng.Uniform(6, 20);
        k.occurrence = rng.Uniform(0.92, 0.97);
        k.nb_size = rng.Uniform(0.6, 1.0);
        break;
      case DemandClass::kIntermittent:
        k.occurrence = rng.Uniform(0.18, 0.45);
        k.size_mean = rng.Uniform(0.5, 1.8);
        break;
      case DemandClass::kLumpy:
        k.occurrence = rng.Uniform(0.15, 0.4);
        k.size_mean = rng.Uniform(3, 10);
        k.nb_size = rng.Uniform(0.5, 0.9);
        break;
    }
    k.growth = rng.Uniform(-0.2, 0.35);
    k.weekly_strength = rng.Uniform(0.5, 1.5);
    k.yearly_amplitude = cat.yearly_amplitude * rng.Uniform(0.6, 1.4);
    k.festival_sensitivity = cat.festival_sensitivity * rng.Uniform(0.8, 1.2);
    k.elasticity = Round2(cat.elasticity + rng.Uniform(-0.3, 0.3));
    k.cart_lead = static_cast<int>(rng.UniformInt(2, kMaxCartLead));
    k.cart_conversion = rng.Uniform(2.5, 6.0);
    k.supplier = rng.Bernoulli(0.8) ? k.category % o.num_suppliers
                                    : static_cast<int>(rng.UniformInt(0, o.num_suppliers - 1));

    Product p;
    p.sku = fmt::format("SKU-{:0{}d}", i + 1, o.num_skus > 9999 ? 6 : 4);
    const int name_index = (i / kNumCategories) % static_cast<int>(cat.names.size());
    p.name = cat.names[name_index];
    const int generation = i / (kNumCategories * static_cast<int>(cat.names.size()));
    if (generation > 0) p.name += fmt::format(" 第{}代 Gen {}", generation + 1, generation + 1);
    p.category = cat.name;
    p.supplier_id = out.suppliers[k.supplier].id;
    p.price = std::floor(rng.Uniform(cat.price_lo, cat.price_hi)) + 0.9;
    p.unit_cost = Round2(p.price * rng.Uniform(0.35, 0.65));
    p.shelf_life_days = cat.shelf_life_days;
    if (k.category == kFood) p.shelf_life_days = static_cast<int>(rng.UniformInt(4, 12)) * 30;
    p.allow_backorder = false;
    supplier_cost_sum[k.supplier] += p.unit_cost;
    ++supplier_products[k.supplier];
    out.truth.push_back({p.sku, k.cls, o.start + k.launch, k.cart_lead, k.elasticity});
    out.products.push_back(std::move(p));
  }
  for (int i = 0; i < o.num_suppliers; ++i) {
    out.suppliers[i].unit_cost =
        supplier_products[i] > 0 ? Round2(supplier_cost_sum[i] / supplier_products[i]) : 0.0;
  }

  // Promotions: every 40-120 days per SKU, some in one warehouse only; a third of the SKUs
  // also have one planned in the four weeks after the history ends.
  std::vector<std::vector<PromoSpec>> promos(o.num_skus);
  for (int i = 0; i < o.num_skus; ++i) {
    Rng rng = Rng::ForStream(o.seed, 20000 + static_cast<uint64_t>(i));
    const int a = specs[i].launch;
    auto draw = [&](int begin) {
      PromoSpec pr;
      pr.location = (o.num_locations > 1 && rng.Bernoulli(0.3))
                        ? static_cast<int>(rng.UniformInt(0, o.num_locations - 1))
                        : -1;
      pr.start = begin;
      pr.end = begin + static_cast<int>(rng.UniformInt(2, 9));
      pr.discount = std::array<double, 6>{0.1, 0.15, 0.2, 0.25, 0.3, 0.4}[rng.UniformInt(0, 5)];
      return pr;
    };
    int last_end = a;
    for (int t = a + static_cast<int>(rng.UniformInt(10, 60)); t < n;
         t += static_cast<int>(rng.UniformInt(40, 120))) {
      promos[i].push_back(draw(t));
      last_end = promos[i].back().end;
      t = last_end;
    }
    if (i % 3 == 0) {
      const int begin = std::max(n, last_end + 1) + static_cast<int>(rng.UniformInt(0, 14));
      if (begin < n + kPlannedPromoDays) promos[i].push_back(draw(begin));
    }
    for (const PromoSpec& pr : promos[i]) {
      out.promotions.push_back({out.products[i].sku,
                                pr.location < 0 ? std::string() : out.locations[pr.location].id,
                                o.start + pr.start, o.start + pr.end, pr.discount});
    }
  }

  // Demand and cart adds, series by series (SKU-major: series = sku * num_locations + loc).
  std::vector<Series> series(num_series);
  double est_lines = 0;
  for (int i = 0; i < o.num_skus; ++i) {
    const SkuSpec& k = specs[i];
    for (int l = 0; l < o.num_locations; ++l) {
      Series& s = series[i * o.num_locations + l];
      s.sku = i;
      s.location = l;
      s.share = shares[l];
      s.discount.assign(horizon, 0.0);
      for (const PromoSpec& pr : promos[i]) {
        if (pr.location >= 0 && pr.location != l) continue;
        for (int t = pr.start; t <= pr.end && t < horizon; ++t) {
          s.discount[t] = pr.discount;
        }
      }
      Rng rng = Rng::ForStream(o.seed, 1000000 + static_cast<uint64_t>(i) * 1000 + l);
      s.demand.assign(horizon, 0);
      s.expected.assign(horizon, 0.0f);
      s.bulk.assign(horizon, 0);
      const double share_scale = shares[l] * o.num_locations;
      const double level_share = shares[l];
      for (int t = k.launch; t < horizon; ++t) {
        const double mult = Multiplier(k, effects, s, t, t / 365.25);
        double expected = 0;
        const bool occurrence_class =
            k.cls == DemandClass::kIntermittent || k.cls == DemandClass::kLumpy;
        int32_t d =
            DrawDemand(k, mult, occurrence_class ? share_scale : level_share, rng, &expected);
        // Rare bulk orders (a reseller, a company gift order): real demand, 20-50x a line.
        // They hit the popular, fast-moving items; slow movers keep their demand class.
        if (d > 0 && o.outlier_fraction > 0 && !occurrence_class &&
            rng.Bernoulli(std::min(1.0, o.outlier_fraction * d / 1.4))) {
          s.bulk[t] = static_cast<int32_t>(std::lround(rng.Uniform(20, 50) * 1.4));
          d += s.bulk[t];
        }
        s.demand[t] = d;
        s.expected[t] = static_cast<float>(expected);
        if (t < n) est_lines += d / 1.4;
      }
      // Cart adds lead sales: shoppers add an item a few days before buying it. Interest also
      // builds ahead of festivals while purchases wait for the day.
      Rng cart_rng = Rng::ForStream(o.seed, 2000000 + static_cast<uint64_t>(i) * 1000 + l);
      s.cart.assign(n, 0);
      for (int t = k.launch; t < n; ++t) {
        const int ahead = t + k.cart_lead;
        const double intent = 0.3 * s.expected[ahead] + 0.7 * (s.demand[ahead] - s.bulk[ahead]);
        s.cart[t] = static_cast<int32_t>(
            cart_rng.Poisson(k.cart_conversion * effects.cart_boost[t] * (intent + 0.05)));
      }
    }
  }
  ReportProgress(progress, "generate", 0.3);

  // Inventory.
  for (int si = 0; si < num_series; ++si) {
    Series& s = series[si];
    const SkuSpec& k = specs[s.sku];
    Rng rng = Rng::ForStream(o.seed, 3000000 + static_cast<uint64_t>(si));
    PlannerParams plan;
    // Most planners are roughly right; some SKUs are chronically under-forecast.
    const bool careless = rng.Bernoulli(0.2);
    plan.bias = careless ? rng.Uniform(0.55, 0.8) : rng.Uniform(0.85, 1.15);
    plan.z = careless ? rng.Uniform(0.0, 0.8) : rng.Uniform(0.8, 2.0);
    plan.cycle_days = rng.Uniform(7, 30);
    const uint64_t po_seed = DeriveSeed(o.seed, 5000000 + static_cast<uint64_t>(k.supplier) * 100 +
                                                    static_cast<uint64_t>(s.location));
    SimulateInventory(o, k, out.suppliers[k.supplier], effects, plan, po_seed, s, rng);
  }
  ReportProgress(progress, "generate", 0.5);

  // Series-level outputs, day-major.
  std::vector<std::vector<int>> snapshot_days(num_series);
  for (int si = 0; si < num_series; ++si) {
    const int a = specs[series[si].sku].launch;
    for (int t = a; t < n; t += o.snapshot_every_days) snapshot_days[si].push_back(t);
    if (snapshot_days[si].empty() || snapshot_days[si].back() != n - 1) {
      snapshot_days[si].push_back(n - 1);
    }
  }
  std::vector<double> peak(o.num_locations, 0.0);
  out.true_demand.reserve(static_cast<size_t>(num_series) * n);
  out.cart_adds.reserve(static_cast<size_t>(num_series) * n);
  std::vector<size_t> next_snapshot(num_series, 0);
  for (int t = 0; t < n; ++t) {
    const Date date = o.start + t;
    std::vector<double> stock(o.num_locations, 0.0);
    for (int si = 0; si < num_series; ++si) {
      const Series& s = series[si];
      if (t < specs[s.sku].launch) continue;
      const std::string& sku = out.products[s.sku].sku;
      const std::string& loc = out.locations[s.location].id;
      out.true_demand.push_back(
          {date, sku, loc, static_cast<double>(s.demand[t]), static_cast<double>(s.sales[t])});
      out.cart_adds.push_back({date, sku, loc, static_cast<double>(s.cart[t])});
      stock[s.location] += s.on_hand[t];
      size_t& ns = next_snapshot[si];
      if (ns < snapshot_days[si].size() && snapshot_days[si][ns] == t) {
        out.snapshots.push_back({date, sku, loc, static_cast<double>(s.on_hand[t])});
        ++ns;
      }
    }
    for (int l = 0; l < o.num_locations; ++l) peak[l] = std::max(peak[l], stock[l]);
  }
  for (int l = 0; l < o.num_locations; ++l) {
    // Room for the peak with a margin, in whole thousands of units.
    out.locations[l].capacity_units = std::ceil(peak[l] * 1.25 / 1000.0 + 1e-9) * 1000.0;
  }

  // Purchase orders: lines of one supplier, warehouse, order day (and so arrival) share a PO.
  {
    struct PoRef {
      int order_day, supplier, location, sku;
      const PoLine* line;
    };
    std::vector<PoRef> refs;
    for (const Series& s : series) {
      for (const PoLine& pl : s.pos) {
        refs.push_back({pl.order_day, specs[s.sku].supplier, s.location, s.sku, &pl});
      }
    }
    std::sort(refs.begin(), refs.end(), [](const PoRef& x, const PoRef& y) {
      return std::tie(x.order_day, x.supplier, x.location, x.line->arrival_day, x.sku) <
             std::tie(y.order_day, y.supplier, y.location, y.line->arrival_day, y.sku);
    });
    int po_number = 0;
    for (size_t r = 0; r < refs.size(); ++r) {
      const PoRef& ref = refs[r];
      if (r == 0 || ref.order_day != refs[r - 1].order_day ||
          ref.supplier != refs[r - 1].supplier || ref.location != refs[r - 1].location ||
          ref.line->arrival_day != refs[r - 1].line->arrival_day) {
        ++po_number;
      }
      Receipt rc;
      rc.po_id = fmt::format("PO-{:06d}", po_number);
      rc.sku = out.products[ref.sku].sku;
      rc.location = out.locations[ref.location].id;
      rc.supplier_id = out.suppliers[ref.supplier].id;
      rc.quantity = ref.line->quantity;
      rc.order_date = o.start + ref.order_day;
      rc.date = o.start + ref.line->arrival_day;
      rc.status = ref.line->arrival_day < n ? ReceiptStatus::kReceived : ReceiptStatus::kOpen;
      out.receipts.push_back(std::move(rc));
    }
  }
  ReportProgress(progress, "generate", 0.6);

  // Order lines, day by day: each warehouse's sales are cut into lines, lines are grouped into
  // orders (some holding several SKUs), returns refer back to the order they came from.
  Rng orng = Rng::ForStream(o.seed, 4);
  const int num_customers = 5000 + 100 * o.num_skus * o.num_locations;
  std::vector<std::vector<GeneratedData::OrderRow>> pending_returns(n);
  std::vector<size_t> return_cursor(num_series, 0);
  std::vector<std::vector<int>> series_lines(num_series);
  std::vector<Line> lines;
  std::vector<DayOrder> orders;
  std::vector<GeneratedData::OrderRow> day_rows;
  std::vector<int> loc_lines;
  int64_t order_number = 0;
  out.orders.reserve(static_cast<size_t>(est_lines * 1.1) + 16);
  for (int t = 0; t < n; ++t) {
    const Date date = o.start + t;
    lines.clear();
    orders.clear();
    day_rows.clear();
    for (int l = 0; l < o.num_locations; ++l) {
      loc_lines.clear();
      for (int i = 0; i < o.num_skus; ++i) {
        const int si = i * o.num_locations + l;
        series_lines[si].clear();
        const Series& s = series[si];
        if (t < specs[i].launch) continue;
        int32_t left = s.sales[t];
        if (left > 0 && s.bulk[t] > 0) {
          const int32_t q = std::min(left, s.bulk[t]);
          lines.push_back({si, q, 0, true, -1});
          loc_lines.push_back(static_cast<int>(lines.size()) - 1);
          left -= q;
        }
        while (left > 0) {
          const int32_t q = std::min(left, DrawLineQuantity(orng));
          lines.push_back({si, q, 0, false, -1});
          loc_lines.push_back(static_cast<int>(lines.size()) - 1);
          left -= q;
        }
      }
      // Shuffle, then cut into orders of 1-3 lines with distinct SKUs.
      for (size_t j = loc_lines.size(); j > 1; --j) {
        std::swap(loc_lines[j - 1], loc_lines[orng.UniformInt(0, static_cast<int64_t>(j) - 1)]);
      }
      size_t j = 0;
      while (j < loc_lines.size()) {
        const double u = orng.Uniform();
        const size_t want = u < 0.72 ? 1 : u < 0.92 ? 2 : 3;
        DayOrder od;
        od.location = l;
        const size_t begin = j;
        while (j < loc_lines.size() && j - begin < want) {
          bool same_sku = false;
          for (size_t q = begin; q < j; ++q) {
            same_sku |=
                series[lines[loc_lines[q]].series].sku == series[lines[loc_lines[j]].series].sku;
          }
          if (same_sku) break;
          ++j;
        }
        const int order_index = static_cast<int>(orders.size());
        for (size_t q = begin; q < j; ++q) lines[loc_lines[q]].order = order_index;
        const double c = orng.Uniform();
        od.customer = static_cast<int>(c * c * num_customers);
        od.seconds = DrawSecondOfDay(orng, effects.midnight_rush[t] != 0);
        orders.push_back(std::move(od));
      }
    }
    // Order ids follow the time of day across warehouses.
    std::vector<int> by_time(orders.size());
    for (size_t q = 0; q < orders.size(); ++q) by_time[q] = static_cast<int>(q);
    std::stable_sort(by_time.begin(), by_time.end(), [&](int x, int y) {
      return std::tie(orders[x].seconds, orders[x].location) <
             std::tie(orders[y].seconds, orders[y].location);
    });
    for (int q : by_time) orders[q].id = fmt::format("SO-{:08d}", ++order_number);

    // Lines per order, in the order's line sequence.
    std::vector<std::vector<int>> order_lines(orders.size());
    for (size_t li = 0; li < lines.size(); ++li) {
      order_lines[lines[li].order].push_back(static_cast<int>(li));
      series_lines[lines[li].series].push_back(static_cast<int>(li));
    }
    auto price_of = [&](int si) {
      const Series& s = series[si];
      return Round2(out.products[s.sku].price * (1.0 - s.discount[t]));
    };
    for (int q : by_time) {
      const DayOrder& od = orders[q];
      const std::string& loc = out.locations[od.location].id;
      const std::string customer = fmt::format("C{:07d}", od.customer + 1);
      for (int li : order_lines[q]) {
        const Line& ln = lines[li];
        GeneratedData::OrderRow row{od.id,
                                    out.products[series[ln.series].sku].sku,
                                    loc,
                                    customer,
                                    static_cast<double>(ln.quantity),
                                    price_of(ln.series),
                                    date,
                                    od.seconds};
        // An export glitch writes the line twice: not a second sale.
        if (orng.Bernoulli(o.duplicate_fraction)) day_rows.push_back(row);
        day_rows.push_back(std::move(row));
      }
      const double postage_p =
          std::min(1.0, o.postage_fraction * static_cast<double>(order_lines[q].size()));
      if (orng.Bernoulli(postage_p)) {
        day_rows.push_back({od.id, "POST", loc, customer, 1.0,
                            kPostagePrices[orng.UniformInt(0, kPostagePrices.size() - 1)], date,
                            od.seconds});
      }
    }
    // Returns of today's sales, booked on the day they come back.
    for (int si = 0; si < num_series; ++si) {
      const Series& s = series[si];
      size_t& cur = return_cursor[si];
      while (cur < s.returns.size() && s.returns[cur].sale_day == t) {
        const ReturnEvent& ev = s.returns[cur++];
        const std::vector<int>& cand = series_lines[si];
        SC_ASSERT(!cand.empty());
        int32_t left = ev.quantity;
        size_t pos = static_cast<size_t>(orng.UniformInt(0, static_cast<int64_t>(cand.size()) - 1));
        for (size_t step = 0; step < cand.size() && left > 0; ++step) {
          Line& ln = lines[cand[(pos + step) % cand.size()]];
          const int32_t take = std::min(left, ln.quantity - ln.returned);
          if (take <= 0) continue;
          ln.returned += take;
          left -= take;
          const DayOrder& od = orders[ln.order];
          pending_returns[ev.return_day].push_back(
              {od.id, out.products[s.sku].sku, out.locations[s.location].id,
               fmt::format("C{:07d}", od.customer + 1), -static_cast<double>(take), price_of(si),
               o.start + ev.return_day,
               static_cast<int32_t>(orng.UniformInt(9 * 3600, 21 * 3600))});
        }
        SC_ASSERT(left == 0);
      }
    }
    for (auto& r : pending_returns[t]) day_rows.push_back(std::move(r));
    pending_returns[t].clear();
    pending_returns[t].shrink_to_fit();
    std::stable_sort(day_rows.begin(), day_rows.end(),
                     [](const GeneratedData::OrderRow& x, const GeneratedData::OrderRow& y) {
                       return x.seconds < y.seconds;
                     });
    for (auto& r : day_rows) out.orders.push_back(std::move(r));
    if ((t & 63) == 0) ReportProgress(progress, "generate", 0.6 + 0.4 * t / n);
  }
  ReportProgress(progress, "generate", 1.0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing.

namespace {

using std::string_view;

// Caches the text of the last date written: rows mostly come in date order.
class DateText {
 public:
  string_view operator()(Date d) {
    if (!valid_ || d != date_) {
      date_ = d;
      text_ = d.ToString();
      valid_ = true;
    }
    return text_;
  }

 private:
  bool valid_ = false;
  Date date_;
  std::string text_;
};

using RowsFn = void (*)(const GeneratedData&, io::CsvWriter&, DateText&);

void OrderRows(const GeneratedData& d, io::CsvWriter& w, DateText& date) {
  char ts[40];
  for (const auto& r : d.orders) {
    const string_view day = date(r.date);
    const int len =
        std::snprintf(ts, sizeof(ts), "%.*s %02d:%02d:%02d", static_cast<int>(day.size()),
                      day.data(), r.seconds / 3600, r.seconds / 60 % 60, r.seconds % 60);
    w.Field(string_view(r.order_id)).Field(string_view(r.sku)).Field(r.quantity);
    w.Field(r.unit_price, 2).Field(string_view(ts, static_cast<size_t>(len)));
    w.Field(string_view(r.location)).Field(string_view(r.customer_id));
    w.EndRow();
  }
}

void ProductRows(const GeneratedData& d, io::CsvWriter& w, DateText&) {
  for (const Product& p : d.products) {
    w.Field(string_view(p.sku)).Field(string_view(p.name)).Field(string_view(p.category));
    w.Field(string_view(p.supplier_id)).Field(p.unit_cost, 2).Field(p.price, 2);
    w.Field(int64_t{p.shelf_life_days}).Field(string_view(p.allow_backorder ? "true" : "false"));
    w.EndRow();
  }
}

void SupplierRows(const GeneratedData& d, io::CsvWriter& w, DateText&) {
  for (const Supplier& s : d.suppliers) {
    w.Field(string_view(s.id)).Field(string_view(s.name));
    w.Field(s.lead_time_mean_days, 2).Field(s.lead_time_sd_days, 2);
    w.Field(s.moq).Field(s.case_pack).Field(s.unit_cost, 2).Field(s.order_cost, 2);
    w.EndRow();
  }
}

void LocationRows(const GeneratedData& d, io::CsvWriter& w, DateText&) {
  for (const Location& l : d.locations) {
    w.Field(string_view(l.id)).Field(string_view(l.name)).Field(l.capacity_units);
    w.EndRow();
  }
}

void SnapshotRows(const GeneratedData& d, io::CsvWriter& w, DateText& date) {
  for (const StockSnapshot& s : d.snapshots) {
    w.Field(date(s.date)).Field(string_view(s.sku)).Field(string_view(s.location));
    w.Field(s.on_hand);
    w.EndRow();
  }
}

void ReceiptRows(const GeneratedData& d, io::CsvWriter& w, DateText& date) {
  for (const Receipt& r : d.receipts) {
    w.Field(string_view(r.po_id)).Field(string_view(r.sku)).Field(string_view(r.location));
    w.Field(string_view(r.supplier_id)).Field(r.quantity);
    w.Field(string_view(r.order_date ? r.order_date->ToString() : std::string()));
    w.Field(date(r.date)).Field(ToString(r.status));
    w.EndRow();
  }
}

void CartRows(const GeneratedData& d, io::CsvWriter& w, DateText& date) {
  for (const CartAdds& c : d.cart_adds) {
    w.Field(date(c.date)).Field(string_view(c.sku)).Field(string_view(c.location));
    w.Field(c.cart_adds);
    w.EndRow();
  }
}

void PromotionRows(const GeneratedData& d, io::CsvWriter& w, DateText&) {
  for (const Promotion& p : d.promotions) {
    w.Field(string_view(p.sku)).Field(string_view(p.location));
    w.Field(string_view(p.start.ToString())).Field(string_view(p.end.ToString()));
    w.Field(p.discount, 4);
    w.EndRow();
  }
}

void TrueDemandRows(const GeneratedData& d, io::CsvWriter& w, DateText& date) {
  for (const auto& r : d.true_demand) {
    w.Field(date(r.date)).Field(string_view(r.sku)).Field(string_view(r.location));
    w.Field(r.demand).Field(r.sales);
    w.EndRow();
  }
}

struct FileSpec {
  const char* name;
  std::vector<std::string> header;  // docs/formats.md
  RowsFn rows;
};

}  // namespace

Status WriteDataset(const GeneratedData& data, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Error::Unavailable(fmt::format("cannot create directory {}: {}", dir, ec.message()));
  }
  const FileSpec files[] = {
      {"orders.csv",
       {"order_id", "sku", "quantity", "unit_price", "timestamp", "location", "customer_id"},
       OrderRows},
      {"products.csv",
       {"sku", "name", "category", "supplier_id", "unit_cost", "price", "shelf_life_days",
        "allow_backorder"},
       ProductRows},
      {"suppliers.csv",
       {"supplier_id", "name", "lead_time_mean_days", "lead_time_sd_days", "moq", "case_pack",
        "unit_cost", "order_cost"},
       SupplierRows},
      {"locations.csv", {"location_id", "name", "capacity_units"}, LocationRows},
      {"stock_snapshots.csv", {"date", "sku", "location", "on_hand"}, SnapshotRows},
      {"receipts.csv",
       {"po_id", "sku", "location", "supplier_id", "quantity", "order_date", "date", "status"},
       ReceiptRows},
      {"cart_adds.csv", {"date", "sku", "location", "cart_adds"}, CartRows},
      {"promotions.csv", {"sku", "location", "start_date", "end_date", "discount"}, PromotionRows},
      {"true_demand.csv", {"date", "sku", "location", "demand", "sales"}, TrueDemandRows},
  };
  for (const FileSpec& f : files) {
    SC_ASSIGN_OR_RETURN(io::CsvWriter w, io::CsvWriter::Open(dir + "/" + f.name));
    w.Row(f.header);
    DateText date;
    f.rows(data, w, date);
    SC_RETURN_IF_ERROR(w.Close());
  }
  return Status::Ok();
}

}  // namespace stockcast::sim
