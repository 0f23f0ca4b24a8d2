#include "stockcast/clean/report.h"

#include <cmath>

#include <fmt/format.h>

namespace stockcast::clean {
namespace {

nlohmann::json ExamplesJson(const std::vector<Example>& examples) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& e : examples) arr.push_back({{"where", e.where}, {"text", e.text}});
  return arr;
}

constexpr LineRule kRules[] = {LineRule::kDemand,     LineRule::kReturn,
                               LineRule::kDuplicate,  LineRule::kNonProduct,
                               LineRule::kAdjustment, LineRule::kZeroQuantity,
                               LineRule::kCancelled};
constexpr Warning kWarnings[] = {Warning::kZeroQuantity, Warning::kMissingPrice,
                                 Warning::kUnknownSku, Warning::kEmptySku,
                                 Warning::kNoDataLines};

}  // namespace

void CleaningReport::TakeLineCounts(const OrderCleaner& cleaner) {
  facts = cleaner.facts();
  for (LineRule r : kRules) {
    rules[static_cast<int>(r)] = cleaner.count(r);
    examples[static_cast<int>(r)] = cleaner.examples(r);
  }
  for (Warning w : kWarnings) {
    warnings[static_cast<int>(w)] = cleaner.warnings(w);
    warning_examples[static_cast<int>(w)] = cleaner.warning_examples(w);
  }
}

int64_t CleaningReport::total_warnings() const {
  int64_t n = 0;
  for (int64_t w : warnings) n += w;
  return n;
}

nlohmann::json CleaningReport::ToJson() const {
  nlohmann::json j;
  j["dry_run"] = dry_run;
  j["files"] = nlohmann::json::array();
  for (const auto& f : files) {
    nlohmann::json fj = {{"path", f.path}, {"kind", f.kind}, {"rows", f.rows}};
    if (!f.format.empty()) fj["format"] = f.format;
    j["files"].push_back(fj);
  }
  j["lines_read"] = facts.lines_read;
  j["cancellation_lines"] = facts.cancellation_lines;
  j["negative_quantity_lines"] = facts.negative_quantity_lines;
  j["exact_duplicates"] = facts.exact_duplicates;
  j["lines_without_customer"] = facts.lines_without_customer;
  j["distinct_skus"] = facts.distinct_skus;
  j["distinct_orders"] = facts.distinct_orders;
  j["sum_quantity"] = facts.sum_quantity;
  j["sum_value"] = std::round(facts.sum_value * 100.0) / 100.0;
  j["first_date"] = facts.first_date ? facts.first_date->ToString() : "";
  j["last_date"] = facts.last_date ? facts.last_date->ToString() : "";
  nlohmann::json rj = nlohmann::json::object(), ej = nlohmann::json::object();
  for (LineRule r : kRules) {
    const int i = static_cast<int>(r);
    rj[std::string(ToString(r))] = rules[i];
    if (!examples[i].empty() && r != LineRule::kDemand) {
      ej[std::string(ToString(r))] = ExamplesJson(examples[i]);
    }
  }
  j["rules"] = rj;
  nlohmann::json wj = nlohmann::json::object();
  for (Warning w : kWarnings) {
    const int i = static_cast<int>(w);
    if (warnings[i] == 0) continue;
    wj[std::string(ToString(w))] = {{"count", warnings[i]},
                                    {"examples", ExamplesJson(warning_examples[i])}};
  }
  j["warnings"] = wj;
  j["ledger"] = {{"inserted", ledger_inserted}, {"already_present", ledger_already_present}};
  j["series"] = {{"count", series.series},
                 {"days", series.days},
                 {"demand_days", series.demand_days},
                 {"zero_days", series.zero_days},
                 {"missing_days", series.missing_days},
                 {"outlier_days", series.outlier_days},
                 {"censored_days", series.censored_days},
                 {"promotion_days", series.promotion_days},
                 {"capped_units", std::round(series.capped_units * 10.0) / 10.0}};
  if (!series.outlier_examples.empty()) ej["outlier"] = ExamplesJson(series.outlier_examples);
  if (!series.censored_examples.empty()) ej["censored"] = ExamplesJson(series.censored_examples);
  if (!series.missing_examples.empty()) ej["missing_day"] = ExamplesJson(series.missing_examples);
  j["examples"] = ej;
  j["seconds"] = std::round(seconds * 1000.0) / 1000.0;
  nlohmann::json stages = nlohmann::json::object();
  for (const auto& [stage, sec] : stage_seconds) stages[stage] = std::round(sec * 1000.0) / 1000.0;
  j["stage_seconds"] = stages;
  return j;
}

std::string CleaningReport::ToText() const {
  std::string out;
  auto line = [&](std::string_view name, auto value, std::string_view note = {}) {
    out += fmt::format("  {:<28}{:>12}{}{}\n", name, value, note.empty() ? "" : "  ", note);
  };
  out += dry_run ? "Cleaning report (dry run: nothing written)\n" : "Cleaning report\n";
  for (const auto& f : files) {
    out += fmt::format("  {:<16} {} ({} rows{}{})\n", f.kind, f.path, f.rows,
                       f.format.empty() ? "" : ", ", f.format);
  }
  if (facts.lines_read > 0) {
    out += fmt::format("Order lines {} .. {}\n",
                       facts.first_date ? facts.first_date->ToString() : "-",
                       facts.last_date ? facts.last_date->ToString() : "-");
    line("lines read", facts.lines_read);
    line("cancellation lines", facts.cancellation_lines);
    line("negative quantity lines", facts.negative_quantity_lines);
    line("exact duplicates", facts.exact_duplicates);
    line("lines without customer", facts.lines_without_customer);
    line("distinct SKUs", facts.distinct_skus);
    line("distinct orders", facts.distinct_orders);
    out += "Lines by rule\n";
    for (LineRule r : kRules) {
      const int i = static_cast<int>(r);
      std::string note;
      if (!examples[i].empty() && r != LineRule::kDemand) note = "e.g. " + examples[i][0].where;
      line(ToString(r), rules[i], note);
    }
  }
  if (total_warnings() > 0) {
    out += "Warnings (--strict makes these errors)\n";
    for (Warning w : kWarnings) {
      const int i = static_cast<int>(w);
      if (warnings[i] == 0) continue;
      line(ToString(w), warnings[i], "e.g. " + warning_examples[i][0].where);
    }
  }
  out += "Daily series\n";
  line("series (SKU x location)", series.series);
  line("days with demand", series.demand_days);
  line("zero-demand days", series.zero_days);
  line("missing days (no data)", series.missing_days);
  line("outlier days (capped)", series.outlier_days,
       series.outlier_examples.empty() ? "" : "e.g. " + series.outlier_examples[0].where);
  line("censored days (stockout)", series.censored_days,
       series.censored_examples.empty() ? "" : "e.g. " + series.censored_examples[0].where);
  if (!dry_run) {
    line("ledger movements added", ledger_inserted);
    line("already imported", ledger_already_present);
  }
  return out;
}

}  // namespace stockcast::clean
