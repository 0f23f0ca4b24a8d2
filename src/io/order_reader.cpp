#include "stockcast/io/order_reader.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "stockcast/core/flat_hash.h"

namespace stockcast::io {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

uint32_t Interner::Intern(std::string_view text) {
  const uint64_t h = std::hash<std::string_view>{}(text);
  const size_t mask = slots_.size() - 1;
  size_t i = MixHash(h) & mask;
  while (slots_[i] != 0) {
    const uint32_t id = slots_[i] - 1;
    if (hashes_[id] == h && strings_[id] == text) return id;
    i = (i + 1) & mask;
  }
  const auto id = static_cast<uint32_t>(strings_.size());
  strings_.emplace_back(text);
  hashes_.push_back(h);
  slots_[i] = id + 1;
  if (strings_.size() * 2 > slots_.size()) Grow();
  return id;
}

void Interner::Grow() {
  slots_.assign(slots_.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (uint32_t id = 0; id < strings_.size(); ++id) {
    size_t i = MixHash(hashes_[id]) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = id + 1;
  }
}

bool ParseNumber(std::string_view text, bool decimal_comma, double* out) {
  text = Trim(text);
  if (text.empty()) return false;
  if (text.front() == '+') text.remove_prefix(1);
  char tmp[64];
  if (decimal_comma) {
    if (text.size() >= sizeof tmp) return false;
    for (size_t i = 0; i < text.size(); ++i) tmp[i] = text[i] == ',' ? '.' : text[i];
    text = std::string_view(tmp, text.size());
  }
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && p == text.data() + text.size() && std::isfinite(*out);
}

OrderReader::OrderReader(std::unique_ptr<CsvReader> csv, OrderMapping mapping)
    : csv_(std::move(csv)), mapping_(std::move(mapping)) {
  col_.fill(-1);
  default_location_ = locations_.Intern(mapping_.default_location);
}

Result<std::unique_ptr<OrderReader>> OrderReader::Open(const std::string& path,
                                                       const OrderMapping& mapping) {
  auto source = OpenByteSource(path);
  if (!source.ok()) return source.error();
  return Open(std::move(source).value(), mapping);
}

Result<std::unique_ptr<OrderReader>> OrderReader::Open(std::unique_ptr<ByteSource> source,
                                                       const OrderMapping& mapping) {
  CsvOptions options;
  options.delimiter = mapping.delimiter;
  auto csv = CsvReader::Open(std::move(source), options);
  if (!csv.ok()) return csv.error();
  std::unique_ptr<OrderReader> reader(new OrderReader(std::move(csv).value(), mapping));
  SC_RETURN_IF_ERROR(reader->ResolveColumns());
  return reader;
}

Status OrderReader::ResolveColumns() {
  for (int f = 0; f < kNumOrderFields; ++f) {
    const std::string& name = mapping_.columns[f];
    if (name.empty()) continue;
    if (auto idx = csv_->FindColumn(name)) col_[f] = static_cast<int>(*idx);
  }
  for (OrderField f : mapping_.required) {
    if (col_[static_cast<int>(f)] >= 0) continue;
    std::string have;
    for (const auto& h : csv_->header()) have += (have.empty() ? "\"" : ", \"") + h + "\"";
    return Error::InvalidArgument(fmt::format(
        "{}:1: missing column \"{}\" (field {}) required by {} {}; the header has: {}",
        csv_->name(), mapping_.column(f), ToString(f),
        mapping_.name.find('.') == std::string::npos ? "preset" : "mapping file",
        mapping_.name, have));
  }
  return Status::Ok();
}

Result<bool> OrderReader::Next(OrderLine* out) {
  auto got = csv_->Next();
  if (!got.ok() || !*got) return got;
  const CsvReader& r = *csv_;
  auto field = [&](OrderField f) -> std::string_view {
    const int c = col_[static_cast<int>(f)];
    return c >= 0 ? Trim(r.field(static_cast<size_t>(c))) : std::string_view();
  };
  auto where = [&](OrderField f) { return r.Where(static_cast<size_t>(col_[static_cast<int>(f)])); };

  OrderLine& line = *out;
  line = OrderLine{};
  line.line = r.line();
  uint64_t h = kFnvOffset;
  for (size_t i = 0; i < r.size(); ++i) h = HashWords(h, r.field(i));
  line.hash = MixHash(h);

  const std::string_view order_id = field(OrderField::kOrderId);
  if (order_id.empty()) {
    return Error::InvalidArgument(
        fmt::format("{}: {} is empty; every order line needs an order id", where(OrderField::kOrderId),
                    mapping_.column(OrderField::kOrderId)));
  }
  const bool same_order = !orders_.strings().empty() && last_order_ < orders_.size() &&
                          orders_[last_order_] == order_id;
  line.order = same_order ? last_order_ : orders_.Intern(order_id);

  // An empty SKU (gift cards, custom items in Shopify exports) is not an error: the cleaner
  // counts it as a non-product line with a warning.
  line.sku = skus_.Intern(field(OrderField::kSku));
  if (descriptions_.size() < skus_.size()) descriptions_.resize(skus_.size());
  if (descriptions_[line.sku].empty()) {
    descriptions_[line.sku] = std::string(field(OrderField::kDescription));
  }

  const std::string_view qty = field(OrderField::kQuantity);
  if (!ParseNumber(qty, mapping_.decimal_comma, &line.quantity)) {
    return Error::InvalidArgument(fmt::format("{}: {} = \"{}\"; must be a number",
                                              where(OrderField::kQuantity),
                                              mapping_.column(OrderField::kQuantity), qty));
  }
  if (std::fabs(line.quantity) > kMaxQuantity) {
    return Error::InvalidArgument(fmt::format(
        "{}: {} = {}; must be at most {:g} units in absolute value", where(OrderField::kQuantity),
        mapping_.column(OrderField::kQuantity), qty, kMaxQuantity));
  }
  if (col_[static_cast<int>(OrderField::kUnitPrice)] >= 0) {
    const std::string_view price = field(OrderField::kUnitPrice);
    if (!price.empty()) {
      if (!ParseNumber(price, mapping_.decimal_comma, &line.unit_price)) {
        return Error::InvalidArgument(fmt::format("{}: {} = \"{}\"; must be a number",
                                                  where(OrderField::kUnitPrice),
                                                  mapping_.column(OrderField::kUnitPrice), price));
      }
      line.has_price = true;
    }
  }

  std::string_view ts = field(OrderField::kTimestamp);
  if (ts.empty() && mapping_.carry_order_fields && same_order) {
    line.date = last_.date;
    line.seconds = last_.seconds;
  } else {
    auto parsed = ParseTimestamp(ts, mapping_.date_order);
    if (!parsed) {
      return Error::InvalidArgument(fmt::format(
          "{}: {} = \"{}\"; must be a date or date-time such as 2011-12-09 or "
          "2011-12-09 08:26:00 (slash dates are read in {} order)",
          where(OrderField::kTimestamp), mapping_.column(OrderField::kTimestamp), ts,
          ToString(mapping_.date_order)));
    }
    line.date = parsed->date;
    line.seconds = parsed->seconds;
  }

  const std::string_view loc = field(OrderField::kLocation);
  if (!loc.empty()) {
    line.location = locations_.Intern(loc);
  } else if (mapping_.carry_order_fields && same_order) {
    line.location = last_.location;
  } else {
    line.location = default_location_;
  }
  line.has_customer = !field(OrderField::kCustomerId).empty() ||
                      (mapping_.carry_order_fields && same_order && last_.has_customer);
  line.cancelled =
      (!mapping_.cancel_prefix.empty() && order_id.starts_with(mapping_.cancel_prefix)) ||
      !field(OrderField::kCancelled).empty() ||
      (mapping_.carry_order_fields && same_order && last_.cancelled);
  last_order_ = line.order;
  last_ = line;
  return true;
}

}  // namespace stockcast::io
