#pragma once
// An in-memory Store for the pipeline tests: enough behaviour to run forecast/plan/report
// without SQLite (runs, forecasts, plans, master data, stock levels, the panel).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stockcast/store/store.h"

namespace stockcast::testing {

class FakeStore : public Store {
 public:
  int schema_version() const override { return 1; }
  const std::string& path() const override { return path_; }
  Status WithTransaction(const std::function<Status()>& body) override { return body(); }

  Status UpsertProducts(std::span<const Product> p) override {
    products.insert(products.end(), p.begin(), p.end());
    return Status::Ok();
  }
  Status UpsertLocations(std::span<const Location> l) override {
    locations.insert(locations.end(), l.begin(), l.end());
    return Status::Ok();
  }
  Status UpsertSuppliers(std::span<const Supplier> s) override {
    suppliers.insert(suppliers.end(), s.begin(), s.end());
    return Status::Ok();
  }
  Result<std::vector<Product>> ListProducts() override { return products; }
  Result<std::vector<Location>> ListLocations() override { return locations; }
  Result<std::vector<Supplier>> ListSuppliers() override { return suppliers; }

  Result<AppendStats> AppendMovements(std::span<const Movement> m) override {
    AppendStats stats;
    stats.inserted = static_cast<int64_t>(m.size());
    return stats;
  }
  Result<AppendStats> PostMovements(std::span<const Movement> m) override {
    return AppendMovements(m);
  }
  Status ForEachMovement(const MovementFilter&, const std::function<void(const Movement&)>&) override {
    return Status::Ok();
  }
  Result<int64_t> CountMovements() override { return int64_t{0}; }

  Status UpsertSnapshots(std::span<const StockSnapshot>) override { return Status::Ok(); }
  Result<std::vector<StockSnapshot>> ListSnapshots() override {
    return std::vector<StockSnapshot>{};
  }
  Status UpsertReceipts(std::span<const Receipt> r) override {
    receipts.insert(receipts.end(), r.begin(), r.end());
    return Status::Ok();
  }
  Result<std::vector<Receipt>> ListReceipts() override { return receipts; }
  Status UpsertCartAdds(std::span<const CartAdds>) override { return Status::Ok(); }
  Result<std::vector<CartAdds>> ListCartAdds() override { return std::vector<CartAdds>{}; }
  Status UpsertPromotions(std::span<const Promotion>) override { return Status::Ok(); }
  Result<std::vector<Promotion>> ListPromotions() override { return std::vector<Promotion>{}; }

  Status RebuildStockLevels() override { return Status::Ok(); }
  Result<std::vector<StockLevel>> ListStockLevels() override { return stock_levels; }

  Status SavePanel(const DemandPanel& p) override {
    panel = std::make_shared<DemandPanel>(p);
    return Status::Ok();
  }
  Result<DemandPanel> LoadPanel() override { return panel ? *panel : DemandPanel(); }

  Result<int64_t> StartRun(const std::string& kind, const std::string& params_json) override {
    RunInfo r;
    r.id = static_cast<int64_t>(runs.size()) + 1;
    r.kind = kind;
    r.started_at = "2024-01-01T00:00:00Z";
    r.status = "running";
    r.params_json = params_json;
    runs.push_back(r);
    return r.id;
  }
  Status FinishRun(int64_t run_id, const std::string& status,
                   const std::string& report_json) override {
    if (run_id < 1 || run_id > static_cast<int64_t>(runs.size())) {
      return Error::NotFound("no run " + std::to_string(run_id));
    }
    RunInfo& r = runs[static_cast<size_t>(run_id - 1)];
    r.status = status;
    r.report_json = report_json;
    r.finished_at = "2024-01-01T00:00:01Z";
    return Status::Ok();
  }
  Result<std::optional<RunInfo>> LatestRun(const std::string& kind) override {
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
      if (it->kind == kind) return std::optional<RunInfo>(*it);
    }
    return std::optional<RunInfo>();
  }

