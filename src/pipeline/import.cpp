#include "stockcast/pipeline/import.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "stockcast/clean/aggregate.h"
#include "stockcast/clean/order_cleaner.h"
#include "stockcast/clean/series_cleaner.h"
#include "stockcast/core/flat_hash.h"
#include "stockcast/io/order_reader.h"
#include "stockcast/io/table_readers.h"

namespace stockcast::pipeline {
namespace {

namespace fs = std::filesystem;

// Order lines kept after parsing, with the reader that owns their interned strings.
struct ParsedOrders {
  std::unique_ptr<io::OrderReader> reader;
  std::vector<io::OrderLine> lines;
  std::vector<clean::LineRule> rules;
};

struct OtherData {
  std::vector<Product> products;
  std::vector<Supplier> suppliers;
  std::vector<Location> locations;
  std::vector<StockSnapshot> snapshots;
  std::vector<Receipt> receipts;
  std::vector<CartAdds> cart_adds;
  std::vector<Promotion> promotions;
};

std::optional<MovementType> MovementFor(clean::LineRule rule) {
  switch (rule) {
    case clean::LineRule::kDemand: return MovementType::kSale;
    case clean::LineRule::kReturn: return MovementType::kReturn;
    case clean::LineRule::kAdjustment: return MovementType::kAdjustment;
    default: return std::nullopt;
  }
}

// The idempotency key of an order line: a hash of what the line means, not how it is written
// (order, SKU, location, date and time, quantity, price, cancellation), so the same line in
// another export (other column order, "2.00" for "2.0") is recognised as already imported.
uint64_t LedgerKeyHash(const ParsedOrders& p, size_t i) {
  const io::OrderLine& l = p.lines[i];
  const io::OrderReader& r = *p.reader;
  const std::string text = fmt::format(
      "{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{:.6f}\x1f{:.6f}\x1f{}", r.orders()[l.order], r.skus()[l.sku],
      r.locations()[l.location], l.date.days(), l.seconds, l.quantity, l.unit_price,
      l.cancelled ? 1 : 0);
  return MixHash(Fnv1a(kFnvOffset, text));
}

// Ledger quantity of an order line: positive for sales and returns (the type gives the
// direction); an adjustment keeps its sign (a write-off is negative).
double MovementQuantity(MovementType type, double quantity) {
  return type == MovementType::kAdjustment ? quantity : std::fabs(quantity);
}

// Ledger entry of an imported order line.
Movement ToMovement(const ParsedOrders& p, size_t i, MovementType type, const std::string& actor) {
  const io::OrderLine& l = p.lines[i];
  const io::OrderReader& r = *p.reader;
  Movement m;
  m.idempotency_key = fmt::format("order-line:{:016x}", LedgerKeyHash(p, i));
  m.type = type;
  m.sku = r.skus()[l.sku];
  m.location = r.locations()[l.location];
  m.date = l.date;
  m.seconds = l.seconds;
  m.quantity = MovementQuantity(type, l.quantity);
  m.unit_price = std::max(0.0, l.unit_price);  // a negative price was warned about (missing_price)
  m.reference = r.orders()[l.order];
  m.actor = actor;
  m.source = fmt::format("{}:{}", r.csv().name(), l.line);
  return m;
}

// Keyed by PO line and receipt date: a PO line delivered in two parts on two days is two
// movements, and the same receipt imported again is recognised.
Movement ReceiptMovement(const Receipt& rc, const std::string& actor) {
  Movement m;
  m.idempotency_key =
      fmt::format("receipt:{}:{}:{}:{}", rc.po_id, rc.sku, rc.location, rc.date.ToString());
  m.type = MovementType::kReceipt;
  m.sku = rc.sku;
  m.location = rc.location;
  m.date = rc.date;
  m.quantity = rc.quantity;
  m.reference = rc.po_id;
  m.actor = actor;
  m.source = "receipts";
  return m;
}

Status ReadOtherFiles(const ImportOptions& o, OtherData* d, clean::CleaningReport* report) {
  auto note = [&](const std::string& path, const char* kind, size_t rows) {
    report->files.push_back({path, kind, "", static_cast<int64_t>(rows)});
  };
#define SC_READ(field, fn, kind)                  \
  if (!o.field.empty()) {                         \
    auto r = io::fn(o.field);                     \
    if (!r.ok()) return r.error();                \
    d->field = std::move(r).value();              \
    note(o.field, kind, d->field.size());         \
  }
  SC_READ(products, ReadProducts, "products")
  SC_READ(suppliers, ReadSuppliers, "suppliers")
  SC_READ(locations, ReadLocations, "locations")
  SC_READ(snapshots, ReadSnapshots, "stock_snapshots")
  SC_READ(receipts, ReadReceipts, "receipts")
  SC_READ(cart_adds, ReadCartAdds, "cart_adds")
  SC_READ(promotions, ReadPromotions, "promotions")
#undef SC_READ
  for (size_t i = 0; i < d->products.size(); ++i) {
    SC_RETURN_IF_ERROR(d->products[i].Validate(fmt::format("{} row {}", o.products, i + 2)));
  }
  for (size_t i = 0; i < d->suppliers.size(); ++i) {
    SC_RETURN_IF_ERROR(d->suppliers[i].Validate(fmt::format("{} row {}", o.suppliers, i + 2)));
  }
  return Status::Ok();
}

// Reads every order file, classifying each line; `keep` decides per file whether the lines are
// kept in `out` (the store path writes them after every file has parsed) and `each` sees every
// line as it is read (the dry run aggregates on the fly, keeping nothing).
using LineFn = std::function<void(const io::OrderReader&, const io::OrderLine&, clean::LineRule)>;
Status ParseOrders(const ImportOptions& o, clean::OrderCleaner& cleaner, bool keep,
                   const LineFn& each, std::vector<ParsedOrders>* out,
                   clean::CleaningReport* report, const ProgressFn& progress) {
  for (const auto& path : o.order_files) {
    ParsedOrders p;
    auto reader = io::OrderReader::Open(path, o.mapping);
    if (!reader.ok()) return reader.error();
    p.reader = std::move(reader).value();
    cleaner.BeginFile(*p.reader);
    const std::string stage = "reading " + fs::path(path).filename().string();
    io::OrderLine line;
    for (int64_t n = 0;; ++n) {
      auto more = p.reader->Next(&line);
      if (!more.ok()) return more.error();
      if (!*more) break;
      const clean::LineRule rule = cleaner.Classify(line, *p.reader);
      if (each) each(*p.reader, line, rule);
      if (keep) {
        p.rules.push_back(rule);
        p.lines.push_back(line);
      }
      if ((n & 0xFFFF) == 0 && p.reader->csv().total()) {
        ReportProgress(progress, stage,
                       static_cast<double>(p.reader->csv().consumed()) / *p.reader->csv().total());
      }
    }
    ReportProgress(progress, stage, 1.0);
    cleaner.EndFile(*p.reader);
    report->files.push_back({path, "orders", o.mapping.name, p.reader->csv().records()});
    out->push_back(std::move(p));
  }
  return Status::Ok();
}

Status StrictCheck(const clean::CleaningReport& report) {
  if (report.total_warnings() == 0) return Status::Ok();
  std::string what;
  for (int w = 0; w < clean::kNumWarnings; ++w) {
    if (report.warnings[w] == 0) continue;
    const auto& ex = report.warning_examples[w];
    what += fmt::format("\n  {} x {} (first at {})",
                        ToString(static_cast<clean::Warning>(w)), report.warnings[w],
                        ex.empty() ? "?" : ex[0].where);
  }
  return Error::InvalidArgument(
      fmt::format("--strict: the import has data-quality warnings, nothing was written:{}", what));
}

// Feeds everything a panel is built from; used for dry runs (from the files) and for the
// store (from everything stored, so earlier imports count too).
void FeedOther(clean::DailyAggregator& agg, const std::vector<StockSnapshot>& snapshots,
               const std::vector<CartAdds>& cart_adds, const std::vector<Promotion>& promotions) {
  for (const auto& s : snapshots) agg.AddSnapshot(s);
  for (const auto& c : cart_adds) agg.AddCartAdds(c);
  for (const auto& p : promotions) agg.AddPromotion(p);
}

}  // namespace

ImportOptions::ImportOptions() : mapping(*io::PresetMapping("generic")) {}

Status AddDirectory(const std::string& dir, ImportOptions* o) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error::NotFound(fmt::format("{}: not a directory", dir));
  }
  std::string ambiguous;
  auto find = [&](const char* stem) -> std::string {
    const fs::path plain = fs::path(dir) / (std::string(stem) + ".csv");
    const fs::path packed = fs::path(dir) / (std::string(stem) + ".csv.zst");
    const bool has_plain = fs::exists(plain, ec), has_packed = fs::exists(packed, ec);
    if (has_plain && has_packed && ambiguous.empty()) ambiguous = stem;
    return has_plain ? plain.string() : has_packed ? packed.string() : std::string();
  };
  if (auto p = find("orders"); !p.empty()) o->order_files.push_back(p);
  o->products = find("products");
  o->suppliers = find("suppliers");
  o->locations = find("locations");
  o->snapshots = find("stock_snapshots");
  o->receipts = find("receipts");
  o->cart_adds = find("cart_adds");
  o->promotions = find("promotions");
  if (!ambiguous.empty()) {
    return Error::InvalidArgument(fmt::format(
        "{}: both {}.csv and {}.csv.zst are present; keep one so the import is unambiguous", dir,
        ambiguous, ambiguous));
  }
  if (o->order_files.empty() && o->products.empty() && o->suppliers.empty() &&
      o->locations.empty() && o->snapshots.empty() && o->receipts.empty() &&
      o->cart_adds.empty() && o->promotions.empty()) {
    return Error::InvalidArgument(fmt::format(
        "{}: no importable files; expected any of orders, products, suppliers, locations, "
        "stock_snapshots, receipts, cart_adds, promotions (.csv or .csv.zst)",
        dir));
  }
  return Status::Ok();
}

