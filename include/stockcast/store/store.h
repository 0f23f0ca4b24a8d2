#pragma once
// The Store: everything stockcast keeps between runs. SQLite (WAL) is the embedded default;
// other back ends implement the same interface. No back-end header leaks into this file.
//
// The stock ledger is append-only: a movement is never updated or deleted, and its
// idempotency key is unique, so appending the same movement twice changes nothing. Stock
// levels are derived from snapshots plus the ledger and can always be rebuilt.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stockcast/core/demand_panel.h"
#include "stockcast/core/entities.h"
#include "stockcast/core/error.h"

namespace stockcast {

// A series' on-hand before and after one PostMovements call.
struct BalanceChange {
  std::string sku;
  std::string location;
  double before = 0.0;
  double after = 0.0;
};

struct AppendStats {
  int64_t inserted = 0;
  int64_t already_present = 0;  // idempotency key seen before: ignored
  std::vector<BalanceChange> balances;  // PostMovements only: every series it changed, sorted
};

struct MovementFilter {
  std::vector<MovementType> types;  // empty = all
  std::optional<Date> from, to;     // inclusive
  std::string sku;                  // empty = all
  std::string location;             // empty = all
};

struct StockLevel {
  std::string sku;
  std::string location;
  double on_hand = 0.0;   // latest snapshot + ledger movements after it
  double on_order = 0.0;  // open purchase-order lines
  std::optional<Date> snapshot_date;  // date of the snapshot it builds on, if any
  std::optional<Date> last_movement;  // date of the latest ledger movement
};

struct ForecastRow {
  std::string sku;
  std::string location;
  int step = 0;  // 1..horizon
  Date date;
  double mean = 0.0;
  std::vector<std::pair<double, double>> quantiles;  // (level, value), level ascending
  std::string model;
};

struct PlanLine {
  std::string sku;
  std::string location;
  std::string supplier_id;
  Date order_date;
  Date arrival_date;     // expected
  double quantity = 0.0;  // 0 = no order needed now (line kept for its explanation)
  double unit_cost = 0.0;
  double on_hand = 0.0;
  double on_order = 0.0;
  double lead_time_demand = 0.0;  // expected demand over lead time + review period
  double safety_stock = 0.0;
  double reorder_point = 0.0;
  double order_up_to = 0.0;
  double service_level = 0.0;
  double stockout_probability = 0.0;  // before the next receipt, if nothing is ordered
  double days_of_supply = 0.0;
  std::string binding;      // constraint that set the quantity: "moq", "case_pack", ...
  std::string explanation;  // human-readable reasoning a planner can check
};

// A stored alert (risk/alerts.h decides; the store keeps them between runs). At most one alert
// per key is open or acknowledged at a time; resolved alerts stay as history.
struct AlertRecord {
  int64_t id = 0;         // 0 = new (SaveAlerts inserts it and returns its id)
  std::string key;        // "type|sku|location"
  std::string type;       // "stockout", "overstock", ...
  std::string sku;
  std::string location;
  std::string level;        // "high", "medium", "low" (current, after escalation)
  std::string first_level;  // level when first raised
  std::string status;       // "open", "acknowledged", "resolved"
  std::string action;       // suggested action: "reorder_now", "transfer", ...
  std::string message;
  Date first_seen;
  Date last_seen;
  int occurrences = 1;      // consecutive runs it was detected in
  double probability = 0.0;
  double impact = 0.0;      // money at risk
  int64_t run_id = 0;       // the plan run that last touched it
};

// One KPI value of a run: e.g. (scope "location", key "WH-1", period "2024-03",
// metric "turnover", value 7.2). Scope "total" has key "" ; period "" means the whole window.
struct KpiRecord {
  std::string scope;
  std::string key;
  std::string period;
  std::string metric;
  double value = 0.0;
};

// An API token: only its hash is stored (server/auth.h makes and hashes tokens).
struct TokenRecord {
  int64_t id = 0;
  std::string name;        // who or what it is for, e.g. "planner laptop"
  std::string role;        // "viewer", "planner", "admin"
  std::string hash;        // hex hash of the token; the token itself is never stored
  std::string created_at;  // UTC, ISO 8601
  std::string revoked_at;  // "" = active
};

// One entry of the audit log: every mutation through the API (and token changes).
struct AuditRecord {
  int64_t id = 0;
  std::string at;          // UTC, ISO 8601 (set by the store when empty)
  std::string actor;       // token name ("cli" for the command line)
  std::string role;
  std::string request_id;
  std::string action;      // e.g. "POST /api/v1/movements"
  int status = 0;          // HTTP status of the response
  std::string detail;      // e.g. "3 movements, 1 already present"
};

// A warning line in units on hand for one series. `plan` writes source "plan" lines every run;
// a planner's "manual" line (PUT /api/v1/warning-lines/...) wins: a plan never overwrites it.
struct WarningLineRecord {
  std::string sku;
  std::string location;
  double lower_units = 0.0;  // 0 = none
  double upper_units = 0.0;  // 0 = none
  std::string source = "plan";  // "plan" or "manual"
  int64_t run_id = 0;           // the plan run that set it (0 for manual)
  std::string updated_at;       // UTC, ISO 8601 (set by the store when empty)
};

// One day of a plan run's 8-week projection of on hand for one series.
struct ProjectionRecord {
  std::string sku;
  std::string location;
  Date date;
  double p10 = 0.0, p50 = 0.0, p90 = 0.0;  // end-of-day on hand
  double arrivals = 0.0;                    // units arriving that day on the P50 path
};

// A planner's decision on one plan line (plans.line, 1-based as stored).
struct PlanDecision {
  int64_t run_id = 0;
  int64_t line = 0;
  std::string status;      // "approved" or "rejected"
  double quantity = 0.0;   // approved quantity (the line's unless the planner changed it)
  std::string po_id;       // approved: the open purchase order it created ("PLAN-<run>-<line>")
  std::string note;        // approver's note or rejection reason
  std::string actor;
  std::string request_id;
  std::string decided_at;  // UTC, ISO 8601 (set by the store when empty)
};

// An asynchronous forecast or plan run started through the API.
struct JobRecord {
  int64_t id = 0;
  std::string kind;             // "forecast" or "plan"
  std::string status;           // "queued", "running", "succeeded", "failed"
  std::string params_json;
  double progress = 0.0;        // 0..1
  std::string stage;            // e.g. "forecast", "policy", "projection"
  int64_t run_id = 0;           // the run it produced (0 until known)
  std::string error;            // why it failed
  std::string actor;
  std::string request_id;
  std::string created_at, started_at, finished_at;  // UTC, ISO 8601; "" = not yet
};

struct RunInfo {
  int64_t id = 0;
  std::string kind;  // "import", "forecast", "plan"
  std::string started_at;
  std::string finished_at;
  std::string status;  // "running", "ok", "failed"
  std::string params_json;
  std::string report_json;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual int schema_version() const = 0;
  virtual const std::string& path() const = 0;

