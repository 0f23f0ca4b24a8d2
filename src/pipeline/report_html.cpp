#include "stockcast/pipeline/report_html.h"

#include <algorithm>
#include <utility>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "stockcast/pipeline/forecast_run.h"
#include "stockcast/pipeline/plan_loop.h"
#include "stockcast/pipeline/plan_run.h"
#include "stockcast/policy/reorder_point.h"

namespace stockcast::pipeline {
namespace {

using Json = nlohmann::json;
using Key = std::pair<std::string, std::string>;

constexpr const char* kCss = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:24px auto;max-width:1100px;color:#1f2933;padding:0 16px}
h1{font-size:1.6em;margin-bottom:4px}h2{border-bottom:2px solid #e4e7eb;padding-bottom:4px;margin-top:36px}
h3{margin:24px 0 6px}.muted{color:#616e7c}.note{background:#f5f7fa;border-left:4px solid #9aa5b1;padding:8px 12px}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:8px 0}
th,td{border-bottom:1px solid #e4e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f7fa}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.kpis{display:flex;gap:12px;flex-wrap:wrap}.kpi{background:#f5f7fa;border-radius:6px;padding:8px 14px}
.kpi b{display:block;font-size:1.3em}.why{font-size:.85em;color:#3e4c59}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.legend span{display:inline-block;margin-right:14px;font-size:.8em}
.sw{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
svg{background:#fff;border:1px solid #e4e7eb;border-radius:4px;width:100%;height:auto}
.risk-high{color:#b91c1c;font-weight:600}code{background:#f5f7fa;padding:1px 4px}
)css";

std::string Num(double v, int decimals = 1) {
  if (!std::isfinite(v)) return "–";
  if (std::abs(v - std::round(v)) < 1e-9) return fmt::format("{:.0f}", v);
  return fmt::format("{:.{}f}", v, decimals);
}

std::string Pct(double p) { return fmt::format("{:.1f}%", 100.0 * p); }

// A round step for about `target` ticks over [0, max]: 1, 2 or 5 times a power of ten.
double NiceStep(double max, int target) {
  const double raw = max / std::max(target, 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw) return m * mag;
  }
  return 10.0 * mag;
}

// A small SVG line chart: x in days from a base date, y from 0 to a rounded maximum.
class SvgChart {
 public:
  SvgChart(Date base, int days, double y_max) : base_(base), days_(std::max(days, 2)) {
    step_ = NiceStep(std::max(y_max, 1.0) * 1.05, 4);
    y_max_ = step_ * std::ceil(std::max(y_max, 1.0) * 1.05 / step_);
  }

  // Label the x axis with integer periods from `first` instead of dates.
  void UsePeriods(int64_t first) { period0_ = first; }

  double X(double day) const { return kLeft + day / (days_ - 1) * (kWidth - kLeft - kRight); }
  double Y(double v) const { return kTop + (1.0 - v / y_max_) * (kHeight - kTop - kBottom); }
  double XOf(Date d) const { return X(d - base_); }

  void Band(const std::vector<Date>& dates, const std::vector<double>& lower,
            const std::vector<double>& upper, const char* color) {
    if (dates.empty()) return;
    std::string pts;
    for (size_t i = 0; i < dates.size(); ++i) {
      pts += fmt::format("{:.1f},{:.1f} ", XOf(dates[i]), Y(upper[i]));
    }
    for (size_t i = dates.size(); i-- > 0;) {
      pts += fmt::format("{:.1f},{:.1f} ", XOf(dates[i]), Y(lower[i]));
    }
    body_ += fmt::format(R"(<polygon points="{}" fill="{}" fill-opacity="0.25" stroke="none"/>)",
                         pts, color);
  }

  // A polyline broken at non-finite values (missing days).
  void Line(const std::vector<Date>& dates, const std::vector<double>& ys, const char* color,
            double width, bool dashed) {
    std::string pts;
    auto flush = [&] {
      if (pts.empty()) return;
      body_ += fmt::format(
          R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="{}"{}/>)", pts, color,
          width, dashed ? R"( stroke-dasharray="5,3")" : "");
      pts.clear();
    };
    for (size_t i = 0; i < dates.size(); ++i) {
      if (!std::isfinite(ys[i])) {
        flush();
        continue;
      }
      pts += fmt::format("{:.1f},{:.1f} ", XOf(dates[i]), Y(ys[i]));
    }
    flush();
  }

  void Circle(Date d, double v, const char* color, const std::string& title) {
    body_ += fmt::format(
        R"(<circle cx="{:.1f}" cy="{:.1f}" r="3.5" fill="none" stroke="{}" stroke-width="1.5"><title>{}</title></circle>)",
        XOf(d), Y(v), color, HtmlEscape(title));
  }

  void Diamond(Date d, double v, const char* color, const std::string& title) {
    const double x = XOf(d);
    const double y = Y(v);
    body_ += fmt::format(
        R"(<polygon points="{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}" fill="{}"><title>{}</title></polygon>)",
        x, y - 4.5, x + 4.5, y, x, y + 4.5, x - 4.5, y, color, HtmlEscape(title));
  }

  void Triangle(Date d, double v, const char* color, const std::string& title) {
    const double x = XOf(d);
    const double y = Y(v);
    body_ += fmt::format(
        R"(<polygon points="{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}" fill="{}"><title>{}</title></polygon>)",
        x, y - 5, x + 5, y + 4, x - 5, y + 4, color, HtmlEscape(title));
  }

  void HLine(double v, const char* color, const std::string& label) {
    const double y = Y(std::min(v, y_max_));
    body_ += fmt::format(
        R"(<line x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}" stroke="{}" stroke-width="1.5" stroke-dasharray="6,4"/>)",
        kLeft, y, kWidth - kRight, y, color);
    body_ += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="10" fill="{}" text-anchor="end">{}</text>)",
                         kWidth - kRight - 2, y - 3, color, HtmlEscape(label));
  }

  void VLine(Date d, const std::string& label) {
    const double x = XOf(d);
    body_ += fmt::format(
        R"(<line x1="{:.1f}" y1="{}" x2="{:.1f}" y2="{}" stroke="#9aa5b1" stroke-width="1" stroke-dasharray="2,2"/>)",
        x, kTop, x, kHeight - kBottom);
    body_ += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="10" fill="#616e7c">{}</text>)",
                         x + 3, kTop + 10, HtmlEscape(label));
  }