Result<clean::CleaningReport> RunImport(Store* store, const Config& config,
                                        const ImportOptions& options,
                                        const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  SC_RETURN_IF_ERROR(config.Validate());
  clean::CleaningReport report;
  report.dry_run = store == nullptr;
  auto lap = t0;
  auto mark = [&](const char* stage) {
    const auto now = std::chrono::steady_clock::now();
    report.stage_seconds.emplace_back(stage, std::chrono::duration<double>(now - lap).count());
    lap = now;
  };

  // 1. Parse and check every file before anything is written.
  OtherData other;
  SC_RETURN_IF_ERROR(ReadOtherFiles(options, &other, &report));
  // SKUs known from products.csv or the store: demand for others is worth a warning.
  std::unordered_set<std::string> known_skus;
  for (const auto& p : other.products) known_skus.insert(p.sku);
  std::vector<Product> stored_products;
  if (store) {
    SC_ASSIGN_OR_RETURN(stored_products, store->ListProducts());
    for (const auto& p : stored_products) known_skus.insert(p.sku);
  }
  const bool check_skus = !known_skus.empty();
  std::unordered_set<std::string> reported_skus;
  std::vector<int8_t> sku_known;  // per reader SKU id: -1 unchecked, 0 unknown, 1 known

  clean::OrderCleaner cleaner(config.clean);
  std::vector<ParsedOrders> orders;
  // The dry run aggregates lines as they stream by; the store path keeps them to write later.
  clean::DailyAggregator agg;
  const io::OrderReader* current = nullptr;
  FlatMap64<uint32_t> series_of(1024);  // the reader's (sku, location) ids -> the series
  LineFn each = [&](const io::OrderReader& r, const io::OrderLine& l, clean::LineRule rule) {
    if (&r != current) {
      current = &r;
      series_of = FlatMap64<uint32_t>(1024);
      sku_known.clear();
    }
    if (check_skus && rule == clean::LineRule::kDemand) {
      if (l.sku >= sku_known.size()) sku_known.resize(l.sku + 1, -1);
      if (sku_known[l.sku] < 0) sku_known[l.sku] = known_skus.count(r.skus()[l.sku]) ? 1 : 0;
      if (sku_known[l.sku] == 0 && reported_skus.insert(r.skus()[l.sku]).second) {
        cleaner.Warn(clean::Warning::kUnknownSku, fmt::format("{}:{}", r.csv().name(), l.line),
                     fmt::format("SKU \"{}\" is not in the product list", r.skus()[l.sku]));
      }
    }
    if (store) return;  // the store path aggregates everything stored, after writing
    if (auto type = MovementFor(rule)) {
      bool inserted = false;
      uint32_t& series = series_of.Get((static_cast<uint64_t>(l.sku) << 32) | l.location, &inserted);
      if (inserted) series = agg.SeriesId(r.skus()[l.sku], r.locations()[l.location]);
      agg.Add(series, l.date, *type, MovementQuantity(*type, l.quantity), l.unit_price);
    } else if (rule != clean::LineRule::kDuplicate) {
      agg.NoteActivity(r.locations()[l.location], l.date);
    }
  };
  SC_RETURN_IF_ERROR(
      ParseOrders(options, cleaner, /*keep=*/store != nullptr, each, &orders, &report, progress));
  mark("read_and_classify");

  report.TakeLineCounts(cleaner);
  if (options.strict) SC_RETURN_IF_ERROR(StrictCheck(report));

  auto finish = [&]() {
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };

  // 2a. Dry run: aggregate the files alone.
  if (!store) {
    for (const auto& rc : other.receipts) {
      if (rc.status == ReceiptStatus::kReceived) agg.Add(ReceiptMovement(rc, options.actor));
    }
    FeedOther(agg, other.snapshots, other.cart_adds, other.promotions);
    ReportProgress(progress, "cleaning series", 0.0);
    DemandPanel panel = agg.Build(config.clean);
    mark("aggregate");
    report.series = clean::CleanSeries(panel, config.clean);
    mark("clean_series");
    ReportProgress(progress, "cleaning series", 1.0);
    finish();
    return report;
  }

  // 2b. Store: one transaction for everything.
  nlohmann::json params = {{"actor", options.actor}, {"strict", options.strict}};
  params["files"] = nlohmann::json::array();
  for (const auto& f : report.files) params["files"].push_back({{"path", f.path}, {"kind", f.kind}});
  Status status = store->WithTransaction([&]() -> Status {
    SC_ASSIGN_OR_RETURN(const int64_t run_id, store->StartRun("import", params.dump()));
    SC_RETURN_IF_ERROR(store->UpsertSuppliers(other.suppliers));
    SC_RETURN_IF_ERROR(store->UpsertLocations(other.locations));
    SC_RETURN_IF_ERROR(store->UpsertProducts(other.products));

    // SKUs and locations seen only in orders become master records (name from the order's
    // description), without overwriting what is already known.
    std::set<std::string> known_locations;
    SC_ASSIGN_OR_RETURN(auto stored_locations, store->ListLocations());
    for (const auto& l : stored_locations) known_locations.insert(l.id);
    std::vector<Product> new_products;
    std::vector<Location> new_locations;
    for (const auto& p : orders) {
      const auto& r = *p.reader;
      std::vector<uint8_t> used_sku(r.skus().size(), 0), used_loc(r.locations().size(), 0);
      for (size_t i = 0; i < p.lines.size(); ++i) {
        if (!MovementFor(p.rules[i])) continue;
        used_sku[p.lines[i].sku] = 1;
        used_loc[p.lines[i].location] = 1;
      }
      for (uint32_t s = 0; s < used_sku.size(); ++s) {
        if (!used_sku[s] || !known_skus.insert(r.skus()[s]).second) continue;
        Product prod;
        prod.sku = r.skus()[s];
        prod.name = s < r.descriptions().size() ? r.descriptions()[s] : "";
        new_products.push_back(std::move(prod));
      }
      for (uint32_t l = 0; l < used_loc.size(); ++l) {
        if (!used_loc[l] || !known_locations.insert(r.locations()[l]).second) continue;
        new_locations.push_back({r.locations()[l], r.locations()[l], 0.0});
      }
    }
    SC_RETURN_IF_ERROR(store->UpsertProducts(new_products));
    SC_RETURN_IF_ERROR(store->UpsertLocations(new_locations));

    // The ledger, in batches to bound memory.
    constexpr size_t kBatch = 1 << 16;
    std::vector<Movement> batch;
    batch.reserve(kBatch);
    auto flush = [&]() -> Status {
      if (batch.empty()) return Status::Ok();
      SC_ASSIGN_OR_RETURN(AppendStats stats, store->AppendMovements(batch));
      report.ledger_inserted += stats.inserted;
      report.ledger_already_present += stats.already_present;
      batch.clear();
      return Status::Ok();
    };
    size_t total_lines = 0, done = 0;
    for (const auto& p : orders) total_lines += p.lines.size();
    for (const auto& p : orders) {
      for (size_t i = 0; i < p.lines.size(); ++i, ++done) {
        auto type = MovementFor(p.rules[i]);
        if (!type) continue;
        batch.push_back(ToMovement(p, i, *type, options.actor));
        if (batch.size() == kBatch) {
          SC_RETURN_IF_ERROR(flush());
          ReportProgress(progress, "writing ledger", static_cast<double>(done) / total_lines);
        }
      }
    }
    for (const auto& rc : other.receipts) {
      if (rc.status == ReceiptStatus::kReceived) batch.push_back(ReceiptMovement(rc, options.actor));
    }
    SC_RETURN_IF_ERROR(flush());
    mark("write_ledger");
    ReportProgress(progress, "writing ledger", 1.0);
    SC_RETURN_IF_ERROR(store->UpsertReceipts(other.receipts));
    SC_RETURN_IF_ERROR(store->UpsertSnapshots(other.snapshots));
    SC_RETURN_IF_ERROR(store->UpsertCartAdds(other.cart_adds));
    SC_RETURN_IF_ERROR(store->UpsertPromotions(other.promotions));

    // Rebuild the cleaned daily panel from everything stored.
    mark("write_stock_data");
    ReportProgress(progress, "cleaning series", 0.0);
    clean::DailyAggregator stored;
    MovementFilter all;
    SC_RETURN_IF_ERROR(store->ForEachMovement(all, [&](const Movement& m) { stored.Add(m); }));
    mark("read_ledger");
    // Non-stock lines (fees, postage) still show that a location was trading that day.
    for (const auto& p : orders) {
      for (size_t i = 0; i < p.lines.size(); ++i) {
        if (p.rules[i] == clean::LineRule::kNonProduct ||
            p.rules[i] == clean::LineRule::kZeroQuantity ||
            p.rules[i] == clean::LineRule::kCancelled) {
          stored.NoteActivity(p.reader->locations()[p.lines[i].location], p.lines[i].date);
        }
      }
    }
    SC_ASSIGN_OR_RETURN(auto snapshots, store->ListSnapshots());
    SC_ASSIGN_OR_RETURN(auto cart_adds, store->ListCartAdds());
    SC_ASSIGN_OR_RETURN(auto promotions, store->ListPromotions());
    FeedOther(stored, snapshots, cart_adds, promotions);
    DemandPanel panel = stored.Build(config.clean);
    mark("aggregate");
    report.series = clean::CleanSeries(panel, config.clean);
    mark("clean_series");
    SC_RETURN_IF_ERROR(store->SavePanel(panel));
    mark("save_panel");
    ReportProgress(progress, "cleaning series", 1.0);
    SC_RETURN_IF_ERROR(store->RebuildStockLevels());
    mark("stock_levels");
    finish();
    return store->FinishRun(run_id, "ok", report.ToJson().dump());
  });
  if (!status.ok()) return status.error();
  return report;
}

}  // namespace stockcast::pipeline