  // Runs `body` in one transaction: commit when it returns ok, roll back otherwise
  // (nothing of a failed body remains). Not reentrant.
  virtual Status WithTransaction(const std::function<Status()>& body) = 0;

  // Master data (upsert by id).
  virtual Status UpsertProducts(std::span<const Product> products) = 0;
  virtual Status UpsertLocations(std::span<const Location> locations) = 0;
  virtual Status UpsertSuppliers(std::span<const Supplier> suppliers) = 0;
  virtual Result<std::vector<Product>> ListProducts() = 0;
  // The product with this sku; nullopt when there is none (or `sku` is empty). The default
  // scans ListProducts; the SQL stores look the key up.
  virtual Result<std::optional<Product>> FindProduct(const std::string& sku);
  virtual Result<std::vector<Location>> ListLocations() = 0;
  virtual Result<std::vector<Supplier>> ListSuppliers() = 0;

  // Stock ledger: appends, ignoring movements whose idempotency key already exists.
  virtual Result<AppendStats> AppendMovements(std::span<const Movement> movements) = 0;
  // Calls `fn` for each matching movement in (date, seconds, id) order. Within one series,
  // movements with the same date and second come back in the order they were appended.
  virtual Status ForEachMovement(const MovementFilter& filter,
                                 const std::function<void(const Movement&)>& fn) = 0;
  virtual Result<int64_t> CountMovements() = 0;
  // The API's write (live stock, not history): like AppendMovements, and in the same
  // transaction a movement that would take its series' on hand (latest snapshot + movements
  // after it, as RebuildStockLevels) below zero refuses the whole batch with a Conflict naming
  // the movement, the SKU, the location and the balance, unless the product allows backorders.
  // Movements whose key was seen before count neither for the balance nor twice.
  virtual Result<AppendStats> PostMovements(std::span<const Movement> movements) = 0;