  std::string Finish(const std::string& title) const {
    std::string axes;
    for (double v = 0.0; v <= y_max_ + 1e-9; v += step_) {
      axes += fmt::format(
          R"(<line x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}" stroke="#eef0f3"/><text x="{}" y="{:.1f}" font-size="10" fill="#616e7c" text-anchor="end">{}</text>)",
          kLeft, Y(v), kWidth - kRight, Y(v), kLeft - 4, Y(v) + 3, Num(v, 1));
    }
    const int ticks = 5;
    for (int i = 0; i <= ticks; ++i) {
      const int day = (days_ - 1) * i / ticks;
      axes += fmt::format(
          R"(<text x="{:.1f}" y="{}" font-size="10" fill="#616e7c" text-anchor="middle">{}</text>)",
          X(day), kHeight - kBottom + 14,
          period0_ ? std::to_string(*period0_ + day) : (base_ + day).ToString());
    }
    axes += fmt::format(
        R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#9aa5b1"/>)", kLeft,
        kHeight - kBottom, kWidth - kRight, kHeight - kBottom);
    return fmt::format(
        R"(<svg viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>{}{}</svg>)",
        kWidth, kHeight, HtmlEscape(title), HtmlEscape(title), axes, body_);
  }

 private:
  static constexpr int kWidth = 540, kHeight = 220, kLeft = 44, kRight = 14, kTop = 10,
                       kBottom = 24;
  Date base_;
  int days_;
  double y_max_ = 1.0;
  double step_ = 1.0;
  std::optional<int64_t> period0_;
  std::string body_;
};

std::string Legend(std::initializer_list<std::pair<const char*, const char*>> items) {
  std::string out = R"(<div class="legend">)";
  for (const auto& [color, label] : items) {
    out += fmt::format(R"(<span><i class="sw" style="background:{}"></i>{}</span>)", color,
                       HtmlEscape(label));
  }
  return out + "</div>";
}

// Scalars of a JSON object as table rows (nested objects/arrays are skipped).
std::string ScalarRows(const Json& obj) {
  std::string out;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const Json& v = it.value();
    if (v.is_object() || v.is_array()) continue;
    const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    out += fmt::format(R"(<tr><td>{}</td><td class="n">{}</td></tr>)", HtmlEscape(it.key()),
                       HtmlEscape(text));
  }
  return out;
}