  Status SaveForecasts(int64_t run_id, std::span<const ForecastRow> rows) override {
    auto& v = forecasts[run_id];
    v.insert(v.end(), rows.begin(), rows.end());
    return Status::Ok();
  }
  Result<std::vector<ForecastRow>> ListForecasts(int64_t run_id) override {
    return forecasts[run_id];
  }
  Status SavePlan(int64_t run_id, std::span<const PlanLine> lines) override {
    auto& v = plans[run_id];
    v.insert(v.end(), lines.begin(), lines.end());
    return Status::Ok();
  }
  Result<std::vector<PlanLine>> ListPlan(int64_t run_id) override { return plans[run_id]; }
  Result<std::vector<int64_t>> SaveAlerts(std::span<const AlertRecord> in) override {
    std::vector<int64_t> ids;
    for (const auto& a : in) {
      if (a.id == 0) {
        alerts.push_back(a);
        alerts.back().id = static_cast<int64_t>(alerts.size());
      } else {
        if (a.id < 1 || a.id > static_cast<int64_t>(alerts.size())) {
          return Error::NotFound("no alert " + std::to_string(a.id));
        }
        alerts[static_cast<size_t>(a.id - 1)] = a;
      }
      ids.push_back(a.id == 0 ? static_cast<int64_t>(alerts.size()) : a.id);
    }
    return ids;
  }
  Result<std::vector<AlertRecord>> ListAlerts(bool include_resolved) override {
    std::vector<AlertRecord> out;
    for (auto it = alerts.rbegin(); it != alerts.rend(); ++it) {
      if (include_resolved || it->status != "resolved") out.push_back(*it);
    }
    return out;
  }
  Status SaveKpis(int64_t run_id, std::span<const KpiRecord> k) override {
    auto& v = kpis[run_id];
    v.insert(v.end(), k.begin(), k.end());
    return Status::Ok();
  }
  Result<std::vector<KpiRecord>> ListKpis(int64_t run_id) override { return kpis[run_id]; }
  Result<int64_t> SaveToken(const TokenRecord& t) override {
    tokens.push_back(t);
    tokens.back().id = static_cast<int64_t>(tokens.size());
    return tokens.back().id;
  }
  Result<std::optional<TokenRecord>> FindToken(const std::string& hash) override {
    for (const auto& t : tokens) {
      if (t.hash == hash && t.revoked_at.empty()) return std::optional<TokenRecord>(t);
    }
    return std::optional<TokenRecord>();
  }
  Result<std::vector<TokenRecord>> ListTokens() override { return tokens; }
  Status RevokeToken(int64_t id) override {
    if (id < 1 || id > static_cast<int64_t>(tokens.size())) return Error::NotFound("no token");
    tokens[static_cast<size_t>(id - 1)].revoked_at = "now";
    return Status::Ok();
  }
  Result<int64_t> AppendAudit(const AuditRecord& a) override {
    audit.push_back(a);
    return static_cast<int64_t>(audit.size());
  }
  Result<std::vector<AuditRecord>> ListAudit(int64_t) override { return audit; }

  // Service methods the pipeline uses: warning lines and projections are kept; the rest are
  // not needed by the pipeline tests.
  Result<std::vector<RunInfo>> ListRuns(const std::string&, int) override {
    return std::vector<RunInfo>();
  }
  Result<std::optional<RunInfo>> GetRun(int64_t) override { return std::optional<RunInfo>(); }
  Result<std::vector<ForecastRow>> ListSeriesForecasts(int64_t, const std::string&,
                                                       const std::string&) override {
    return std::vector<ForecastRow>();
  }
  Result<std::vector<std::pair<Date, double>>> SeriesDemand(const std::string&, const std::string&,
                                                             int) override {
    return std::vector<std::pair<Date, double>>();
  }
  Result<std::vector<std::pair<int64_t, PlanLine>>> ListPlanNumbered(int64_t) override {
    return std::vector<std::pair<int64_t, PlanLine>>();
  }
  Result<PlanDecision> DecidePlanLine(const PlanDecision&) override {
    return Error::Unavailable("FakeStore: no plan decisions");
  }
  Result<std::vector<PlanDecision>> ListPlanDecisions(int64_t) override {
    return std::vector<PlanDecision>();
  }
  Status SaveWarningLines(std::span<const WarningLineRecord> l) override {
    warning_lines.insert(warning_lines.end(), l.begin(), l.end());
    return Status::Ok();
  }
  Result<std::vector<WarningLineRecord>> ListWarningLines(const std::string&,
                                                          const std::string&) override {
    return warning_lines;
  }
  Status SaveProjection(int64_t, std::span<const ProjectionRecord> rows) override {
    projection.insert(projection.end(), rows.begin(), rows.end());
    return Status::Ok();
  }
  Result<std::vector<ProjectionRecord>> ListProjection(int64_t, const std::string&,
                                                       const std::string&) override {
    return projection;
  }
  Result<std::optional<AlertRecord>> FindLiveAlert(const std::string&) override {
    return std::optional<AlertRecord>();
  }
  Result<int64_t> CreateJob(const JobRecord&) override {
    return Error::Unavailable("FakeStore: no jobs");
  }
  Status UpdateJob(const JobRecord&) override { return Error::Unavailable("FakeStore: no jobs"); }
  Result<std::optional<JobRecord>> GetJob(int64_t) override { return std::optional<JobRecord>(); }
  Result<std::vector<JobRecord>> ListJobs(int) override { return std::vector<JobRecord>(); }
  std::vector<WarningLineRecord> warning_lines;
  std::vector<ProjectionRecord> projection;

  std::string path_ = "fake.db";
  std::vector<Product> products;
  std::vector<Location> locations;
  std::vector<Supplier> suppliers;
  std::vector<Receipt> receipts;
  std::vector<StockLevel> stock_levels;
  std::shared_ptr<DemandPanel> panel;
  std::vector<RunInfo> runs;
  std::map<int64_t, std::vector<ForecastRow>> forecasts;
  std::map<int64_t, std::vector<PlanLine>> plans;
  std::vector<AlertRecord> alerts;
  std::map<int64_t, std::vector<KpiRecord>> kpis;
  std::vector<TokenRecord> tokens;
  std::vector<AuditRecord> audit;
};

}  // namespace stockcast::testing
