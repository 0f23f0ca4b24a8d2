#include "stockcast/io/table_readers.h"

#include <cmath>
#include <initializer_list>

#include <fmt/format.h>

#include "stockcast/io/csv_reader.h"
#include "stockcast/io/order_reader.h"

namespace stockcast::io {
namespace {

// Column lookup and typed access with file:line:column errors, shared by every table reader.
class Table {
 public:
  static Result<Table> Open(const std::string& path, std::initializer_list<const char*> required,
                            std::initializer_list<const char*> optional) {
    auto csv = CsvReader::Open(path);
    if (!csv.ok()) return csv.error();
    Table t(std::move(csv).value());
    for (const char* name : required) {
      auto idx = t.csv_->FindColumn(name);
      if (!idx) {
        return Error::InvalidArgument(fmt::format(
            "{}:1: missing column \"{}\"; required columns: {} (see docs/formats.md)",
            t.csv_->name(), name, fmt::join(required, ", ")));
      }
      t.cols_.emplace_back(name, static_cast<int>(*idx));
    }
    for (const char* name : optional) {
      auto idx = t.csv_->FindColumn(name);
      t.cols_.emplace_back(name, idx ? static_cast<int>(*idx) : -1);
    }
    return t;
  }

  Result<bool> Next() { return csv_->Next(); }
  const std::string& name() const { return csv_->name(); }
  bool Has(std::string_view col) const { return Index(col) >= 0; }

  std::string_view Text(std::string_view col) const {
    const int i = Index(col);
    if (i < 0) return {};
    std::string_view s = csv_->field(static_cast<size_t>(i));
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  }

  Result<std::string> Id(std::string_view col) const {
    std::string_view s = Text(col);
    if (s.empty()) return Fail(col, "is empty; must be set");
    return std::string(s);
  }

  // Empty cell -> `fallback`; otherwise a number >= min.
  Result<double> Number(std::string_view col, double fallback, double min = 0.0) const {
    std::string_view s = Text(col);
    if (s.empty()) return fallback;
    double v = 0;
    if (!ParseNumber(s, false, &v)) return Fail(col, fmt::format("= \"{}\"; must be a number", s));
    if (v < min) return Fail(col, fmt::format("= {}; must be >= {}", s, min));
    return v;
  }

  Result<Date> DateValue(std::string_view col) const {
    std::string_view s = Text(col);
    auto d = ParseTimestamp(s, DateOrder::kYmd);
    if (!d) return Fail(col, fmt::format("= \"{}\"; must be a date YYYY-MM-DD", s));
    return d->date;
  }

  Result<bool> Bool(std::string_view col, bool fallback) const {
    std::string_view s = Text(col);
    if (s.empty()) return fallback;
    if (s == "true" || s == "1" || s == "yes") return true;
    if (s == "false" || s == "0" || s == "no") return false;
    return Fail(col, fmt::format("= \"{}\"; must be true or false", s));
  }

  Error Fail(std::string_view col, std::string_view rule) const {
    const int i = Index(col);
    return Error::InvalidArgument(
        fmt::format("{}: {} {}", csv_->Where(static_cast<size_t>(i < 0 ? 0 : i)), col, rule));
  }
  Error FailLine(std::string_view rule) const {
    return Error::InvalidArgument(fmt::format("{}:{}: {}", csv_->name(), csv_->line(), rule));
  }