std::string JsonText(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string CleaningSection(const std::optional<RunInfo>& import_run, const std::string& db) {
  std::string out = R"(<h2 id="cleaning">Cleaning report</h2>)";
  if (!import_run) {
    return out + fmt::format(R"(<p class="note">No import yet: run <code>stockcast import --db {}</code>.</p>)",
                             HtmlEscape(db));
  }
  out += fmt::format(R"(<p class="muted">Import run {} ({}, {}).</p>)", import_run->id,
                     HtmlEscape(import_run->started_at), HtmlEscape(import_run->status));
  const Json report = Json::parse(import_run->report_json, nullptr, /*allow_exceptions=*/false);
  if (report.is_discarded() || !report.is_object()) {
    return out + R"(<p class="note">The import run's report is not a JSON object.</p>)";
  }
  const std::string totals = ScalarRows(report);
  if (!totals.empty()) {
    out += R"(<table><tr><th>measure</th><th class="n">value</th></tr>)" + totals + "</table>";
  }
  if (auto it = report.find("rules"); it != report.end() && it->is_object() && !it->empty()) {
    out += R"(<h3>Rules applied</h3><table><tr><th>rule</th><th class="n">count</th></tr>)";
    for (auto r = it->begin(); r != it->end(); ++r) {
      out += fmt::format(R"(<tr><td>{}</td><td class="n">{}</td></tr>)", HtmlEscape(r.key()),
                         HtmlEscape(JsonText(r.value())));
    }
    out += "</table>";
  }
  if (auto it = report.find("series"); it != report.end() && it->is_object() && !it->empty()) {
    const std::string rows = ScalarRows(*it);
    if (!rows.empty()) {
      out += R"(<h3>Series</h3><table><tr><th>measure</th><th class="n">value</th></tr>)" + rows +
             "</table>";
    }
  }
  if (auto it = report.find("examples"); it != report.end() && it->is_object() && !it->empty()) {
    out += "<h3>Examples</h3>";
    for (auto e = it->begin(); e != it->end(); ++e) {
      out += fmt::format("<p><b>{}</b></p><ul>", HtmlEscape(e.key()));
      const Json items = e.value().is_array() ? e.value() : Json::array({e.value()});
      for (const Json& item : items) {
        if (item.is_object()) {
          const std::string where = item.contains("where") ? JsonText(item["where"]) : "";
          const std::string text = item.contains("text") ? JsonText(item["text"]) : item.dump();
          out += fmt::format("<li><code>{}</code> {}</li>", HtmlEscape(where), HtmlEscape(text));
        } else {
          out += fmt::format("<li>{}</li>", HtmlEscape(JsonText(item)));
        }
      }
      out += "</ul>";
    }
  }
  return out;
}

std::optional<RunInfo> OkRun(Result<std::optional<RunInfo>> r) {
  if (!r.ok() || !r.value() || r.value()->status != "ok") return std::nullopt;
  return *r.value();
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

Status ReportOptions::Validate() const {
  if (history_days < 7) {
    return Error::InvalidArgument(fmt::format("history_days = {}; must be >= 7", history_days));
  }
  if (chart_series < 0) {
    return Error::InvalidArgument(fmt::format("chart_series = {}; must be >= 0", chart_series));
  }
  if (review_period_days < 1) {
    return Error::InvalidArgument(
        fmt::format("review_period_days = {}; must be >= 1", review_period_days));
  }
  return Status::Ok();
}

Result<std::string> RenderHtmlReport(Store& store, const ReportOptions& options) {
  SC_RETURN_IF_ERROR(options.Validate());
  const std::string db = store.path();
  DemandPanel loaded;
  if (options.panel == nullptr) {
    SC_ASSIGN_OR_RETURN(loaded, store.LoadPanel());
  }
  const DemandPanel& panel = options.panel != nullptr ? *options.panel : loaded;
  SC_ASSIGN_OR_RETURN(std::vector<Product> products, store.ListProducts());
  SC_ASSIGN_OR_RETURN(std::optional<RunInfo> import_run, store.LatestRun("import"));
  const std::optional<RunInfo> plan_run = OkRun(store.LatestRun("plan"));
  std::optional<RunInfo> forecast_run = OkRun(store.LatestRun("forecast"));

  std::vector<PlanLine> plan;
  int64_t forecast_id = forecast_run ? forecast_run->id : 0;
  if (plan_run) {
    SC_ASSIGN_OR_RETURN(plan, store.ListPlan(plan_run->id));
    // Chart the forecast the plan was made from.
    const Json params = Json::parse(plan_run->params_json, nullptr, false);
    if (params.is_object() && params.contains("forecast_run_id") &&
        params["forecast_run_id"].is_number_integer()) {
      forecast_id = params["forecast_run_id"].get<int64_t>();
    }
  }
  const bool given_rows =
      options.forecast_rows_for && options.forecast_run_id == forecast_id && forecast_id > 0;
  std::vector<ForecastRow> forecast_rows;
  if (forecast_id > 0 && !given_rows) {
    SC_ASSIGN_OR_RETURN(forecast_rows, store.ListForecasts(forecast_id));
  }
  std::vector<Receipt> receipts;
  if (plan_run) {
    SC_ASSIGN_OR_RETURN(receipts, store.ListReceipts());
  }

  const MasterIndex master(products, {});
  std::set<std::string> skus, locations;
  for (const SeriesKey& k : panel.keys()) {
    skus.insert(k.sku);
    locations.insert(k.location);
  }

  std::string html;
  html += R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">)";
  html += R"(<meta name="viewport" content="width=device-width, initial-scale=1">)";
  html += "<title>stockcast report</title><style>";
  html += kCss;
  html += "</style></head><body>";
  html += "<h1>stockcast report</h1>";
  html += fmt::format(R"(<p class="muted">Database <code>{}</code>.)", HtmlEscape(db));
  if (panel.num_days() > 0) {
    html += fmt::format(" History {} to {} ({} days).", panel.start().ToString(),
                        panel.end().ToString(), panel.num_days());
  }
  html += "</p>";

  // Headline numbers.
  size_t orders = 0;
  double units = 0.0;
  double cost = 0.0;
  for (const PlanLine& l : plan) {
    if (l.quantity <= 0) continue;
    ++orders;
    units += l.quantity;
    cost += l.quantity * l.unit_cost;
  }
  html += R"(<div class="kpis" id="summary">)";
  auto kpi = [&](const std::string& label, const std::string& value) {
    html += fmt::format(R"(<div class="kpi"><b>{}</b>{}</div>)", HtmlEscape(value),
                        HtmlEscape(label));
  };
  kpi("series (SKU x location)", std::to_string(panel.num_series()));
  kpi("SKUs", std::to_string(skus.size()));
  kpi("locations", std::to_string(locations.size()));
  kpi("products", std::to_string(products.size()));
  if (plan_run) {
    kpi("order lines today", std::to_string(orders));
    kpi("units to order", Num(units, 0));
    kpi("order value", Num(cost, 2));
  }
  html += "</div>";
  html += R"(<p class="muted">)";
  if (forecast_run) {
    html += fmt::format("Forecast run {} ({}). ", forecast_id, HtmlEscape(forecast_run->started_at));
  }
  if (plan_run) {
    html += fmt::format("Plan run {} ({}).", plan_run->id, HtmlEscape(plan_run->started_at));
  }
  html += "</p>";

  // What to order today.
  html += R"(<h2 id="orders">What to order today</h2>)";
  if (!plan_run) {
    html += fmt::format(
        R"(<p class="note">No plan yet: run <code>stockcast plan --db {0}</code> (it forecasts first when needed).</p>)",
        HtmlEscape(db));
  } else if (orders == 0) {
    html += R"(<p class="note">Nothing needs ordering today: every inventory position is above its reorder point.</p>)";
  } else {
    std::vector<const PlanLine*> lines;
    for (const PlanLine& l : plan) {
      if (l.quantity > 0) lines.push_back(&l);
    }
    std::sort(lines.begin(), lines.end(), [](const PlanLine* a, const PlanLine* b) {
      return std::tie(a->supplier_id, a->sku, a->location) <
             std::tie(b->supplier_id, b->sku, b->location);
    });
    html += R"(<table><tr><th>supplier</th><th>SKU</th><th>location</th><th class="n">quantity</th><th>bound by</th><th>arrives</th><th class="n">unit cost</th><th class="n">line cost</th><th>why</th></tr>)";
    for (const PlanLine* l : lines) {
      html += fmt::format(
          R"(<tr><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="why">{}</td></tr>)",
          HtmlEscape(l->supplier_id.empty() ? "(unknown)" : l->supplier_id), HtmlEscape(l->sku),
          HtmlEscape(l->location), Num(l->quantity, 2), HtmlEscape(l->binding),
          l->arrival_date.ToString(), Num(l->unit_cost, 2), Num(l->quantity * l->unit_cost, 2),
          HtmlEscape(l->explanation));
    }
    html += fmt::format(
        R"(<tr><th colspan="3">total</th><th class="n">{}</th><th colspan="3"></th><th class="n">{}</th><th></th></tr></table>)",
        Num(units, 2), Num(cost, 2));
  }

  // Riskiest SKUs.
  std::vector<const PlanLine*> ranked;
  for (const PlanLine& l : plan) ranked.push_back(&l);
  std::sort(ranked.begin(), ranked.end(), [](const PlanLine* a, const PlanLine* b) {
    if (a->stockout_probability != b->stockout_probability) {
      return a->stockout_probability > b->stockout_probability;
    }
    if (a->days_of_supply != b->days_of_supply) return a->days_of_supply < b->days_of_supply;
    return std::tie(a->sku, a->location) < std::tie(b->sku, b->location);
  });
  html += R"(<h2 id="risk">Riskiest SKUs</h2>)";
  if (!plan_run) {
    html += R"(<p class="note">Risk needs a plan: see above.</p>)";
  } else {
    html += R"(<p class="muted">Chance of running out before the next receipt if nothing is ordered now (normal approximation of demand over lead time + review period), then days until today's stock runs out at the forecast mean.</p>)";
    html += R"(<table><tr><th>SKU</th><th>location</th><th class="n">stockout risk</th><th class="n">days of supply</th><th class="n">on hand</th><th class="n">on order</th><th class="n">reorder point</th><th class="n">ordering now</th></tr>)";
    for (size_t i = 0; i < ranked.size() && i < 10; ++i) {
      const PlanLine& l = *ranked[i];
      html += fmt::format(
          R"(<tr><td>{}</td><td>{}</td><td class="n{}">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>)",
          HtmlEscape(l.sku), HtmlEscape(l.location),
          l.stockout_probability >= 0.5 ? " risk-high" : "", Pct(l.stockout_probability),
          l.days_of_supply >= 999 ? std::string("999+") : Num(l.days_of_supply, 1),
          Num(l.on_hand, 1), Num(l.on_order, 1), Num(l.reorder_point, 1), Num(l.quantity, 1));
    }
    html += "</table>";
  }

  // SKU charts: the riskiest first (up to half), then the top sellers by recent revenue.
  // Alerts: the live ones `plan` keeps in the store.
  {
    SC_ASSIGN_OR_RETURN(std::vector<AlertRecord> alerts, store.ListAlerts(false));
    html += R"(<h2 id="alerts">Alerts</h2>)";
    if (alerts.empty()) {
      html += R"(<p class="note">No open alerts.)" +
              std::string(plan_run ? "" : " Alerts are raised by <code>stockcast plan</code>.") +
              "</p>";
    } else {
      auto rank = [](const std::string& level) {
        return level == "high" ? 0 : level == "medium" ? 1 : 2;
      };
      std::stable_sort(alerts.begin(), alerts.end(), [&](const AlertRecord& a, const AlertRecord& b) {
        if (rank(a.level) != rank(b.level)) return rank(a.level) < rank(b.level);
        return a.impact > b.impact;
      });
      std::map<std::string, int> by_level;
      double money = 0;
      for (const AlertRecord& a : alerts) {
        ++by_level[a.level];
        money += a.impact;
      }
      html += fmt::format(
          R"(<p class="muted">{} open: {} high, {} medium, {} low; money at risk {}. Level = probability band x money band (risk matrix); an alert rises one level while it persists.</p>)",
          alerts.size(), by_level["high"], by_level["medium"], by_level["low"], Num(money, 0));
      html += R"(<table><tr><th>level</th><th>type</th><th>SKU</th><th>location</th><th class="n">probability</th><th class="n">impact</th><th>action</th><th>since</th><th class="n">runs</th><th>what</th></tr>)";
      constexpr size_t kMaxAlertRows = 25;
      for (size_t i = 0; i < alerts.size() && i < kMaxAlertRows; ++i) {
        const AlertRecord& a = alerts[i];
        html += fmt::format(
            R"(<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="why">{}</td></tr>)",
            HtmlEscape(a.level), HtmlEscape(a.type), HtmlEscape(a.sku), HtmlEscape(a.location),
            Pct(a.probability), Num(a.impact, 0), HtmlEscape(a.action), a.first_seen.ToString(),
            a.occurrences, HtmlEscape(a.message));
      }
      html += "</table>";
      if (alerts.size() > kMaxAlertRows) {
        html += fmt::format(R"(<p class="muted">... {} more in alerts.csv.</p>)",
                            alerts.size() - kMaxAlertRows);
      }
    }
  }

  // KPIs of the latest plan run.
  if (plan_run) {
    SC_ASSIGN_OR_RETURN(std::vector<KpiRecord> kpis, store.ListKpis(plan_run->id));
    if (!kpis.empty()) {
      html += R"(<h2 id="kpis">KPIs</h2>)";
      std::map<std::string, double> total;
      std::map<std::string, std::map<std::string, double>> by_location, by_period;
      for (const KpiRecord& k : kpis) {
        if (k.scope == "total") total[k.metric] = k.value;
        if (k.scope == "location") by_location[k.key][k.metric] = k.value;
        if (k.scope == "period") by_period[k.period][k.metric] = k.value;
      }
      auto pct = [](double v) { return std::isfinite(v) ? Pct(v) : std::string("unknown"); };
      auto num = [](double v, int d) { return std::isfinite(v) ? Num(v, d) : std::string("unknown"); };
      html += R"(<div class="kpis">)";
      const std::pair<const char*, std::string> tiles[] = {
          {"fill rate", pct(total["fill_rate"])},
          {"cycle service (months without a stockout day)", pct(total["cycle_service_level"])},
          {"stockout days", pct(total["stockout_rate"])},
          {"inventory turnover / year", num(total["inventory_turnover"], 1)},
          {"days of supply", num(total["days_of_supply"], 1)},
          {"GMROI", num(total["gmroi"], 2)},
          {"lost sales value", num(total["lost_sales_value"], 0)},
          {"holding cost", num(total["holding_cost"], 0)},
          {"inventory value", num(total["inventory_value"], 0)},
      };
      for (const auto& [label, value] : tiles) {
        html += fmt::format(R"(<div class="kpi"><b>{}</b>{}</div>)", HtmlEscape(value), label);
      }
      html += "</div>";
      html += R"(<p class="muted">Over the last 365 days of history. Unknown = no stock data (inventory KPIs are never guessed as 0). Lost sales on stockout days are estimated from the same month's uncensored days.</p>)";
      if (!by_location.empty()) {
        html += R"(<table><tr><th>location</th><th class="n">fill rate</th><th class="n">stockout days</th><th class="n">turnover</th><th class="n">days of supply</th><th class="n">GMROI</th><th class="n">lost sales</th><th class="n">inventory value</th></tr>)";
        for (auto& [loc, m] : by_location) {
          html += fmt::format(
              R"(<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>)",
              HtmlEscape(loc), pct(m["fill_rate"]), pct(m["stockout_rate"]),
              num(m["inventory_turnover"], 1), num(m["days_of_supply"], 1), num(m["gmroi"], 2),
              num(m["lost_sales_value"], 0), num(m["inventory_value"], 0));
        }
        html += "</table>";
      }
      // Fill rate and stockout days by month.
      std::vector<Date> months;
      std::vector<double> fill, stockout;
      for (auto& [period, m] : by_period) {
        auto d = Date::Parse(period + "-01");
        if (!d) continue;
        months.push_back(*d);
        fill.push_back(100 * m["fill_rate"]);
        stockout.push_back(100 * m["stockout_rate"]);
      }
      if (months.size() >= 2) {
        SvgChart chart(months.front(), months.back() - months.front() + 1, 100.0);
        chart.Line(months, fill, "#047857", 2.0, false);
        chart.Line(months, stockout, "#dc2626", 2.0, false);
        for (size_t i = 0; i < months.size(); ++i) {
          if (std::isfinite(fill[i])) {
            chart.Circle(months[i], fill[i], "#047857",
                         months[i].ToString().substr(0, 7) + ": fill rate " + Num(fill[i], 1) + "%");
          }
        }
        html += chart.Finish("fill rate and stockout days by month (%)");
        html += Legend({{"#047857", "fill rate %"}, {"#dc2626", "stockout days %"}});
      }
    }
  }

  html += R"(<h2 id="charts">Selected SKUs</h2>)";
  std::vector<Key> chosen;
  auto choose = [&](const Key& k) {
    if (static_cast<int>(chosen.size()) >= options.chart_series) return;
    if (std::find(chosen.begin(), chosen.end(), k) == chosen.end() &&
        panel.Find(k.first, k.second)) {
      chosen.push_back(k);
    }
  };
  for (size_t i = 0; i < ranked.size() && static_cast<int>(chosen.size()) < (options.chart_series + 1) / 2; ++i) {
    choose({ranked[i]->sku, ranked[i]->location});
  }
  {
    std::vector<std::pair<double, size_t>> revenue;
    const int last = panel.num_days();
    for (size_t s = 0; s < panel.num_series(); ++s) {
      const auto demand = std::as_const(panel).column(PanelColumn::kDemand, s);
      const auto price = std::as_const(panel).column(PanelColumn::kPrice, s);
      double list_price = 0.0;
      if (const Product* p = master.product(panel.key(s).sku)) list_price = p->price;
      double r = 0.0;
      for (int t = std::max(0, last - 90); t < last; ++t) {
        const double q = demand[static_cast<size_t>(t)];
        if (!std::isfinite(q)) continue;
        const double p = price[static_cast<size_t>(t)];
        r += q * (std::isfinite(p) ? p : list_price);
      }
      revenue.emplace_back(r, s);
    }
    std::stable_sort(revenue.begin(), revenue.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [r, s] : revenue) choose({panel.key(s).sku, panel.key(s).location});
  }
  if (chosen.empty()) {
    html += R"(<p class="note">No history to chart yet.</p>)";
  } else {
    html += R"(<p class="muted">Left: daily demand (cleaned) over the last days, with stockout days (sales understate demand) and capped outliers marked, then the forecast mean and its band. Right: projected on-hand stock (P10–P90 over 100 simulated demand paths) if the plan is followed: open orders and today's order arrive, and later reviews order by the same levels; against the reorder point.</p>)";
  }
  if (given_rows) {
    std::vector<SeriesKey> keys;
    for (const Key& k : chosen) keys.push_back({k.first, k.second});
    forecast_rows = options.forecast_rows_for(keys);
  }
  const Date forecast_from = panel.num_days() > 0 ? panel.start() : Date();
  const auto forecasts = ForecastsFromRows(forecast_rows, forecast_from);
  std::map<Key, const forecast::Forecast*> forecast_by_key;
  std::map<Key, Date> forecast_start;
  for (const auto& [k, f] : forecasts) forecast_by_key[{k.sku, k.location}] = &f;
  for (const ForecastRow& r : forecast_rows) {
    auto [it, inserted] = forecast_start.emplace(Key{r.sku, r.location}, r.date);
    if (!inserted) it->second = std::min(it->second, r.date);
  }
  std::map<Key, const PlanLine*> plan_by_key;
  for (const PlanLine& l : plan) plan_by_key[{l.sku, l.location}] = &l;

  for (const Key& key : chosen) {
    const size_t s = *panel.Find(key.first, key.second);
    std::string name;
    if (const Product* p = master.product(key.first); p != nullptr && !p->name.empty()) {
      name = " — " + p->name;
    }
    html += fmt::format("<h3>{} @ {}{}</h3>", HtmlEscape(key.first), HtmlEscape(key.second),
                        HtmlEscape(name));
    html += R"(<div class="charts"><div>)";

    // History + forecast.
    const int n = panel.num_days();
    const int first = std::max(0, n - options.history_days);
    const auto demand = std::as_const(panel).column(PanelColumn::kDemand, s);
    const auto raw = std::as_const(panel).column(PanelColumn::kRawDemand, s);
    const auto flags = panel.flags(s);
    std::vector<Date> hist_dates;
    std::vector<double> hist;
    double y_max = 0.0;
    for (int t = first; t < n; ++t) {
      hist_dates.push_back(panel.DateAt(t));
      const double v = demand[static_cast<size_t>(t)];
      hist.push_back(v);
      if (std::isfinite(v)) y_max = std::max(y_max, v);
      if (flags[static_cast<size_t>(t)] & kFlagOutlier) {
        const double r = raw[static_cast<size_t>(t)];
        if (std::isfinite(r)) y_max = std::max(y_max, r);
      }
    }
    const forecast::Forecast* fc = nullptr;
    if (auto it = forecast_by_key.find(key); it != forecast_by_key.end()) fc = it->second;
    std::vector<Date> fc_dates;
    if (fc != nullptr) {
      const Date start = forecast_start[key];
      for (int h = 0; h < fc->horizon(); ++h) fc_dates.push_back(start + h);
      for (double v : fc->mean) y_max = std::max(y_max, v);
      if (!fc->quantiles.empty()) {
        for (double v : fc->quantiles.back()) y_max = std::max(y_max, v);
      }
    }
    const Date base = panel.DateAt(first);
    const Date end = fc_dates.empty() ? panel.end() : std::max(panel.end(), fc_dates.back());
    SvgChart chart(base, (end - base) + 1, y_max);
    std::string band_label = "forecast band";
    if (fc != nullptr && fc->levels.size() >= 2) {
      chart.Band(fc_dates, fc->quantiles.front(), fc->quantiles.back(), "#3b82f6");
      band_label = fmt::format("P{}–P{}", Num(fc->levels.front() * 100, 1),
                               Num(fc->levels.back() * 100, 1));
    }
    chart.Line(hist_dates, hist, "#334e68", 1.3, false);
    if (fc != nullptr) {
      chart.Line(fc_dates, fc->mean, "#1d4ed8", 2.0, true);
      chart.VLine(fc_dates.front(), "forecast");
    }
    for (size_t i = 0; i < hist_dates.size(); ++i) {
      const uint8_t f = flags[static_cast<size_t>(first) + i];
      if (f & kFlagCensored) {
        chart.Circle(hist_dates[i], std::isfinite(hist[i]) ? hist[i] : 0.0, "#dc2626",
                     hist_dates[i].ToString() + ": out of stock, sales " + Num(hist[i], 1));
      }
      if (f & kFlagOutlier) {
        const double r = raw[static_cast<size_t>(first) + i];
        chart.Diamond(hist_dates[i], std::isfinite(r) ? r : hist[i], "#f59e0b",
                      hist_dates[i].ToString() + ": outlier " + Num(r, 1) + " capped to " +
                          Num(hist[i], 1));
      }
    }
    html += chart.Finish(key.first + " demand history and forecast");
    html += Legend({{"#334e68", "demand"},
                    {"#1d4ed8", "forecast mean"},
                    {"#93b4f7", band_label.c_str()},
                    {"#dc2626", "stockout day"},
                    {"#f59e0b", "outlier (recorded value)"}});
    html += "</div><div>";

    // Projected stock.
    auto pl = plan_by_key.find(key);
    if (pl == plan_by_key.end() || fc == nullptr) {
      html += R"(<p class="note">No plan for this series yet.</p>)";
    } else {
      const PlanLine& line = *pl->second;
      const auto sliced = ForecastsFromRows(
          std::span<const ForecastRow>(forecast_rows), line.order_date);
      const forecast::Forecast* from_today = nullptr;
      for (const auto& [k, f] : sliced) {
        if (k.sku == key.first && k.location == key.second) from_today = &f;
      }
      if (from_today == nullptr || from_today->horizon() == 0) {
        html += R"(<p class="note">The forecast ends before the plan date.</p>)";
      } else {
        // The same projection as projection.csv: simulated demand paths through the plan's
        // (s, S) levels, later reviews included.
        std::vector<double> mean, sd;
        for (int t = 0; t < from_today->horizon(); ++t) {
          mean.push_back(std::max(from_today->mean[static_cast<size_t>(t)], 0.0));
          sd.push_back(policy::DailyDemandSd(*from_today, t));
        }
        const auto arrivals = PlannedArrivals(line, receipts);
        std::vector<std::pair<int, double>> by_day;
        for (const auto& [date, q] : arrivals) by_day.emplace_back(std::max(0, date - line.order_date), q);
        const bool known = line.binding != "unknown_stock" && line.binding != "error";
        const PolicyProjection pp = ProjectWithPolicy(
            mean, sd, line.on_hand, by_day, known ? line.reorder_point : -1.0,
            known ? line.order_up_to : 0.0, options.review_period_days,
            std::max(1, line.arrival_date - line.order_date), 1.0, 0.0);
        std::vector<Date> dates;
        for (size_t t = 0; t < pp.p50.size(); ++t) dates.push_back(line.order_date + static_cast<int32_t>(t));
        double top = std::max(line.reorder_point, line.on_hand);
        for (double v : pp.p90) top = std::max(top, v);
        SvgChart stock(dates.front(), static_cast<int>(dates.size()), top);
        stock.Band(dates, pp.p10, pp.p90, "#10b981");
        stock.Line(dates, pp.p50, "#047857", 2.0, false);
        stock.HLine(line.reorder_point, "#dc2626", "reorder point " + Num(line.reorder_point, 1));
        for (size_t t = 0; t < pp.arrivals_p50.size(); ++t) {
          if (pp.arrivals_p50[t] > 0) {
            stock.Triangle(dates[t], 0.0, "#7c3aed",
                           dates[t].ToString() + ": " + Num(pp.arrivals_p50[t], 1) + " arriving (mean)");
          }
        }
        html += stock.Finish(key.first + " projected stock");
        html += Legend({{"#047857", "projected on hand (P50)"},
                        {"#88d8bd", "P10–P90"},
                        {"#dc2626", "reorder point"},
                        {"#7c3aed", "arrival"}});
        html += fmt::format(R"(<p class="why">{}</p>)", HtmlEscape(line.explanation));
      }
    }
    html += "</div></div>";
  }

  html += CleaningSection(import_run, db);
  html += R"(<h2 id="method">Method</h2><p class="muted">Forecasts come from the model named in each forecast run (<code>auto</code> for the plan's own forecasts: a combination chosen by backtest; stockout and missing days excluded from fitting). Orders from <code>stockcast plan</code> follow an (R, s, S) policy per SKU and location: the service target comes from the item's ABC/XYZ class; s is the smallest level whose expected shortage per cycle over lead time plus review period meets the fill-rate target under the forecast's own demand distribution (normal for fast movers, Poisson or negative binomial for slow ones); S = s + max(EOQ, demand over the review period); orders are raised to the MOQ and whole case packs, and cut by the purchase-plan MIP when a budget or a warehouse capacity binds.</p>)";
  html += "</body></html>\n";
  return html;
}

Status WriteHtmlReport(Store& store, const std::string& path, const ReportOptions& options) {
  SC_ASSIGN_OR_RETURN(std::string html, RenderHtmlReport(store, options));
  std::error_code ec;
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  if (!out) {
    return Error::InvalidArgument(fmt::format("cannot write report to {}", path));
  }
  out << html;
  out.close();
  if (!out) return Error::Unavailable(fmt::format("writing report to {} failed", path));
  return Status::Ok();
}

Status WriteBacktestHtml(const std::string& path, const std::string& title,
                         const std::vector<std::string>& summary,
                         const std::vector<BacktestChart>& charts) {
  std::string html;
  html += R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">)";
  html += R"(<meta name="viewport" content="width=device-width, initial-scale=1">)";
  html += "<title>" + HtmlEscape(title) + "</title><style>";
  html += kCss;
  html += "</style></head><body>";
  html += "<h1>" + HtmlEscape(title) + "</h1>";
  for (const std::string& line : summary) html += "<p>" + HtmlEscape(line) + "</p>";
  html += Legend({{"#1f2933", "actual"}, {"#2563eb", "forecast mean"},
                  {"#2563eb", "interval (outermost quantile pair)"}});
  for (const BacktestChart& c : charts) {
    if (c.windows.empty() || c.y.empty()) continue;
    const size_t n = c.y.size();
    size_t first_origin = n;
    size_t last_end = 0;
    for (const auto& w : c.windows) {
      first_origin = std::min(first_origin, w.origin);
      last_end = std::max(last_end, w.origin + w.mean.size());
    }
    last_end = std::min(last_end, n);
    const size_t span = last_end > first_origin ? last_end - first_origin : 1;
    const size_t from = first_origin > span ? first_origin - span : 0;
    // Dates stand in for periods (day index from the first drawn step) when the series has
    // none; the axis then shows the periods.
    const Date base = c.start ? *c.start + static_cast<int32_t>(from) : Date::FromDays(0);
    double y_max = 1.0;
    for (size_t t = from; t < last_end; ++t) {
      if (std::isfinite(c.y[t])) y_max = std::max(y_max, c.y[t]);
    }
    for (const auto& w : c.windows) {
      for (double v : w.upper) y_max = std::max(y_max, std::isfinite(v) ? v : 0.0);
      for (double v : w.mean) y_max = std::max(y_max, std::isfinite(v) ? v : 0.0);
    }
    SvgChart chart(base, static_cast<int>(last_end - from), y_max);
    if (!c.start) chart.UsePeriods(c.period0 + static_cast<int64_t>(from));
    std::vector<Date> dates;
    std::vector<double> actual;
    for (size_t t = from; t < last_end; ++t) {
      dates.push_back(base + static_cast<int32_t>(t - from));
      actual.push_back(c.y[t]);
    }
    for (const auto& w : c.windows) {
      std::vector<Date> wd;
      for (size_t h = 0; h < w.mean.size() && w.origin + h < last_end; ++h) {
        wd.push_back(base + static_cast<int32_t>(w.origin + h - from));
      }
      if (!w.lower.empty() && w.lower.size() >= wd.size()) {
        chart.Band(wd, std::vector<double>(w.lower.begin(), w.lower.begin() + static_cast<std::ptrdiff_t>(wd.size())),
                   std::vector<double>(w.upper.begin(), w.upper.begin() + static_cast<std::ptrdiff_t>(wd.size())),
                   "#2563eb");
      }
      chart.Line(wd, std::vector<double>(w.mean.begin(), w.mean.begin() + static_cast<std::ptrdiff_t>(wd.size())),
                 "#2563eb", 1.8, true);
      chart.VLine(base + static_cast<int32_t>(w.origin - from), "origin");
    }
    chart.Line(dates, actual, "#1f2933", 1.4, false);
    html += "<h2>" + HtmlEscape(c.id) + "</h2>";
    if (!c.note.empty()) html += R"(<p class="muted">)" + HtmlEscape(c.note) + "</p>";
    html += chart.Finish(c.id + ": backtest forecasts against actuals");
  }
  html += "</body></html>\n";
  std::error_code ec;
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  if (!out) return Error::InvalidArgument(fmt::format("cannot write backtest charts to {}", path));
  out << html;
  out.close();
  if (!out) return Error::Unavailable(fmt::format("writing backtest charts to {} failed", path));
  return Status::Ok();
}

}  // namespace stockcast::pipeline