  // Stock data (upsert by natural key: (sku, location, date) or (po_id, sku, location)).
  virtual Status UpsertSnapshots(std::span<const StockSnapshot> snapshots) = 0;
  virtual Result<std::vector<StockSnapshot>> ListSnapshots() = 0;
  virtual Status UpsertReceipts(std::span<const Receipt> receipts) = 0;
  virtual Result<std::vector<Receipt>> ListReceipts() = 0;
  virtual Status UpsertCartAdds(std::span<const CartAdds> cart_adds) = 0;
  virtual Result<std::vector<CartAdds>> ListCartAdds() = 0;
  virtual Status UpsertPromotions(std::span<const Promotion> promotions) = 0;
  virtual Result<std::vector<Promotion>> ListPromotions() = 0;

  // Derived stock levels: rebuilt from snapshots, the ledger and open receipts.
  virtual Status RebuildStockLevels() = 0;
  virtual Result<std::vector<StockLevel>> ListStockLevels() = 0;
  // One series' stock level; nullopt when it has none. Default: scans ListStockLevels.
  virtual Result<std::optional<StockLevel>> FindStockLevel(const std::string& sku,
                                                          const std::string& location);

  // Cleaned daily history (sales_daily + cart_daily columns) for every series in `panel`:
  // replaces the stored rows of those series with one row per day from the series' first
  // observed day (DemandPanel::FirstObserved) to the panel's end; NaN is stored as NULL.
  virtual Status SavePanel(const DemandPanel& panel) = 0;
  // Everything stored, on one date axis from the first to the last stored day, series in
  // (sku, location) order. Days before a series' first stored day are kFlagNotLaunched (NaN);
  // days after its last stored day are kFlagMissing (NaN).
  virtual Result<DemandPanel> LoadPanel() = 0;

  // Runs: one row per import/forecast/plan with its parameters and report.
  virtual Result<int64_t> StartRun(const std::string& kind, const std::string& params_json) = 0;
  virtual Status FinishRun(int64_t run_id, const std::string& status,
                           const std::string& report_json) = 0;
  virtual Result<std::optional<RunInfo>> LatestRun(const std::string& kind) = 0;

  // Adds forecast rows to an existing run (NotFound otherwise); a row with the same
  // (sku, location, step) as a saved one replaces it, so a run can be saved in chunks.
  virtual Status SaveForecasts(int64_t run_id, std::span<const ForecastRow> rows) = 0;
  // Forecast rows of a run (ordered by sku, location, step).
  virtual Result<std::vector<ForecastRow>> ListForecasts(int64_t run_id) = 0;
  // Appends plan lines to an existing run (NotFound otherwise); a line with the same
  // (sku, location, order_date) as a saved one replaces it in place.
  virtual Status SavePlan(int64_t run_id, std::span<const PlanLine> lines) = 0;
  // Plan lines of a run, in the order they were saved.
  virtual Result<std::vector<PlanLine>> ListPlan(int64_t run_id) = 0;

  // Alerts: inserts those with id 0 and updates the others by id, in one transaction; returns
  // the ids in input order. Errors: an unknown id, a second open alert for a key, bad fields.
  virtual Result<std::vector<int64_t>> SaveAlerts(std::span<const AlertRecord> alerts) = 0;
  // Open and acknowledged alerts (and resolved ones too when `include_resolved`), newest first.
  virtual Result<std::vector<AlertRecord>> ListAlerts(bool include_resolved) = 0;
  // KPI values of an existing run (NotFound otherwise); replaces values with the same
  // (scope, key, period, metric).
  virtual Status SaveKpis(int64_t run_id, std::span<const KpiRecord> kpis) = 0;
  virtual Result<std::vector<KpiRecord>> ListKpis(int64_t run_id) = 0;