 private:
  explicit Table(std::unique_ptr<CsvReader> csv) : csv_(std::move(csv)) {}
  int Index(std::string_view col) const {
    for (const auto& [name, idx] : cols_) {
      if (name == col) return idx;
    }
    return -1;
  }
  std::unique_ptr<CsvReader> csv_;
  std::vector<std::pair<std::string_view, int>> cols_;
};

#define SC_TRY(lhs, expr) SC_ASSIGN_OR_RETURN(lhs, expr)

}  // namespace

Result<std::vector<Product>> ReadProducts(const std::string& path) {
  SC_TRY(Table t, Table::Open(path, {"sku"},
                              {"name", "category", "supplier_id", "unit_cost", "price",
                               "shelf_life_days", "allow_backorder"}));
  std::vector<Product> out;
  for (;;) {
    SC_TRY(bool more, t.Next());
    if (!more) break;
    Product p;
    SC_TRY(p.sku, t.Id("sku"));
    p.name = t.Text("name");
    p.category = t.Text("category");
    p.supplier_id = t.Text("supplier_id");
    SC_TRY(p.unit_cost, t.Number("unit_cost", 0.0));
    SC_TRY(p.price, t.Number("price", 0.0));
    SC_TRY(double shelf, t.Number("shelf_life_days", 0.0));
    if (shelf != std::floor(shelf)) return t.Fail("shelf_life_days", "must be a whole number of days");
    p.shelf_life_days = static_cast<int>(shelf);
    SC_TRY(p.allow_backorder, t.Bool("allow_backorder", false));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Supplier>> ReadSuppliers(const std::string& path) {
  SC_TRY(Table t, Table::Open(path, {"supplier_id"},
                              {"name", "lead_time_mean_days", "lead_time_sd_days", "moq",
                               "case_pack", "unit_cost", "order_cost"}));
  std::vector<Supplier> out;
  for (;;) {
    SC_TRY(bool more, t.Next());
    if (!more) break;
    Supplier s;
    SC_TRY(s.id, t.Id("supplier_id"));
    s.name = t.Text("name");
    SC_TRY(s.lead_time_mean_days, t.Number("lead_time_mean_days", s.lead_time_mean_days));
    SC_TRY(s.lead_time_sd_days, t.Number("lead_time_sd_days", s.lead_time_sd_days));
    SC_TRY(s.moq, t.Number("moq", 0.0));
    SC_TRY(s.case_pack, t.Number("case_pack", 1.0));
    if (s.case_pack <= 0) return t.Fail("case_pack", "must be > 0");
    SC_TRY(s.unit_cost, t.Number("unit_cost", 0.0));
    SC_TRY(s.order_cost, t.Number("order_cost", 0.0));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<Location>> ReadLocations(const std::string& path) {
  SC_TRY(Table t, Table::Open(path, {"location_id"}, {"name", "capacity_units"}));
  std::vector<Location> out;
  for (;;) {
    SC_TRY(bool more, t.Next());
    if (!more) break;
    Location l;
    SC_TRY(l.id, t.Id("location_id"));
    l.name = t.Text("name");
    SC_TRY(l.capacity_units, t.Number("capacity_units", 0.0));
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::vector<StockSnapshot>> ReadSnapshots(const std::string& path) {
  SC_TRY(Table t, Table::Open(path, {"date", "sku", "location", "on_hand"}, {}));
  std::vector<StockSnapshot> out;
  for (;;) {
    SC_TRY(bool more, t.Next());
    if (!more) break;
    StockSnapshot s;
    SC_TRY(s.date, t.DateValue("date"));
    SC_TRY(s.sku, t.Id("sku"));
    SC_TRY(s.location, t.Id("location"));
    // On hand may be negative in systems that allow backorders.
    SC_TRY(s.on_hand, t.Number("on_hand", NAN, -1e18));
    if (std::isnan(s.on_hand)) return t.Fail("on_hand", "is empty; must be a number");
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<Receipt>> ReadReceipts(const std::string& path) {
  SC_TRY(Table t, Table::Open(path, {"po_id", "sku", "location", "quantity", "date"},
                              {"supplier_id", "order_date", "status"}));
  std::vector<Receipt> out;
  for (;;) {
    SC_TRY(bool more, t.Next());
    if (!more) break;
    Receipt r;
    SC_TRY(r.po_id, t.Id("po_id"));
    SC_TRY(r.sku, t.Id("sku"));
    SC_TRY(r.location, t.Id("location"));
    r.supplier_id = t.Text("supplier_id");
    SC_TRY(r.quantity, t.Number("quantity", NAN));
    if (std::isnan(r.quantity) || r.quantity <= 0) return t.Fail("quantity", "must be > 0");
    SC_TRY(r.date, t.DateValue("date"));
    if (!t.Text("order_date").empty()) {
      SC_TRY(Date od, t.DateValue("order_date"));
      if (od > r.date) return t.Fail("order_date", "is after the receipt date; must be on or before it");
      r.order_date = od;
    }
    auto status = ParseReceiptStatus(t.Text("status"));
    if (!status) return t.Fail("status", fmt::format("= \"{}\"; must be received or open", t.Text("status")));
    r.status = *status;
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<CartAdds>> ReadCartAdds(const std::string& path) {
  SC_TRY(Table t, Table::Open(path, {"date", "sku", "cart_adds"}, {"location"}));
  std::vector<CartAdds> out;
  for (;;) {
    SC_TRY(bool more, t.Next());
    if (!more) break;
    CartAdds c;
    SC_TRY(c.date, t.DateValue("date"));
    SC_TRY(c.sku, t.Id("sku"));
    c.location = t.Text("location");
    SC_TRY(c.cart_adds, t.Number("cart_adds", NAN));
    if (std::isnan(c.cart_adds)) return t.Fail("cart_adds", "is empty; must be a number >= 0");
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<Promotion>> ReadPromotions(const std::string& path) {
  SC_TRY(Table t, Table::Open(path, {"sku", "start_date", "end_date", "discount"}, {"location"}));
  std::vector<Promotion> out;
  for (;;) {
    SC_TRY(bool more, t.Next());
    if (!more) break;
    Promotion p;
    SC_TRY(p.sku, t.Id("sku"));
    p.location = t.Text("location");
    SC_TRY(p.start, t.DateValue("start_date"));
    SC_TRY(p.end, t.DateValue("end_date"));
    if (p.end < p.start) return t.Fail("end_date", "is before start_date; must be on or after it");
    SC_TRY(p.discount, t.Number("discount", NAN));
    if (!(p.discount >= 0 && p.discount < 1)) return t.Fail("discount", "must be a fraction in [0, 1)");
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace stockcast::io
