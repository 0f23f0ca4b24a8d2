#include "stockcast/clean/order_cleaner.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace stockcast::clean {
namespace {
std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::string_view ToString(LineRule rule) {
  switch (rule) {
    case LineRule::kDemand: return "demand";
    case LineRule::kReturn: return "return";
    case LineRule::kDuplicate: return "duplicate";
    case LineRule::kNonProduct: return "non_product";
    case LineRule::kAdjustment: return "adjustment";
    case LineRule::kZeroQuantity: return "zero_quantity";
    case LineRule::kCancelled: return "cancelled";
  }
  return "demand";
}

std::string_view ToString(Warning warning) {
  switch (warning) {
    case Warning::kZeroQuantity: return "zero_quantity";
    case Warning::kMissingPrice: return "missing_price";
    case Warning::kUnknownSku: return "unknown_sku";
    case Warning::kEmptySku: return "empty_sku";
    case Warning::kNoDataLines: return "no_data_lines";
  }
  return "zero_quantity";
}

OrderCleaner::OrderCleaner(const CleanOptions& options) : options_(options) {
  for (const auto& s : options.non_product_skus) non_product_exact_.push_back(Upper(s));
  for (const auto& p : options.non_product_sku_patterns) {
    non_product_patterns_.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
  }
}

void OrderCleaner::BeginFile(const io::OrderReader&) { sku_is_non_product_.clear(); }

void OrderCleaner::EndFile(const io::OrderReader& reader) {
  if (reader.csv().records() == 0) {
    Warn(Warning::kNoDataLines, fmt::format("{}:1", reader.csv().name()),
         "the file has a header but no order lines");
  }
  for (const auto& o : reader.orders().strings()) orders_.insert(o);
  for (const auto& s : reader.skus().strings()) skus_.insert(s);
  facts_.distinct_orders = static_cast<int64_t>(orders_.size());
  facts_.distinct_skus = static_cast<int64_t>(skus_.size());
}

bool OrderCleaner::IsNonProduct(uint32_t sku, const io::OrderReader& reader) {
  if (sku >= sku_is_non_product_.size()) sku_is_non_product_.resize(sku + 1, -1);
  int8_t& cached = sku_is_non_product_[sku];
  if (cached < 0) {
    const std::string& code = reader.skus()[sku];
    const std::string upper = Upper(code);
    bool hit = std::find(non_product_exact_.begin(), non_product_exact_.end(), upper) !=
               non_product_exact_.end();
    for (const auto& extra : reader.mapping().non_product_skus) {
      hit = hit || Upper(extra) == upper;
    }
    for (const auto& re : non_product_patterns_) {
      if (hit) break;
      hit = std::regex_match(code, re);
    }
    cached = hit ? 1 : 0;
  }
  return cached == 1;
}

void OrderCleaner::Record(LineRule rule, const io::OrderLine& line,
                          const io::OrderReader& reader) {
  const int r = static_cast<int>(rule);
  ++counts_[r];
  if (examples_[r].size() < kMaxExamples) {
    examples_[r].push_back(
        {fmt::format("{}:{}", reader.csv().name(), line.line), reader.csv().RecordText()});
  }
}

void OrderCleaner::Warn(Warning warning, std::string where, std::string text) {
  const int w = static_cast<int>(warning);
  ++warning_counts_[w];
  if (warning_examples_[w].size() < kMaxExamples) {
    warning_examples_[w].push_back({std::move(where), std::move(text)});
  }
}

LineRule OrderCleaner::Classify(const io::OrderLine& line, const io::OrderReader& reader) {
  ++facts_.lines_read;
  if (line.cancelled) ++facts_.cancellation_lines;
  if (line.quantity < 0) ++facts_.negative_quantity_lines;
  if (!line.has_customer) ++facts_.lines_without_customer;
  facts_.sum_quantity += line.quantity;
  facts_.sum_value += line.quantity * line.unit_price;
  if (!facts_.first_date || line.date < *facts_.first_date) facts_.first_date = line.date;
  if (!facts_.last_date || line.date > *facts_.last_date) facts_.last_date = line.date;

  LineRule rule;
  if (!seen_.Insert(line.hash)) {
    ++facts_.exact_duplicates;
    rule = LineRule::kDuplicate;
  } else if (line.quantity == 0) {
    rule = LineRule::kZeroQuantity;
    Warn(Warning::kZeroQuantity, fmt::format("{}:{}", reader.csv().name(), line.line),
         reader.csv().RecordText());
  } else if (reader.skus()[line.sku].empty()) {
    rule = LineRule::kNonProduct;
    Warn(Warning::kEmptySku, fmt::format("{}:{}", reader.csv().name(), line.line),
         reader.csv().RecordText());
  } else if (IsNonProduct(line.sku, reader)) {
    rule = LineRule::kNonProduct;
  } else if (line.cancelled && line.quantity > 0) {
    // The order line itself, on an order that was cancelled (Shopify): it never shipped.
    rule = LineRule::kCancelled;
  } else if (line.cancelled) {
    // A cancellation line (UCI "C" invoice, negative quantity): the goods come back.
    rule = LineRule::kReturn;
  } else if (line.quantity < 0) {
    rule = reader.mapping().negative_is_adjustment ? LineRule::kAdjustment : LineRule::kReturn;
  } else {
    rule = LineRule::kDemand;
    if (!line.has_price || line.unit_price <= 0) {
      Warn(Warning::kMissingPrice, fmt::format("{}:{}", reader.csv().name(), line.line),
           reader.csv().RecordText());
    }
  }
  Record(rule, line, reader);
  return rule;
}

}  // namespace stockcast::clean