  // API tokens: SaveToken inserts (id 0; returns the new id) and fails on a repeated hash;
  // FindToken returns the active token with this hash, if any.
  virtual Result<int64_t> SaveToken(const TokenRecord& token) = 0;
  virtual Result<std::optional<TokenRecord>> FindToken(const std::string& hash) = 0;
  virtual Result<std::vector<TokenRecord>> ListTokens() = 0;
  virtual Status RevokeToken(int64_t id) = 0;  // NotFound for an unknown id
  // Audit log: append-only.
  virtual Result<int64_t> AppendAudit(const AuditRecord& entry) = 0;
  virtual Result<std::vector<AuditRecord>> ListAudit(int64_t limit) = 0;  // newest first

  // ---- service (migration 4) ----
  // Runs of one kind ("forecast", "plan", "import"; "" = all), newest first.
  virtual Result<std::vector<RunInfo>> ListRuns(const std::string& kind, int limit) = 0;
  virtual Result<std::optional<RunInfo>> GetRun(int64_t run_id) = 0;
  // One series' forecast rows of a run (ListForecasts returns every series).
  virtual Result<std::vector<ForecastRow>> ListSeriesForecasts(int64_t run_id,
                                                               const std::string& sku,
                                                               const std::string& location) = 0;
  // One series' stored daily history (sales_daily), oldest first, at most the last `days` days.
  virtual Result<std::vector<std::pair<Date, double>>> SeriesDemand(const std::string& sku,
                                                                     const std::string& location,
                                                                     int days) = 0;
  // Plan lines with their 1-based line numbers (as stored).
  virtual Result<std::vector<std::pair<int64_t, PlanLine>>> ListPlanNumbered(int64_t run_id) = 0;
  // Saves a decision on a plan line. NotFound: no such run or line. Conflict: already decided.
  // An approval with quantity > 0 also inserts an open purchase order (po_id "PLAN-<run>-<line>",
  // dated the expected arrival) so on_order counts it at once. Returns the stored decision.
  virtual Result<PlanDecision> DecidePlanLine(const PlanDecision& decision) = 0;
  virtual Result<std::vector<PlanDecision>> ListPlanDecisions(int64_t run_id) = 0;
  // Warning lines: a "plan" line never replaces a "manual" one.
  virtual Status SaveWarningLines(std::span<const WarningLineRecord> lines) = 0;
  // "" = any sku / location.
  virtual Result<std::vector<WarningLineRecord>> ListWarningLines(const std::string& sku,
                                                                  const std::string& location) = 0;
  virtual Status SaveProjection(int64_t run_id, std::span<const ProjectionRecord> rows) = 0;
  virtual Result<std::vector<ProjectionRecord>> ListProjection(int64_t run_id,
                                                               const std::string& sku,
                                                               const std::string& location) = 0;
  // The live (open or acknowledged) alert with this key, if any.
  virtual Result<std::optional<AlertRecord>> FindLiveAlert(const std::string& key) = 0;
  // Jobs.
  virtual Result<int64_t> CreateJob(const JobRecord& job) = 0;  // returns the id
  virtual Status UpdateJob(const JobRecord& job) = 0;            // by id; NotFound if missing
  virtual Result<std::optional<JobRecord>> GetJob(int64_t id) = 0;
  virtual Result<std::vector<JobRecord>> ListJobs(int limit) = 0;  // newest first
};

struct StoreOptions {
  int busy_timeout_ms = 5000;
  bool read_only = false;
  // SQLite: false = synchronous NORMAL in WAL mode (a commit survives the process being
  // killed, not a power cut or an OS crash); true = synchronous FULL (every commit is flushed
  // to disk). PostgreSQL: the server's own settings decide (fsync, synchronous_commit).
  bool durable_commits = false;
};

// Opens (creating when missing) a SQLite store at `path` and applies pending migrations.
// Errors: unwritable path, a file that is not a stockcast database, a schema newer than this
// build. A read-only store is never created or migrated. The returned store is not
// thread-safe: use one per thread (SQLite's WAL mode lets them read while one writes).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options = {});

// Opens the store named by `path_or_url`: a `postgresql://` (or `postgres://`) URL opens the
// PostgreSQL store (store/postgres.h; Unavailable when built without it), anything else is a
// SQLite file path.
Result<std::unique_ptr<Store>> OpenStore(const std::string& path_or_url,
                                         const StoreOptions& options = {});
bool IsPostgresUrl(const std::string& path_or_url);

inline constexpr const char* kDefaultStorePath = "stockcast.db";

}  // namespace stockcast
