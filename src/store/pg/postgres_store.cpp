// The PostgreSQL store (libpqxx 6.4): the same Store contract as the SQLite store
// (src/store/sqlite_store.cpp), method by method: the same checks and error codes, result
// order, idempotency and append-only rules.
//
// Transactions: every write runs in its own READ COMMITTED transaction, or in a savepoint
// (pqxx::subtransaction) when WithTransaction has one open, so a failed nested write leaves
// nothing and the outer transaction goes on. Serialization failures and deadlocks (40001,
// 40P01) are retried a few times, then reported as Unavailable.
//
// Live stock (PostMovements): the touched stock_levels rows are locked with SELECT ... FOR
// UPDATE in (sku, location) order, so concurrent writers on one series queue instead of losing
// an update, and two batches can never wait on each other in a cycle. Idempotency keys are
// checked after the locks are held, so a retry racing its original sees it committed.
//
// Parameters travel as text (doubles in their shortest round-trip form); batches go in one
// statement as array parameters expanded with unnest(), since libpqxx 6.4 has no array writer.
// No pqxx exception leaves this file.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "stockcast/store/postgres.h"
#include "stockcast/version.h"
#include "store/checks.h"
#include "store/pg/pg_migrations.h"
#include "store/pg/pg_util.h"

namespace stockcast {
namespace {

namespace checks = store_checks;
using checks::CheckJson;
using checks::PanelColumnList;
using checks::QuantilesFromJson;
using checks::QuantilesToJson;
using pg::ArrayLiteral;
using pg::FormatDouble;

constexpr int kMaxAttempts = 5;      // tries of a write that hit 40001 / 40P01
constexpr size_t kChunkRows = 20000;  // rows per batch statement

using checks::kPanelColumns;

// Thrown inside a write when it must start again (a concurrent writer got in between).
struct RetryWrite {
  std::string why;
};

// A statement of a batch failed: names the element.
struct ItemFailure {
  std::string where;  // "upserting products[3]"
  std::string message;
  std::string sqlstate;
};

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Statement parameters as text (NULL where unset).
class Params {
 public:
  Params& Text(std::string_view v) {
    values_.emplace_back(std::string(v));
    return *this;
  }
  Params& Int(int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
  }
  // NaN is stored as NULL.
  Params& Real(double v) {
    if (std::isnan(v)) return Null();
    values_.emplace_back(FormatDouble(v));
    return *this;
  }
  Params& Day(Date d) { return Text(d.ToString()); }
  Params& OptDay(const std::optional<Date>& d) { return d ? Day(*d) : Null(); }
  Params& Bool(bool v) { return Text(v ? "true" : "false"); }
  Params& Null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  std::vector<const char*> Pointers() const {
    std::vector<const char*> out;
    out.reserve(values_.size());
    for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
    return out;
  }

 private:
  std::vector<std::optional<std::string>> values_;
};

std::string Text(const pqxx::field& f) {
  if (f.is_null()) return std::string();
  return std::string(f.c_str(), f.size());
}
int64_t Int(const pqxx::field& f) { return f.is_null() ? 0 : std::strtoll(f.c_str(), nullptr, 10); }
double Real(const pqxx::field& f) {
  return f.is_null() ? std::numeric_limits<double>::quiet_NaN() : pg::ParseDouble(f.c_str());
}
bool Bool(const pqxx::field& f) { return !f.is_null() && f.c_str()[0] == 't'; }







constexpr const char* kRunColumns =
    "SELECT id, kind, started_at, finished_at, status, params_json, report_json FROM runs ";
constexpr const char* kJobColumns =
    "SELECT id, kind, status, params_json, progress, stage, run_id, error, actor, request_id, "
    "created_at, started_at, finished_at FROM jobs ";
constexpr const char* kDecisionColumns =
    "SELECT run_id, line, status, quantity, po_id, note, actor, request_id, decided_at "
    "FROM plan_decisions ";
constexpr const char* kAlertColumns =
    "SELECT id, key, type, sku, location, level, first_level, status, action, message, "
    "first_seen, last_seen, occurrences, probability, impact, run_id FROM alerts ";
constexpr const char* kPlanColumns =
    "SELECT sku, location, supplier_id, order_date, arrival_date, quantity, unit_cost, "
    "on_hand, on_order, lead_time_demand, safety_stock, reorder_point, order_up_to, "
    "service_level, stockout_probability, days_of_supply, binding, explanation, line "
    "FROM plans ";

RunInfo ReadRun(const pqxx::row& r) {
  RunInfo run;
  run.id = Int(r[0]);
  run.kind = Text(r[1]);
  run.started_at = Text(r[2]);
  run.finished_at = Text(r[3]);
  run.status = Text(r[4]);
  run.params_json = Text(r[5]);
  run.report_json = Text(r[6]);
  return run;
}

JobRecord ReadJob(const pqxx::row& r) {
  JobRecord j;
  j.id = Int(r[0]);
  j.kind = Text(r[1]);
  j.status = Text(r[2]);
  j.params_json = Text(r[3]);
  j.progress = Real(r[4]);
  j.stage = Text(r[5]);
  j.run_id = Int(r[6]);
  j.error = Text(r[7]);
  j.actor = Text(r[8]);
  j.request_id = Text(r[9]);
  j.created_at = Text(r[10]);
  j.started_at = Text(r[11]);
  j.finished_at = Text(r[12]);
  return j;
}

PlanDecision ReadDecision(const pqxx::row& r) {
  PlanDecision d;
  d.run_id = Int(r[0]);
  d.line = Int(r[1]);
  d.status = Text(r[2]);
  d.quantity = Real(r[3]);
  d.po_id = Text(r[4]);
  d.note = Text(r[5]);
  d.actor = Text(r[6]);
  d.request_id = Text(r[7]);
  d.decided_at = Text(r[8]);
  return d;
}

TokenRecord ReadToken(const pqxx::row& r) {
  TokenRecord t;
  t.id = Int(r[0]);
  t.name = Text(r[1]);
  t.role = Text(r[2]);
  t.hash = Text(r[3]);
  t.created_at = Text(r[4]);
  t.revoked_at = Text(r[5]);
  return t;
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::unique_ptr<pqxx::connection> conn, pg::UrlParts url, StoreOptions options,
                int version)
      : conn_(std::move(conn)), url_(std::move(url)), options_(options), version_(version) {}
  ~PostgresStore() override {
    tx_.reset();
    try {
      conn_.reset();
    } catch (...) {
    }
  }

  int schema_version() const override { return version_; }
  const std::string& path() const override { return url_.redacted; }

  Status WithTransaction(const std::function<Status()>& body) override;

  Status UpsertProducts(std::span<const Product> products) override;
  Status UpsertLocations(std::span<const Location> locations) override;
  Status UpsertSuppliers(std::span<const Supplier> suppliers) override;
  Result<std::vector<Product>> ListProducts() override;
  Result<std::optional<Product>> FindProduct(const std::string& sku) override;
  Result<std::vector<Location>> ListLocations() override;
  Result<std::vector<Supplier>> ListSuppliers() override;

  Result<AppendStats> AppendMovements(std::span<const Movement> movements) override;
  Status ForEachMovement(const MovementFilter& filter,
                         const std::function<void(const Movement&)>& fn) override;
  Result<int64_t> CountMovements() override;
  Result<AppendStats> PostMovements(std::span<const Movement> movements) override;

  Status UpsertSnapshots(std::span<const StockSnapshot> snapshots) override;
  Result<std::vector<StockSnapshot>> ListSnapshots() override;
  Status UpsertReceipts(std::span<const Receipt> receipts) override;
  Result<std::vector<Receipt>> ListReceipts() override;
  Status UpsertCartAdds(std::span<const CartAdds> cart_adds) override;
  Result<std::vector<CartAdds>> ListCartAdds() override;
  Status UpsertPromotions(std::span<const Promotion> promotions) override;
  Result<std::vector<Promotion>> ListPromotions() override;

  Status RebuildStockLevels() override;
  Result<std::vector<StockLevel>> ListStockLevels() override;
  Result<std::optional<StockLevel>> FindStockLevel(const std::string& sku,
                                                   const std::string& location) override;
  // Products, or the one with `sku` when it is not empty.
  Result<std::vector<Product>> SelectProducts(const std::string& sku);
  // Stock levels, or the one of (sku, location) when `sku` is not empty.
  Result<std::vector<StockLevel>> SelectStockLevels(const std::string& sku,
                                                    const std::string& location);

  Status SavePanel(const DemandPanel& panel) override;
  Result<DemandPanel> LoadPanel() override;

  Result<int64_t> StartRun(const std::string& kind, const std::string& params_json) override;
  Status FinishRun(int64_t run_id, const std::string& status,
                   const std::string& report_json) override;
  Result<std::optional<RunInfo>> LatestRun(const std::string& kind) override;

  Status SaveForecasts(int64_t run_id, std::span<const ForecastRow> rows) override;
  Result<std::vector<ForecastRow>> ListForecasts(int64_t run_id) override;
  Status SavePlan(int64_t run_id, std::span<const PlanLine> lines) override;
  Result<std::vector<PlanLine>> ListPlan(int64_t run_id) override;
  Result<std::vector<int64_t>> SaveAlerts(std::span<const AlertRecord> alerts) override;
  Result<std::vector<AlertRecord>> ListAlerts(bool include_resolved) override;
  Status SaveKpis(int64_t run_id, std::span<const KpiRecord> kpis) override;
  Result<std::vector<KpiRecord>> ListKpis(int64_t run_id) override;

  Result<int64_t> SaveToken(const TokenRecord& token) override;
  Result<std::optional<TokenRecord>> FindToken(const std::string& hash) override;
  Result<std::vector<TokenRecord>> ListTokens() override;
  Status RevokeToken(int64_t id) override;
  Result<int64_t> AppendAudit(const AuditRecord& entry) override;
  Result<std::vector<AuditRecord>> ListAudit(int64_t limit) override;

  Result<std::vector<RunInfo>> ListRuns(const std::string& kind, int limit) override;
  Result<std::optional<RunInfo>> GetRun(int64_t run_id) override;
  Result<std::vector<ForecastRow>> ListSeriesForecasts(int64_t run_id, const std::string& sku,
                                                       const std::string& location) override;
  Result<std::vector<std::pair<Date, double>>> SeriesDemand(const std::string& sku,
                                                             const std::string& location,
                                                             int days) override;
  Result<std::vector<std::pair<int64_t, PlanLine>>> ListPlanNumbered(int64_t run_id) override;
  Result<PlanDecision> DecidePlanLine(const PlanDecision& decision) override;
  Result<std::vector<PlanDecision>> ListPlanDecisions(int64_t run_id) override;
  Status SaveWarningLines(std::span<const WarningLineRecord> lines) override;
  Result<std::vector<WarningLineRecord>> ListWarningLines(const std::string& sku,
                                                          const std::string& location) override;
  Status SaveProjection(int64_t run_id, std::span<const ProjectionRecord> rows) override;
  Result<std::vector<ProjectionRecord>> ListProjection(int64_t run_id, const std::string& sku,
                                                       const std::string& location) override;
  Result<std::optional<AlertRecord>> FindLiveAlert(const std::string& key) override;
  Result<int64_t> CreateJob(const JobRecord& job) override;
  Status UpdateJob(const JobRecord& job) override;
  Result<std::optional<JobRecord>> GetJob(int64_t id) override;
  Result<std::vector<JobRecord>> ListJobs(int limit) override;

 private:
  using Tx = pqxx::transaction_base;

  // The name of the prepared statement for `sql`, preparing it on first use.
  const std::string& Prepared(const std::string& sql);
  pqxx::result Exec(Tx& tx, const std::string& sql, const Params& params = {});
  // Like Exec; a failure names `verb array[index]`.
  pqxx::result ExecItem(Tx& tx, const std::string& sql, const Params& params,
                        std::string_view verb, std::string_view array, size_t index);

  // Runs `body(tx)` as one atomic write (see the file comment). Refused on a read-only store.
  template <typename Body>
  Status Write(std::string_view what, Body&& body);
  // Runs `body(tx)` for reads: in WithTransaction's transaction when one is open, else on the
  // connection (autocommit), or in a read-only REPEATABLE READ snapshot when `snapshot`.
  template <typename Body>
  Status Read(std::string_view what, Body&& body, bool snapshot = false);
  Error Translate(std::string_view what);  // the exception being handled, as an Error

  Result<Date> ReadDate(const pqxx::field& f, std::string_view table,
                        std::string_view column) const {
    const std::string text = Text(f);
    if (std::optional<Date> date = Date::Parse(text)) return *date;
    return Error::Internal(fmt::format("{}: {}.{} holds '{}'; must be a YYYY-MM-DD date",
                                       path(), table, column, text));
  }
  Status CheckRunExists(Tx& tx, int64_t run_id);
  // Inserts `movements` (in chunks) ignoring known keys; returns the number inserted.
  int64_t InsertMovements(Tx& tx, std::span<const Movement> movements);
  Result<PlanLine> ReadPlanLine(const pqxx::row& r) const;
  Result<AlertRecord> ReadAlert(const pqxx::row& r) const;

  std::unique_ptr<pqxx::connection> conn_;
  pg::UrlParts url_;
  StoreOptions options_;
  int version_ = 0;
  std::unique_ptr<pqxx::dbtransaction> tx_;  // WithTransaction's
  std::map<std::string, std::string> prepared_;
};

const std::string& PostgresStore::Prepared(const std::string& sql) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = fmt::format("sc{}", prepared_.size() + 1);
    conn_->prepare(name, sql);
    it = prepared_.emplace(sql, name).first;
  }
  return it->second;
}

pqxx::result PostgresStore::Exec(Tx& tx, const std::string& sql, const Params& params) {
  const std::vector<const char*> pointers = params.Pointers();
  return tx.exec_prepared(Prepared(sql), pqxx::prepare::make_dynamic_params(pointers));
}

pqxx::result PostgresStore::ExecItem(Tx& tx, const std::string& sql, const Params& params,
                                     std::string_view verb, std::string_view array,
                                     size_t index) {
  try {
    return Exec(tx, sql, params);
  } catch (const pqxx::sql_error& e) {
    throw ItemFailure{fmt::format("{} {}[{}]", verb, array, index), Trim(e.what()), e.sqlstate()};
  }
}

Error PostgresStore::Translate(std::string_view what) {
  const std::string where =
      fmt::format("{}:{}", url_.host.empty() ? "localhost" : url_.host,
                  url_.port.empty() ? "5432" : url_.port);
  try {
    throw;
  } catch (const ItemFailure& e) {
    std::string text = fmt::format("postgres: {} while {} ({})", e.message, e.where, path());
    if (e.sqlstate == "23505") return Error::Conflict(std::move(text));
    if (e.sqlstate.rfind("40", 0) == 0) return Error::Unavailable(std::move(text));
    return Error::Internal(std::move(text));
  } catch (const RetryWrite& e) {
    return Error::Unavailable(fmt::format(
        "postgres: {} while {}; gave up after {} attempts ({})", e.why, what, kMaxAttempts, path()));
  } catch (const pqxx::broken_connection& e) {
    return Error::Unavailable(fmt::format("postgres: connection to the server at {} lost while {}: {} ({})",
                                          where, what, Trim(e.what()), path()));
  } catch (const pqxx::in_doubt_error& e) {
    return Error::Unavailable(fmt::format(
        "postgres: the commit of {} is in doubt (connection to {} lost): {} ({})", what, where,
        Trim(e.what()), path()));
  } catch (const pqxx::transaction_rollback& e) {
    return Error::Unavailable(fmt::format("postgres: {} while {}; retry later ({})",
                                          Trim(e.what()), what, path()));
  } catch (const pqxx::sql_error& e) {
    std::string text = fmt::format("postgres: {} while {} ({})", Trim(e.what()), what, path());
    const std::string state = e.sqlstate();
    if (state == "23505") return Error::Conflict(std::move(text));
    if (state == "25006") {  // read_only_sql_transaction
      return Error::InvalidArgument(std::move(text));
    }
    if (state.rfind("08", 0) == 0 || state.rfind("40", 0) == 0 || state.rfind("53", 0) == 0 ||
        state.rfind("57", 0) == 0 || state == "55P03") {
      return Error::Unavailable(std::move(text));
    }
    return Error::Internal(std::move(text));
  } catch (const std::exception& e) {
    return Error::Internal(fmt::format("postgres: {} while {} ({})", Trim(e.what()), what, path()));
  }
}

template <typename Body>
Status PostgresStore::Write(std::string_view what, Body&& body) {
  if (options_.read_only) {
    return Error::InvalidArgument(
        fmt::format("{}: store is opened read-only; cannot proceed with {}", path(), what));
  }
  if (tx_) {
    // Inside WithTransaction: a savepoint, so a failed write leaves nothing of itself. Plain
    // SAVEPOINT statements, not pqxx::subtransaction: libpqxx 6.4 leaves the transaction
    // aborted when a prepared statement fails inside a subtransaction.
    const auto rollback = [this]() {
      try {
        tx_->exec("ROLLBACK TO SAVEPOINT sc_write; RELEASE SAVEPOINT sc_write");
      } catch (...) {  // the transaction is lost anyway; the caller reports the first error
      }
    };
    try {
      tx_->exec("SAVEPOINT sc_write");
    } catch (...) {
      return Translate(what);
    }
    try {
      Status status = body(static_cast<Tx&>(*tx_));
      if (status.ok()) {
        tx_->exec("RELEASE SAVEPOINT sc_write");
      } else {
        rollback();
      }
      return status;
    } catch (...) {
      rollback();
      return Translate(what);
    }
  }
  for (int attempt = 1;; ++attempt) {
    try {
      pqxx::work work(*conn_);
      Status status = body(static_cast<Tx&>(work));
      if (!status.ok()) {
        work.abort();
        return status;
      }
      work.commit();
      return status;
    } catch (const pqxx::serialization_failure&) {
      if (attempt >= kMaxAttempts) return Translate(what);
    } catch (const pqxx::deadlock_detected&) {
      if (attempt >= kMaxAttempts) return Translate(what);
    } catch (const RetryWrite&) {
      if (attempt >= kMaxAttempts) return Translate(what);
    } catch (...) {
      return Translate(what);
    }
  }
}

template <typename Body>
Status PostgresStore::Read(std::string_view what, Body&& body, bool snapshot) {
  try {
    if (tx_) return body(static_cast<Tx&>(*tx_));
    if (snapshot) {
      pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*conn_);
      Status status = body(static_cast<Tx&>(tx));
      tx.commit();
      return status;
    }
    pqxx::nontransaction tx(*conn_);
    return body(static_cast<Tx&>(tx));
  } catch (...) {
    return Translate(what);
  }
}

Status PostgresStore::WithTransaction(const std::function<Status()>& body) {
  SC_ASSERT(body);
  if (tx_) {
    return Error::Internal(fmt::format(
        "{}: WithTransaction called inside another transaction; it is not reentrant", path()));
  }
  constexpr std::string_view kWhat = "running a transaction";
  try {
    if (options_.read_only) {
      tx_ = std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(*conn_);
    } else {
      tx_ = std::make_unique<pqxx::work>(*conn_);
    }
  } catch (...) {
    tx_.reset();
    return Translate(kWhat);
  }
  Status status;
  try {
    status = body();
  } catch (...) {
    tx_.reset();  // rolls back
    throw;
  }
  try {
    if (status.ok()) {
      tx_->commit();
    } else {
      tx_->abort();
    }
  } catch (...) {
    tx_.reset();
    return Translate(kWhat);
  }
  tx_.reset();
  return status;
}

// ---- Master data ----

Status PostgresStore::UpsertProducts(std::span<const Product> products) {
  SC_RETURN_IF_ERROR(checks::CheckProducts(products));
  static const std::string kSql =
      "INSERT INTO products (sku, name, category, supplier_id, unit_cost, price, "
      "shelf_life_days, allow_backorder) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category, "
      "supplier_id = excluded.supplier_id, unit_cost = excluded.unit_cost, "
      "price = excluded.price, shelf_life_days = excluded.shelf_life_days, "
      "allow_backorder = excluded.allow_backorder";
  return Write("upserting products", [&](Tx& tx) -> Status {
    for (size_t i = 0; i < products.size(); ++i) {
      const Product& p = products[i];
      Params params;
      params.Text(p.sku).Text(p.name).Text(p.category).Text(p.supplier_id).Real(p.unit_cost);
      params.Real(p.price).Int(p.shelf_life_days).Bool(p.allow_backorder);
      ExecItem(tx, kSql, params, "upserting", "products", i);
    }
    return Status::Ok();
  });
}

Status PostgresStore::UpsertLocations(std::span<const Location> locations) {
  SC_RETURN_IF_ERROR(checks::CheckLocations(locations));
  static const std::string kSql =
      "INSERT INTO locations (id, name, capacity_units) VALUES ($1, $2, $3) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
      "capacity_units = excluded.capacity_units";
  return Write("upserting locations", [&](Tx& tx) -> Status {
    for (size_t i = 0; i < locations.size(); ++i) {
      Params params;
      params.Text(locations[i].id).Text(locations[i].name).Real(locations[i].capacity_units);
      ExecItem(tx, kSql, params, "upserting", "locations", i);
    }
    return Status::Ok();
  });
}

Status PostgresStore::UpsertSuppliers(std::span<const Supplier> suppliers) {
  SC_RETURN_IF_ERROR(checks::CheckSuppliers(suppliers));
  static const std::string kSql =
      "INSERT INTO suppliers (id, name, lead_time_mean_days, lead_time_sd_days, moq, case_pack, "
      "unit_cost, order_cost) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
      "lead_time_mean_days = excluded.lead_time_mean_days, "
      "lead_time_sd_days = excluded.lead_time_sd_days, moq = excluded.moq, "
      "case_pack = excluded.case_pack, unit_cost = excluded.unit_cost, "
      "order_cost = excluded.order_cost";
  return Write("upserting suppliers", [&](Tx& tx) -> Status {
    for (size_t i = 0; i < suppliers.size(); ++i) {
      const Supplier& s = suppliers[i];
      Params params;
      params.Text(s.id).Text(s.name).Real(s.lead_time_mean_days).Real(s.lead_time_sd_days);
      params.Real(s.moq).Real(s.case_pack).Real(s.unit_cost).Real(s.order_cost);
      ExecItem(tx, kSql, params, "upserting", "suppliers", i);
    }
    return Status::Ok();
  });
}

Result<std::vector<Product>> PostgresStore::ListProducts() { return SelectProducts(""); }

Result<std::optional<Product>> PostgresStore::FindProduct(const std::string& sku) {
  if (sku.empty()) return std::optional<Product>();
  SC_ASSIGN_OR_RETURN(std::vector<Product> rows, SelectProducts(sku));
  if (rows.empty()) return std::optional<Product>();
  return std::optional<Product>(std::move(rows.front()));
}

Result<std::vector<Product>> PostgresStore::SelectProducts(const std::string& sku) {
  const std::string sql = fmt::format(
      "SELECT sku, name, category, supplier_id, unit_cost, price, shelf_life_days, "
      "allow_backorder FROM products{} ORDER BY sku",
      sku.empty() ? "" : " WHERE sku = $1");
  Params params;
  if (!sku.empty()) params.Text(sku);
  std::vector<Product> out;
  SC_RETURN_IF_ERROR(Read("reading products", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, sql, params)) {
      Product p;
      p.sku = Text(r[0]);
      p.name = Text(r[1]);
      p.category = Text(r[2]);
      p.supplier_id = Text(r[3]);
      p.unit_cost = Real(r[4]);
      p.price = Real(r[5]);
      p.shelf_life_days = static_cast<int>(Int(r[6]));
      p.allow_backorder = Bool(r[7]);
      out.push_back(std::move(p));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Location>> PostgresStore::ListLocations() {
  static const std::string kSql = "SELECT id, name, capacity_units FROM locations ORDER BY id";
  std::vector<Location> out;
  SC_RETURN_IF_ERROR(Read("reading locations", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql)) {
      Location l;
      l.id = Text(r[0]);
      l.name = Text(r[1]);
      l.capacity_units = Real(r[2]);
      out.push_back(std::move(l));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Supplier>> PostgresStore::ListSuppliers() {
  static const std::string kSql =
      "SELECT id, name, lead_time_mean_days, lead_time_sd_days, moq, case_pack, unit_cost, "
      "order_cost FROM suppliers ORDER BY id";
  std::vector<Supplier> out;
  SC_RETURN_IF_ERROR(Read("reading suppliers", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql)) {
      Supplier s;
      s.id = Text(r[0]);
      s.name = Text(r[1]);
      s.lead_time_mean_days = Real(r[2]);
      s.lead_time_sd_days = Real(r[3]);
      s.moq = Real(r[4]);
      s.case_pack = Real(r[5]);
      s.unit_cost = Real(r[6]);
      s.order_cost = Real(r[7]);
      out.push_back(std::move(s));
    }
    return Status::Ok();
  }));
  return out;
}

// ---- Stock ledger ----

int64_t PostgresStore::InsertMovements(Tx& tx, std::span<const Movement> movements) {
  // Conflicts on the idempotency key only are ignored; any other failure is an error. Rows go
  // in in (sku, location, date, seconds, input order) order, which is the order their ids
  // follow, so movements of one series with the same date and second read back as given.
  static const std::string kSql =
      "INSERT INTO stock_ledger (idempotency_key, type, sku, location, date, seconds, quantity, "
      "unit_price, reference, actor, source, recorded_at) "
      "SELECT k, t, s, l, d, sec, q, p, r, a, src, $12 FROM unnest($1::text[], $2::text[], "
      "$3::text[], $4::text[], $5::date[], $6::integer[], $7::float8[], $8::float8[], "
      "$9::text[], $10::text[], $11::text[]) WITH ORDINALITY "
      "AS u (k, t, s, l, d, sec, q, p, r, a, src, ord) ORDER BY ord "
      "ON CONFLICT (idempotency_key) DO NOTHING";
  std::vector<size_t> order(movements.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Movement& x = movements[a];
    const Movement& y = movements[b];
    return std::tie(x.sku, x.location, x.date, x.seconds, a) <
           std::tie(y.sku, y.location, y.date, y.seconds, b);
  });
  const std::string recorded_at = pg::UtcNowIso();
  int64_t inserted = 0;
  for (size_t begin = 0; begin < order.size(); begin += kChunkRows) {
    const size_t end = std::min(order.size(), begin + kChunkRows);
    ArrayLiteral cols[11];
    for (size_t k = begin; k < end; ++k) {
      const Movement& m = movements[order[k]];
      cols[0].Add(m.idempotency_key);
      cols[1].Add(ToString(m.type));
      cols[2].Add(m.sku);
      cols[3].Add(m.location);
      cols[4].Add(m.date.ToString());
      cols[5].Add(std::to_string(m.seconds));
      cols[6].Add(FormatDouble(m.quantity));
      cols[7].Add(FormatDouble(m.unit_price));
      cols[8].Add(m.reference);
      cols[9].Add(m.actor);
      cols[10].Add(m.source);
    }
    Params params;
    for (const ArrayLiteral& c : cols) params.Text(c.Done());
    params.Text(recorded_at);
    inserted += static_cast<int64_t>(Exec(tx, kSql, params).affected_rows());
  }
  return inserted;
}

Result<AppendStats> PostgresStore::AppendMovements(std::span<const Movement> movements) {
  SC_RETURN_IF_ERROR(checks::CheckMovements(movements));
  AppendStats stats;
  if (movements.empty()) return stats;
  SC_RETURN_IF_ERROR(Write("appending movements", [&](Tx& tx) -> Status {
    stats.inserted = InsertMovements(tx, movements);
    stats.already_present = static_cast<int64_t>(movements.size()) - stats.inserted;
    return Status::Ok();
  }));
  return stats;
}

Status PostgresStore::ForEachMovement(const MovementFilter& filter,
                                      const std::function<void(const Movement&)>& fn) {
  SC_ASSERT(fn);
  constexpr std::string_view kWhat = "reading the stock ledger";
  std::string sql =
      "SELECT idempotency_key, type, sku, location, date, seconds, quantity, unit_price, "
      "reference, actor, source FROM stock_ledger WHERE true";
  Params params;
  int index = 0;
  if (!filter.types.empty()) {
    ArrayLiteral types;
    for (MovementType type : filter.types) types.Add(ToString(type));
    sql += fmt::format(" AND type = ANY(${}::text[])", ++index);
    params.Text(types.Done());
  }
  if (filter.from) {
    sql += fmt::format(" AND date >= ${}::date", ++index);
    params.Day(*filter.from);
  }
  if (filter.to) {
    sql += fmt::format(" AND date <= ${}::date", ++index);
    params.Day(*filter.to);
  }
  if (!filter.sku.empty()) {
    sql += fmt::format(" AND sku = ${}", ++index);
    params.Text(filter.sku);
  }
  if (!filter.location.empty()) {
    sql += fmt::format(" AND location = ${}", ++index);
    params.Text(filter.location);
  }
  sql += " ORDER BY date, seconds, id";
  return Read(kWhat, [&](Tx& tx) -> Status {
    const std::vector<const char*> pointers = params.Pointers();
    const pqxx::result rows = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(pointers));
    Movement m;
    for (const pqxx::row& r : rows) {
      m.idempotency_key = Text(r[0]);
      const std::string type_name = Text(r[1]);
      const std::optional<MovementType> type = ParseMovementType(type_name);
      if (!type) {
        return Error::Internal(fmt::format(
            "{}: stock_ledger.type holds '{}' (idempotency key '{}'); must be one of receipt, "
            "sale, return, adjustment, transfer_out, transfer_in",
            path(), type_name, m.idempotency_key));
      }
      m.type = *type;
      m.sku = Text(r[2]);
      m.location = Text(r[3]);
      SC_ASSIGN_OR_RETURN(m.date, ReadDate(r[4], "stock_ledger", "date"));
      m.seconds = static_cast<int32_t>(Int(r[5]));
      m.quantity = Real(r[6]);
      m.unit_price = Real(r[7]);
      m.reference = Text(r[8]);
      m.actor = Text(r[9]);
      m.source = Text(r[10]);
      fn(m);
    }
    return Status::Ok();
  });
}

Result<int64_t> PostgresStore::CountMovements() {
  static const std::string kSql = "SELECT COUNT(*) FROM stock_ledger";
  int64_t count = 0;
  SC_RETURN_IF_ERROR(Read("counting movements", [&](Tx& tx) -> Status {
    count = Int(Exec(tx, kSql)[0][0]);
    return Status::Ok();
  }));
  return count;
}

Result<AppendStats> PostgresStore::PostMovements(std::span<const Movement> movements) {
  SC_RETURN_IF_ERROR(checks::CheckMovements(movements));
  // The stock levels of the batch's series, locked in (sku, location) order in one statement
  // (LockRows sits above the sort, so rows are locked in that order).
  static const std::string kLockAll =
      "SELECT sku, location, on_hand, snapshot_date FROM stock_levels "
      "WHERE (sku, location) IN (SELECT s, l FROM unnest($1::text[], $2::text[]) AS u (s, l)) "
      "ORDER BY sku, location FOR UPDATE";
  static const std::string kLock =
      "SELECT on_hand, snapshot_date FROM stock_levels WHERE sku = $1 AND location = $2 "
      "FOR UPDATE";
  static const std::string kSeen =
      "SELECT idempotency_key FROM stock_ledger WHERE idempotency_key = ANY($1::text[])";
  // A series without a stock level yet: its balance as RebuildStockLevels computes it (latest
  // snapshot + ledger movements after it), inserted so it can be locked like the others.
  static const std::string kCreate = R"sql(
WITH s AS (SELECT date, on_hand FROM stock_snapshots WHERE sku = $1 AND location = $2
           ORDER BY date DESC LIMIT 1)
INSERT INTO stock_levels (sku, location, on_hand, on_order, snapshot_date, last_movement,
                          rebuilt_at)
SELECT $1, $2,
       COALESCE((SELECT on_hand FROM s), 0) +
       COALESCE((SELECT SUM(sc_stock_delta(type, quantity)) FROM stock_ledger
                 WHERE sku = $1 AND location = $2
                   AND ((SELECT date FROM s) IS NULL OR date > (SELECT date FROM s))), 0),
       COALESCE((SELECT SUM(quantity) FROM purchase_orders
                 WHERE status = 'open' AND sku = $1 AND location = $2), 0),
       (SELECT date FROM s), NULL, $3
ON CONFLICT (sku, location) DO NOTHING
RETURNING on_hand, snapshot_date)sql";
  static const std::string kBackorder = "SELECT allow_backorder FROM products WHERE sku = $1";
  static const std::string kUpdate =
      "UPDATE stock_levels AS l SET on_hand = u.h, last_movement = GREATEST(l.last_movement, u.d) "
      "FROM unnest($1::text[], $2::text[], $3::float8[], $4::date[]) AS u (s, c, h, d) "
      "WHERE l.sku = u.s AND l.location = u.c";
  struct Level {
    double on_hand = 0;
    double before = 0;
    std::optional<Date> snapshot;
    Date last_movement;
    bool locked = false;
    bool touched = false;
  };
  using SeriesKey2 = std::pair<std::string, std::string>;
  AppendStats stats;
  const Status done = Write("posting movements", [&](Tx& tx) -> Status {
    stats = AppendStats();
    std::map<SeriesKey2, Level> levels;
    for (const Movement& m : movements) levels.emplace(SeriesKey2(m.sku, m.location), Level());
    const auto read_level = [&](Level& level, const pqxx::field& on_hand,
                                const pqxx::field& snapshot) -> Status {
      level.on_hand = Real(on_hand);
      level.before = level.on_hand;
      level.locked = true;
      if (!snapshot.is_null()) {
        SC_ASSIGN_OR_RETURN(level.snapshot, ReadDate(snapshot, "stock_levels", "snapshot_date"));
      }
      return Status::Ok();
    };
    {
      ArrayLiteral skus, locations;
      for (const auto& [key, level] : levels) {
        skus.Add(key.first);
        locations.Add(key.second);
      }
      for (const pqxx::row& r : Exec(tx, kLockAll, Params().Text(skus.Done()).Text(locations.Done()))) {
        auto it = levels.find(SeriesKey2(Text(r[0]), Text(r[1])));
        if (it == levels.end()) continue;
        const Status read = read_level(it->second, r[2], r[3]);
        if (!read.ok()) return read;
      }
    }
    // With the locks held, a key committed by a concurrent writer of these series is visible.
    std::set<std::string> seen;
    {
      ArrayLiteral keys;
      for (const Movement& m : movements) keys.Add(m.idempotency_key);
      for (const pqxx::row& r : Exec(tx, kSeen, Params().Text(keys.Done()))) {
        seen.insert(Text(r[0]));
      }
    }
    // Series that get a movement and have no stock level yet: create (and so lock) theirs.
    {
      std::set<SeriesKey2> missing;
      for (const Movement& m : movements) {
        if (!seen.count(m.idempotency_key) && !levels[SeriesKey2(m.sku, m.location)].locked) {
          missing.insert(SeriesKey2(m.sku, m.location));
        }
      }
      const std::string now = pg::UtcNowIso();
      for (const SeriesKey2& key : missing) {
        pqxx::result row = Exec(tx, kCreate, Params().Text(key.first).Text(key.second).Text(now));
        // Created by a concurrent writer since: lock theirs (committed by now).
        if (row.empty()) row = Exec(tx, kLock, Params().Text(key.first).Text(key.second));
        if (row.empty()) {
          throw RetryWrite{
              fmt::format("the stock level of {} at {} vanished", key.first, key.second)};
        }
        const Status read = read_level(levels[key], row[0][0], row[0][1]);
        if (!read.ok()) return read;
      }
    }
    std::set<std::string> keys;
    int64_t applied = 0;
    for (size_t i = 0; i < movements.size(); ++i) {
      const Movement& m = movements[i];
      if (!keys.insert(m.idempotency_key).second) continue;  // repeated within the batch
      if (seen.count(m.idempotency_key)) continue;           // applied before: not again
      Level& l = levels[SeriesKey2(m.sku, m.location)];
      ++applied;
      // A movement dated on or before the series' snapshot is already in that count.
      const double delta = l.snapshot && !(m.date > *l.snapshot) ? 0.0 : StockDelta(m);
      l.on_hand += delta;
      if (!l.touched || m.date > l.last_movement) l.last_movement = m.date;
      l.touched = true;
      if (delta < 0 && l.on_hand < -1e-9) {
        const pqxx::result product = Exec(tx, kBackorder, Params().Text(m.sku));
        const bool backorders = !product.empty() && Bool(product[0][0]);
        if (!backorders) {
          return Error::Conflict(fmt::format(
              "movements[{}] ({} of {:g} {} at {}, key \"{}\") would take on hand to {:g}; {} does "
              "not allow backorders (nothing in this batch was applied)",
              i, ToString(m.type), std::fabs(m.quantity), m.sku, m.location, m.idempotency_key,
              l.on_hand, m.sku));
        }
      }
    }
    stats.inserted = applied == 0 ? 0 : InsertMovements(tx, movements);
    stats.already_present = static_cast<int64_t>(movements.size()) - stats.inserted;
    // A key inserted meanwhile by a writer of another series: the balances above counted it.
    if (stats.inserted != applied) {
      throw RetryWrite{"an idempotency key was inserted concurrently for another series"};
    }
    ArrayLiteral skus, locations, on_hand, dates;
    for (const auto& [key, l] : levels) {
      if (!l.touched) continue;
      stats.balances.push_back({key.first, key.second, l.before, l.on_hand});
      skus.Add(key.first);
      locations.Add(key.second);
      on_hand.Add(FormatDouble(l.on_hand));
      dates.Add(l.last_movement.ToString());
    }
    if (skus.size() > 0) {
      Params params;
      params.Text(skus.Done()).Text(locations.Done()).Text(on_hand.Done()).Text(dates.Done());
      Exec(tx, kUpdate, params);
    }
    return Status::Ok();
  });
  if (!done.ok()) return done.error();
  return stats;
}

// ---- Stock data ----

Status PostgresStore::UpsertSnapshots(std::span<const StockSnapshot> snapshots) {
  SC_RETURN_IF_ERROR(checks::CheckSnapshots(snapshots));
  static const std::string kSql =
      "INSERT INTO stock_snapshots (sku, location, date, on_hand) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (sku, location, date) DO UPDATE SET on_hand = excluded.on_hand";
  return Write("upserting stock snapshots", [&](Tx& tx) -> Status {
    for (size_t i = 0; i < snapshots.size(); ++i) {
      const StockSnapshot& s = snapshots[i];
      ExecItem(tx, kSql, Params().Text(s.sku).Text(s.location).Day(s.date).Real(s.on_hand),
               "upserting", "snapshots", i);
    }
    return Status::Ok();
  });
}

Result<std::vector<StockSnapshot>> PostgresStore::ListSnapshots() {
  static const std::string kSql =
      "SELECT sku, location, date, on_hand FROM stock_snapshots ORDER BY sku, location, date";
  std::vector<StockSnapshot> out;
  SC_RETURN_IF_ERROR(Read("reading stock snapshots", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql)) {
      StockSnapshot s;
      s.sku = Text(r[0]);
      s.location = Text(r[1]);
      SC_ASSIGN_OR_RETURN(s.date, ReadDate(r[2], "stock_snapshots", "date"));
      s.on_hand = Real(r[3]);
      out.push_back(std::move(s));
    }
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::UpsertReceipts(std::span<const Receipt> receipts) {
  SC_RETURN_IF_ERROR(checks::CheckReceipts(receipts));
  static const std::string kSql =
      "INSERT INTO purchase_orders (po_id, sku, location, supplier_id, quantity, order_date, "
      "date, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (po_id, sku, location) DO UPDATE SET supplier_id = excluded.supplier_id, "
      "quantity = excluded.quantity, order_date = excluded.order_date, date = excluded.date, "
      "status = excluded.status";
  return Write("upserting receipts", [&](Tx& tx) -> Status {
    for (size_t i = 0; i < receipts.size(); ++i) {
      const Receipt& r = receipts[i];
      Params params;
      params.Text(r.po_id).Text(r.sku).Text(r.location).Text(r.supplier_id).Real(r.quantity);
      params.OptDay(r.order_date).Day(r.date).Text(ToString(r.status));
      ExecItem(tx, kSql, params, "upserting", "receipts", i);
    }
    return Status::Ok();
  });
}

Result<std::vector<Receipt>> PostgresStore::ListReceipts() {
  static const std::string kSql =
      "SELECT po_id, sku, location, supplier_id, quantity, order_date, date, status "
      "FROM purchase_orders ORDER BY po_id, sku, location";
  std::vector<Receipt> out;
  SC_RETURN_IF_ERROR(Read("reading receipts", [&](Tx& tx) -> Status {
    for (const pqxx::row& row : Exec(tx, kSql)) {
      Receipt r;
      r.po_id = Text(row[0]);
      r.sku = Text(row[1]);
      r.location = Text(row[2]);
      r.supplier_id = Text(row[3]);
      r.quantity = Real(row[4]);
      if (!row[5].is_null()) {
        SC_ASSIGN_OR_RETURN(r.order_date, ReadDate(row[5], "purchase_orders", "order_date"));
      }
      SC_ASSIGN_OR_RETURN(r.date, ReadDate(row[6], "purchase_orders", "date"));
      const std::string status_text = Text(row[7]);
      const std::optional<ReceiptStatus> status = ParseReceiptStatus(status_text);
      if (!status) {
        return Error::Internal(fmt::format(
            "{}: purchase_orders.status holds '{}'; must be received or open", path(), status_text));
      }
      r.status = *status;
      out.push_back(std::move(r));
    }
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::UpsertCartAdds(std::span<const CartAdds> cart_adds) {
  SC_RETURN_IF_ERROR(checks::CheckCartAdds(cart_adds));
  static const std::string kSql =
      "INSERT INTO cart_daily (sku, location, date, cart_adds) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (sku, location, date) DO UPDATE SET cart_adds = excluded.cart_adds";
  return Write("upserting cart adds", [&](Tx& tx) -> Status {
    for (size_t i = 0; i < cart_adds.size(); ++i) {
      const CartAdds& c = cart_adds[i];
      ExecItem(tx, kSql, Params().Text(c.sku).Text(c.location).Day(c.date).Real(c.cart_adds),
               "upserting", "cart_adds", i);
    }
    return Status::Ok();
  });
}

Result<std::vector<CartAdds>> PostgresStore::ListCartAdds() {
  static const std::string kSql =
      "SELECT sku, location, date, cart_adds FROM cart_daily ORDER BY sku, location, date";
  std::vector<CartAdds> out;
  SC_RETURN_IF_ERROR(Read("reading cart adds", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql)) {
      CartAdds c;
      c.sku = Text(r[0]);
      c.location = Text(r[1]);
      SC_ASSIGN_OR_RETURN(c.date, ReadDate(r[2], "cart_daily", "date"));
      c.cart_adds = Real(r[3]);
      out.push_back(std::move(c));
    }
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::UpsertPromotions(std::span<const Promotion> promotions) {
  SC_RETURN_IF_ERROR(checks::CheckPromotions(promotions));
  static const std::string kSql =
      "INSERT INTO promotions (sku, location, start_date, end_date, discount) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sku, location, start_date) DO UPDATE SET "
      "end_date = excluded.end_date, discount = excluded.discount";
  return Write("upserting promotions", [&](Tx& tx) -> Status {
    for (size_t i = 0; i < promotions.size(); ++i) {
      const Promotion& p = promotions[i];
      ExecItem(tx, kSql,
               Params().Text(p.sku).Text(p.location).Day(p.start).Day(p.end).Real(p.discount),
               "upserting", "promotions", i);
    }
    return Status::Ok();
  });
}

Result<std::vector<Promotion>> PostgresStore::ListPromotions() {
  static const std::string kSql =
      "SELECT sku, location, start_date, end_date, discount FROM promotions "
      "ORDER BY sku, location, start_date";
  std::vector<Promotion> out;
  SC_RETURN_IF_ERROR(Read("reading promotions", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql)) {
      Promotion p;
      p.sku = Text(r[0]);
      p.location = Text(r[1]);
      SC_ASSIGN_OR_RETURN(p.start, ReadDate(r[2], "promotions", "start_date"));
      SC_ASSIGN_OR_RETURN(p.end, ReadDate(r[3], "promotions", "end_date"));
      p.discount = Real(r[4]);
      out.push_back(std::move(p));
    }
    return Status::Ok();
  }));
  return out;
}

// ---- Derived stock levels ----

Status PostgresStore::RebuildStockLevels() {
  // As in SQLite: on_hand = latest snapshot + movements dated after it; on_order = open
  // purchase-order lines. The table lock keeps live writers (PostMovements) out meanwhile.
  static const std::string kSql = R"sql(
LOCK TABLE stock_levels IN EXCLUSIVE MODE;
DELETE FROM stock_levels;
INSERT INTO stock_levels (sku, location, on_hand, on_order, snapshot_date, last_movement,
                          rebuilt_at)
WITH latest AS (
  SELECT DISTINCT ON (sku, location) sku, location, date, on_hand
  FROM stock_snapshots ORDER BY sku, location, date DESC
),
moves AS (
  SELECT l.sku, l.location,
         SUM(CASE WHEN s.date IS NULL OR l.date > s.date
                  THEN sc_stock_delta(l.type, l.quantity) ELSE 0 END) AS delta,
         MAX(l.date) AS last_movement
  FROM stock_ledger AS l
  LEFT JOIN latest AS s ON s.sku = l.sku AND s.location = l.location
  GROUP BY l.sku, l.location
),
open_orders AS (
  SELECT sku, location, SUM(quantity) AS on_order
  FROM purchase_orders WHERE status = 'open'
  GROUP BY sku, location
),
series AS (
  SELECT sku, location FROM latest
  UNION SELECT sku, location FROM moves
  UNION SELECT sku, location FROM open_orders
)
SELECT k.sku, k.location, COALESCE(s.on_hand, 0) + COALESCE(m.delta, 0),
       COALESCE(o.on_order, 0), s.date, m.last_movement,
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
FROM series AS k
LEFT JOIN latest AS s ON s.sku = k.sku AND s.location = k.location
LEFT JOIN moves AS m ON m.sku = k.sku AND m.location = k.location
LEFT JOIN open_orders AS o ON o.sku = k.sku AND o.location = k.location;
)sql";
  return Write("rebuilding stock levels", [&](Tx& tx) -> Status {
    tx.exec(kSql);
    return Status::Ok();
  });
}

Result<std::vector<StockLevel>> PostgresStore::ListStockLevels() {
  return SelectStockLevels("", "");
}

Result<std::optional<StockLevel>> PostgresStore::FindStockLevel(const std::string& sku,
                                                                const std::string& location) {
  if (sku.empty()) return Store::FindStockLevel(sku, location);
  SC_ASSIGN_OR_RETURN(std::vector<StockLevel> rows, SelectStockLevels(sku, location));
  if (rows.empty()) return std::optional<StockLevel>();
  return std::optional<StockLevel>(std::move(rows.front()));
}

Result<std::vector<StockLevel>> PostgresStore::SelectStockLevels(const std::string& sku,
                                                                 const std::string& location) {
  const std::string sql = fmt::format(
      "SELECT sku, location, on_hand, on_order, snapshot_date, last_movement FROM stock_levels"
      "{} ORDER BY sku, location",
      sku.empty() ? "" : " WHERE sku = $1 AND location = $2");
  Params params;
  if (!sku.empty()) params.Text(sku).Text(location);
  std::vector<StockLevel> out;
  SC_RETURN_IF_ERROR(Read("reading stock levels", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, sql, params)) {
      StockLevel l;
      l.sku = Text(r[0]);
      l.location = Text(r[1]);
      l.on_hand = Real(r[2]);
      l.on_order = Real(r[3]);
      if (!r[4].is_null()) {
        SC_ASSIGN_OR_RETURN(l.snapshot_date, ReadDate(r[4], "stock_levels", "snapshot_date"));
      }
      if (!r[5].is_null()) {
        SC_ASSIGN_OR_RETURN(l.last_movement, ReadDate(r[5], "stock_levels", "last_movement"));
      }
      out.push_back(std::move(l));
    }
    return Status::Ok();
  }));
  return out;
}

// ---- Daily history ----

Status PostgresStore::SavePanel(const DemandPanel& panel) {
  for (size_t s = 0; s < panel.num_series(); ++s) {
    if (panel.key(s).sku.empty()) {
      return Error::InvalidArgument(fmt::format("panel.keys[{}].sku is empty; must be set", s));
    }
  }
  static const std::string kDelete =
      "DELETE FROM sales_daily AS d USING unnest($1::text[], $2::text[]) AS k (s, l) "
      "WHERE d.sku = k.s AND d.location = k.l";
  static const std::string kInsert = fmt::format(
      "INSERT INTO sales_daily (sku, location, date, {}, flags) "
      "SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::float8[], $5::float8[], "
      "$6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::integer[])",
      PanelColumnList());
  static const std::string kSeries =
      "INSERT INTO panel_series (sku, location, first_date, last_date) "
      "SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[]) "
      "ON CONFLICT (sku, location) DO UPDATE SET first_date = excluded.first_date, "
      "last_date = excluded.last_date";
  static const std::string kNoSeries =
      "DELETE FROM panel_series AS p USING unnest($1::text[], $2::text[]) AS k (s, l) "
      "WHERE p.sku = k.s AND p.location = k.l";
  return Write("saving the demand panel", [&](Tx& tx) -> Status {
    ArrayLiteral skus, locations;
    ArrayLiteral series_skus, series_locations, firsts, lasts;
    ArrayLiteral empty_skus, empty_locations;
    for (size_t s = 0; s < panel.num_series(); ++s) {
      const SeriesKey& key = panel.key(s);
      skus.Add(key.sku);
      locations.Add(key.location);
      if (panel.FirstObserved(s) < panel.num_days()) {
        series_skus.Add(key.sku);
        series_locations.Add(key.location);
        firsts.Add(panel.DateAt(panel.FirstObserved(s)).ToString());
        lasts.Add(panel.end().ToString());
      } else {
        empty_skus.Add(key.sku);
        empty_locations.Add(key.location);
      }
    }
    Exec(tx, kDelete, Params().Text(skus.Done()).Text(locations.Done()));
    // Rows from each series' first observed day, in chunks; NaN is NULL.
    ArrayLiteral cols[4 + kNumPanelColumns];
    const auto flush = [&]() {
      if (cols[0].size() == 0) return;
      Params params;
      for (ArrayLiteral& c : cols) {
        params.Text(c.Done());
        c = ArrayLiteral();
      }
      Exec(tx, kInsert, params);
    };
    for (size_t s = 0; s < panel.num_series(); ++s) {
      const SeriesKey& key = panel.key(s);
      std::span<const float> columns[kNumPanelColumns];
      for (int c = 0; c < kNumPanelColumns; ++c) columns[c] = panel.column(kPanelColumns[c], s);
      const std::span<const uint8_t> flags = panel.flags(s);
      for (int t = panel.FirstObserved(s); t < panel.num_days(); ++t) {
        cols[0].Add(key.sku);
        cols[1].Add(key.location);
        cols[2].Add(panel.DateAt(t).ToString());
        for (int c = 0; c < kNumPanelColumns; ++c) {
          const float v = columns[c][t];
          if (std::isnan(v)) {
            cols[3 + c].AddNull();
          } else {
            cols[3 + c].Add(FormatDouble(static_cast<double>(v)));
          }
        }
        cols[3 + kNumPanelColumns].Add(std::to_string(flags[t]));
        if (cols[0].size() >= kChunkRows) flush();
      }
    }
    flush();
    if (series_skus.size() > 0) {
      Params params;
      params.Text(series_skus.Done()).Text(series_locations.Done()).Text(firsts.Done());
      params.Text(lasts.Done());
      Exec(tx, kSeries, params);
    }
    if (empty_skus.size() > 0) {
      Exec(tx, kNoSeries, Params().Text(empty_skus.Done()).Text(empty_locations.Done()));
    }
    return Status::Ok();
  });
}

Result<DemandPanel> PostgresStore::LoadPanel() {
  static const std::string kKeys =
      "SELECT sku, location, first_date, last_date FROM panel_series ORDER BY sku, location";
  static const std::string kRows = fmt::format(
      "SELECT sku, location, date, {}, flags FROM sales_daily ORDER BY sku, location, date",
      PanelColumnList());
  DemandPanel out;
  // Both queries must see the same rows: one snapshot.
  SC_RETURN_IF_ERROR(Read(
      "loading the demand panel",
      [&](Tx& tx) -> Status {
        std::vector<SeriesKey> keys;
        std::vector<Date> first_days;
        std::optional<Date> first, last;
        for (const pqxx::row& r : Exec(tx, kKeys)) {
          keys.push_back({Text(r[0]), Text(r[1])});
          SC_ASSIGN_OR_RETURN(Date lo, ReadDate(r[2], "panel_series", "first_date"));
          SC_ASSIGN_OR_RETURN(Date hi, ReadDate(r[3], "panel_series", "last_date"));
          first_days.push_back(lo);
          if (!first || lo < *first) first = lo;
          if (!last || hi > *last) last = hi;
        }
        if (keys.empty()) return Status::Ok();
        DemandPanel panel(*first, (*last - *first) + 1, std::move(keys));
        for (size_t s = 0; s < panel.num_series(); ++s) {
          const int launch = panel.IndexOf(first_days[s]);
          std::span<uint8_t> flags = panel.flags(s);
          for (int t = 0; t < panel.num_days(); ++t) {
            flags[t] = t < launch ? kFlagNotLaunched : kFlagMissing;
          }
        }
        size_t series = 0;
        for (const pqxx::row& r : Exec(tx, kRows)) {
          const std::string sku = Text(r[0]);
          const std::string location = Text(r[1]);
          while (series < panel.num_series() &&
                 (sku != panel.key(series).sku || location != panel.key(series).location)) {
            ++series;
          }
          if (series == panel.num_series()) {
            return Error::Internal(fmt::format(
                "{}: sales_daily changed while it was being read (series {}/{} not found in "
                "order)",
                path(), sku, location));
          }
          SC_ASSIGN_OR_RETURN(Date date, ReadDate(r[2], "sales_daily", "date"));
          const int t = panel.IndexOf(date);
          SC_ASSERT(t >= 0);
          for (int c = 0; c < kNumPanelColumns; ++c) {
            if (r[3 + c].is_null()) continue;
            panel.column(kPanelColumns[c], series)[t] = static_cast<float>(Real(r[3 + c]));
          }
          panel.flags(series)[t] = static_cast<uint8_t>(Int(r[3 + kNumPanelColumns]));
        }
        out = std::move(panel);
        return Status::Ok();
      },
      /*snapshot=*/true));
  return out;
}

// ---- Runs, forecasts, plans ----

Result<int64_t> PostgresStore::StartRun(const std::string& kind, const std::string& params_json) {
  SC_RETURN_IF_ERROR(checks::CheckNewRun(kind, params_json));
  static const std::string kSql =
      "INSERT INTO runs (kind, started_at, status, params_json, version) "
      "VALUES ($1, $2, 'running', $3, $4) RETURNING id";
  int64_t id = 0;
  SC_RETURN_IF_ERROR(Write("starting a run", [&](Tx& tx) -> Status {
    Params params;
    params.Text(kind).Text(pg::UtcNowIso()).Text(params_json).Text(STOCKCAST_VERSION);
    id = Int(Exec(tx, kSql, params)[0][0]);
    return Status::Ok();
  }));
  return id;
}

Status PostgresStore::FinishRun(int64_t run_id, const std::string& status,
                                const std::string& report_json) {
  SC_RETURN_IF_ERROR(checks::CheckFinishStatus(status));
  SC_RETURN_IF_ERROR(CheckJson("report_json", report_json));
  static const std::string kUpdate =
      "UPDATE runs SET finished_at = $1, status = $2, report_json = $3 "
      "WHERE id = $4 AND status = 'running'";
  static const std::string kStatus = "SELECT status FROM runs WHERE id = $1";
  return Write(fmt::format("finishing run {}", run_id), [&](Tx& tx) -> Status {
    Params params;
    params.Text(pg::UtcNowIso()).Text(status).Text(report_json).Int(run_id);
    if (Exec(tx, kUpdate, params).affected_rows() == 1) return Status::Ok();
    const pqxx::result row = Exec(tx, kStatus, Params().Int(run_id));
    if (row.empty()) {
      return Error::NotFound(fmt::format("{}: run {} does not exist", path(), run_id));
    }
    return Error::Conflict(
        fmt::format("{}: run {} is already finished (status {}); only a running run can be "
                    "finished",
                    path(), run_id, Text(row[0][0])));
  });
}

Result<std::optional<RunInfo>> PostgresStore::LatestRun(const std::string& kind) {
  static const std::string kSql =
      std::string(kRunColumns) + "WHERE kind = $1 ORDER BY id DESC LIMIT 1";
  std::optional<RunInfo> out;
  SC_RETURN_IF_ERROR(Read("reading the latest run", [&](Tx& tx) -> Status {
    const pqxx::result rows = Exec(tx, kSql, Params().Text(kind));
    if (!rows.empty()) out = ReadRun(rows[0]);
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::CheckRunExists(Tx& tx, int64_t run_id) {
  static const std::string kSql = "SELECT 1 FROM runs WHERE id = $1";
  if (!Exec(tx, kSql, Params().Int(run_id)).empty()) return Status::Ok();
  return Error::NotFound(
      fmt::format("{}: run {} does not exist; start it with StartRun first", path(), run_id));
}

Status PostgresStore::SaveForecasts(int64_t run_id, std::span<const ForecastRow> rows) {
  SC_RETURN_IF_ERROR(checks::CheckForecastRows(rows));
  static const std::string kSql =
      "INSERT INTO forecasts (run_id, sku, location, step, date, mean, quantiles, model) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (run_id, sku, location, step) DO "
      "UPDATE SET date = excluded.date, mean = excluded.mean, quantiles = excluded.quantiles, "
      "model = excluded.model";
  return Write(fmt::format("saving forecasts of run {}", run_id), [&](Tx& tx) -> Status {
    SC_RETURN_IF_ERROR(CheckRunExists(tx, run_id));
    for (size_t i = 0; i < rows.size(); ++i) {
      const ForecastRow& r = rows[i];
      Params params;
      params.Int(run_id).Text(r.sku).Text(r.location).Int(r.step).Day(r.date).Real(r.mean);
      params.Text(QuantilesToJson(r.quantiles)).Text(r.model);
      ExecItem(tx, kSql, params, "saving", "rows", i);
    }
    return Status::Ok();
  });
}

Result<std::vector<ForecastRow>> PostgresStore::ListForecasts(int64_t run_id) {
  static const std::string kSql =
      "SELECT sku, location, step, date, mean, quantiles, model FROM forecasts "
      "WHERE run_id = $1 ORDER BY sku, location, step";
  std::vector<ForecastRow> out;
  SC_RETURN_IF_ERROR(Read(fmt::format("reading forecasts of run {}", run_id), [&](Tx& tx) -> Status {
    for (const pqxx::row& row : Exec(tx, kSql, Params().Int(run_id))) {
      ForecastRow r;
      r.sku = Text(row[0]);
      r.location = Text(row[1]);
      r.step = static_cast<int>(Int(row[2]));
      SC_ASSIGN_OR_RETURN(r.date, ReadDate(row[3], "forecasts", "date"));
      r.mean = Real(row[4]);
      const std::string quantiles = Text(row[5]);
      if (!QuantilesFromJson(quantiles, &r.quantiles)) {
        return Error::Internal(fmt::format(
            "{}: forecasts.quantiles of run {}, {}/{} step {} holds '{}'; must be a JSON array "
            "of [level, value] pairs",
            path(), run_id, r.sku, r.location, r.step, quantiles));
      }
      r.model = Text(row[6]);
      out.push_back(std::move(r));
    }
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::SavePlan(int64_t run_id, std::span<const PlanLine> lines) {
  SC_RETURN_IF_ERROR(checks::CheckPlanLines(lines));
  static const std::string kNextLine =
      "SELECT COALESCE(MAX(line), 0) FROM plans WHERE run_id = $1";
  static const std::string kSql =
      "INSERT INTO plans (run_id, line, sku, location, supplier_id, order_date, arrival_date, "
      "quantity, unit_cost, on_hand, on_order, lead_time_demand, safety_stock, reorder_point, "
      "order_up_to, service_level, stockout_probability, days_of_supply, binding, explanation) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
      "$19, $20) ON CONFLICT (run_id, sku, location, order_date) DO UPDATE SET "
      "supplier_id = excluded.supplier_id, arrival_date = excluded.arrival_date, "
      "quantity = excluded.quantity, unit_cost = excluded.unit_cost, on_hand = excluded.on_hand, "
      "on_order = excluded.on_order, lead_time_demand = excluded.lead_time_demand, "
      "safety_stock = excluded.safety_stock, reorder_point = excluded.reorder_point, "
      "order_up_to = excluded.order_up_to, service_level = excluded.service_level, "
      "stockout_probability = excluded.stockout_probability, "
      "days_of_supply = excluded.days_of_supply, binding = excluded.binding, "
      "explanation = excluded.explanation";
  return Write(fmt::format("saving the plan of run {}", run_id), [&](Tx& tx) -> Status {
    SC_RETURN_IF_ERROR(CheckRunExists(tx, run_id));
    int64_t next_line = Int(Exec(tx, kNextLine, Params().Int(run_id))[0][0]) + 1;
    for (size_t i = 0; i < lines.size(); ++i) {
      const PlanLine& l = lines[i];
      Params params;
      params.Int(run_id).Int(next_line++).Text(l.sku).Text(l.location).Text(l.supplier_id);
      params.Day(l.order_date).Day(l.arrival_date).Real(l.quantity).Real(l.unit_cost);
      params.Real(l.on_hand).Real(l.on_order).Real(l.lead_time_demand).Real(l.safety_stock);
      params.Real(l.reorder_point).Real(l.order_up_to).Real(l.service_level);
      params.Real(l.stockout_probability).Real(l.days_of_supply).Text(l.binding);
      params.Text(l.explanation);
      ExecItem(tx, kSql, params, "saving", "lines", i);
    }
    return Status::Ok();
  });
}

Result<PlanLine> PostgresStore::ReadPlanLine(const pqxx::row& r) const {
  PlanLine l;
  l.sku = Text(r[0]);
  l.location = Text(r[1]);
  l.supplier_id = Text(r[2]);
  SC_ASSIGN_OR_RETURN(l.order_date, ReadDate(r[3], "plans", "order_date"));
  SC_ASSIGN_OR_RETURN(l.arrival_date, ReadDate(r[4], "plans", "arrival_date"));
  double* const numbers[] = {&l.quantity,         &l.unit_cost,     &l.on_hand,
                             &l.on_order,         &l.lead_time_demand, &l.safety_stock,
                             &l.reorder_point,    &l.order_up_to,   &l.service_level,
                             &l.stockout_probability, &l.days_of_supply};
  for (int k = 0; k < 11; ++k) *numbers[k] = Real(r[5 + k]);
  l.binding = Text(r[16]);
  l.explanation = Text(r[17]);
  return l;
}

Result<std::vector<PlanLine>> PostgresStore::ListPlan(int64_t run_id) {
  SC_ASSIGN_OR_RETURN(auto numbered, ListPlanNumbered(run_id));
  std::vector<PlanLine> out;
  out.reserve(numbered.size());
  for (auto& [line, plan_line] : numbered) out.push_back(std::move(plan_line));
  return out;
}

// ---- Alerts and KPIs ----

Result<AlertRecord> PostgresStore::ReadAlert(const pqxx::row& r) const {
  AlertRecord a;
  a.id = Int(r[0]);
  a.key = Text(r[1]);
  a.type = Text(r[2]);
  a.sku = Text(r[3]);
  a.location = Text(r[4]);
  a.level = Text(r[5]);
  a.first_level = Text(r[6]);
  a.status = Text(r[7]);
  a.action = Text(r[8]);
  a.message = Text(r[9]);
  SC_ASSIGN_OR_RETURN(a.first_seen, ReadDate(r[10], "alerts", "first_seen"));
  SC_ASSIGN_OR_RETURN(a.last_seen, ReadDate(r[11], "alerts", "last_seen"));
  a.occurrences = static_cast<int>(Int(r[12]));
  a.probability = Real(r[13]);
  a.impact = Real(r[14]);
  a.run_id = Int(r[15]);
  return a;
}

Result<std::vector<int64_t>> PostgresStore::SaveAlerts(std::span<const AlertRecord> alerts) {
  SC_RETURN_IF_ERROR(checks::CheckAlerts(alerts));
  static const std::string kInsert =
      "INSERT INTO alerts (key, type, sku, location, level, first_level, status, action, "
      "message, first_seen, last_seen, occurrences, probability, impact, run_id) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
  static const std::string kUpdate =
      "UPDATE alerts SET key = $1, type = $2, sku = $3, location = $4, level = $5, "
      "first_level = $6, status = $7, action = $8, message = $9, first_seen = $10, "
      "last_seen = $11, occurrences = $12, probability = $13, impact = $14, run_id = $15 "
      "WHERE id = $16";
  std::vector<int64_t> ids(alerts.size(), 0);
  SC_RETURN_IF_ERROR(Write("saving alerts", [&](Tx& tx) -> Status {
    // Resolutions first, so a key resolved and raised again in one batch does not collide.
    std::vector<size_t> order(alerts.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_partition(order.begin(), order.end(),
                          [&](size_t i) { return alerts[i].status == "resolved"; });
    for (size_t i : order) {
      const AlertRecord& a = alerts[i];
      const bool insert = a.id == 0;
      Params params;
      params.Text(a.key).Text(a.type).Text(a.sku).Text(a.location).Text(a.level);
      params.Text(a.first_level).Text(a.status).Text(a.action).Text(a.message);
      params.Day(a.first_seen).Day(a.last_seen).Int(a.occurrences).Real(a.probability);
      params.Real(a.impact).Int(a.run_id);
      if (!insert) params.Int(a.id);
      const pqxx::result r = ExecItem(tx, insert ? kInsert : kUpdate, params, "saving", "alerts", i);
      if (insert) {
        ids[i] = Int(r[0][0]);
      } else {
        if (r.affected_rows() == 0) {
          return Error::NotFound(fmt::format("{}: alerts[{}] ({}) has id {}, which does not exist",
                                             path(), i, a.key, a.id));
        }
        ids[i] = a.id;
      }
    }
    return Status::Ok();
  }));
  return ids;
}

Result<std::vector<AlertRecord>> PostgresStore::ListAlerts(bool include_resolved) {
  static const std::string kAll = std::string(kAlertColumns) + "ORDER BY id DESC";
  static const std::string kLive =
      std::string(kAlertColumns) + "WHERE status <> 'resolved' ORDER BY id DESC";
  std::vector<AlertRecord> out;
  SC_RETURN_IF_ERROR(Read("reading alerts", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, include_resolved ? kAll : kLive)) {
      SC_ASSIGN_OR_RETURN(AlertRecord a, ReadAlert(r));
      out.push_back(std::move(a));
    }
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::SaveKpis(int64_t run_id, std::span<const KpiRecord> kpis) {
  SC_RETURN_IF_ERROR(checks::CheckKpis(kpis));
  static const std::string kSql =
      "INSERT INTO kpis (run_id, scope, key, period, metric, value) "
      "VALUES ($1, $2, $3, $4, $5, $6) "
      "ON CONFLICT (run_id, scope, key, period, metric) DO UPDATE SET value = excluded.value";
  return Write(fmt::format("saving the KPIs of run {}", run_id), [&](Tx& tx) -> Status {
    SC_RETURN_IF_ERROR(CheckRunExists(tx, run_id));
    for (size_t i = 0; i < kpis.size(); ++i) {
      const KpiRecord& k = kpis[i];
      Params params;
      params.Int(run_id).Text(k.scope).Text(k.key).Text(k.period).Text(k.metric);
      if (std::isfinite(k.value)) {
        params.Real(k.value);
      } else {
        params.Null();  // unknown (e.g. turnover without stock data)
      }
      ExecItem(tx, kSql, params, "saving", "kpis", i);
    }
    return Status::Ok();
  });
}

Result<std::vector<KpiRecord>> PostgresStore::ListKpis(int64_t run_id) {
  static const std::string kSql =
      "SELECT scope, key, period, metric, value FROM kpis WHERE run_id = $1 "
      "ORDER BY scope, key, period, metric";
  std::vector<KpiRecord> out;
  SC_RETURN_IF_ERROR(Read(fmt::format("reading the KPIs of run {}", run_id), [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql, Params().Int(run_id))) {
      KpiRecord k;
      k.scope = Text(r[0]);
      k.key = Text(r[1]);
      k.period = Text(r[2]);
      k.metric = Text(r[3]);
      k.value = Real(r[4]);
      out.push_back(std::move(k));
    }
    return Status::Ok();
  }));
  return out;
}

// ---- API tokens and the audit log ----

Result<int64_t> PostgresStore::SaveToken(const TokenRecord& token) {
  SC_RETURN_IF_ERROR(checks::CheckToken(token));
  static const std::string kSql =
      "INSERT INTO api_tokens (name, role, hash, created_at) VALUES ($1, $2, $3, $4) "
      "RETURNING id";
  int64_t id = 0;
  SC_RETURN_IF_ERROR(Write("saving a token", [&](Tx& tx) -> Status {
    Params params;
    params.Text(token.name).Text(token.role).Text(token.hash);
    params.Text(token.created_at.empty() ? pg::UtcNowIso() : token.created_at);
    id = Int(Exec(tx, kSql, params)[0][0]);
    return Status::Ok();
  }));
  return id;
}

Result<std::optional<TokenRecord>> PostgresStore::FindToken(const std::string& hash) {
  static const std::string kSql =
      "SELECT id, name, role, hash, created_at, revoked_at FROM api_tokens "
      "WHERE hash = $1 AND revoked_at = ''";
  std::optional<TokenRecord> out;
  SC_RETURN_IF_ERROR(Read("looking up a token", [&](Tx& tx) -> Status {
    const pqxx::result rows = Exec(tx, kSql, Params().Text(hash));
    if (!rows.empty()) out = ReadToken(rows[0]);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<TokenRecord>> PostgresStore::ListTokens() {
  static const std::string kSql =
      "SELECT id, name, role, hash, created_at, revoked_at FROM api_tokens ORDER BY id";
  std::vector<TokenRecord> out;
  SC_RETURN_IF_ERROR(Read("reading tokens", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql)) out.push_back(ReadToken(r));
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::RevokeToken(int64_t id) {
  static const std::string kSql =
      "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at = ''";
  return Write("revoking a token", [&](Tx& tx) -> Status {
    if (Exec(tx, kSql, Params().Text(pg::UtcNowIso()).Int(id)).affected_rows() == 0) {
      return Error::NotFound(
          fmt::format("{}: token {} does not exist or is already revoked", path(), id));
    }
    return Status::Ok();
  });
}

Result<int64_t> PostgresStore::AppendAudit(const AuditRecord& e) {
  SC_RETURN_IF_ERROR(checks::CheckAudit(e));
  static const std::string kSql =
      "INSERT INTO audit_log (at, actor, role, request_id, action, status, detail) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
  int64_t id = 0;
  SC_RETURN_IF_ERROR(Write("writing the audit log", [&](Tx& tx) -> Status {
    Params params;
    params.Text(e.at.empty() ? pg::UtcNowIso() : e.at).Text(e.actor).Text(e.role);
    params.Text(e.request_id).Text(e.action).Int(e.status).Text(e.detail);
    id = Int(Exec(tx, kSql, params)[0][0]);
    return Status::Ok();
  }));
  return id;
}

Result<std::vector<AuditRecord>> PostgresStore::ListAudit(int64_t limit) {
  static const std::string kSql =
      "SELECT id, at, actor, role, request_id, action, status, detail FROM audit_log "
      "ORDER BY id DESC LIMIT $1";
  std::vector<AuditRecord> out;
  SC_RETURN_IF_ERROR(Read("reading the audit log", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql, Params().Int(std::max<int64_t>(limit, 0)))) {
      AuditRecord a;
      a.id = Int(r[0]);
      a.at = Text(r[1]);
      a.actor = Text(r[2]);
      a.role = Text(r[3]);
      a.request_id = Text(r[4]);
      a.action = Text(r[5]);
      a.status = static_cast<int>(Int(r[6]));
      a.detail = Text(r[7]);
      out.push_back(std::move(a));
    }
    return Status::Ok();
  }));
  return out;
}

// ---- Service (migration 4) ----

Result<std::vector<RunInfo>> PostgresStore::ListRuns(const std::string& kind, int limit) {
  static const std::string kAll = std::string(kRunColumns) + "ORDER BY id DESC LIMIT $1";
  static const std::string kKind =
      std::string(kRunColumns) + "WHERE kind = $2 ORDER BY id DESC LIMIT $1";
  std::vector<RunInfo> out;
  SC_RETURN_IF_ERROR(Read("listing runs", [&](Tx& tx) -> Status {
    Params params;
    params.Int(std::max(limit, 0));
    if (!kind.empty()) params.Text(kind);
    for (const pqxx::row& r : Exec(tx, kind.empty() ? kAll : kKind, params)) {
      out.push_back(ReadRun(r));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<RunInfo>> PostgresStore::GetRun(int64_t run_id) {
  static const std::string kSql = std::string(kRunColumns) + "WHERE id = $1";
  std::optional<RunInfo> out;
  SC_RETURN_IF_ERROR(Read("reading a run", [&](Tx& tx) -> Status {
    const pqxx::result rows = Exec(tx, kSql, Params().Int(run_id));
    if (!rows.empty()) out = ReadRun(rows[0]);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<ForecastRow>> PostgresStore::ListSeriesForecasts(int64_t run_id,
                                                                    const std::string& sku,
                                                                    const std::string& location) {
  static const std::string kSql =
      "SELECT step, date, mean, quantiles, model FROM forecasts "
      "WHERE run_id = $1 AND sku = $2 AND location = $3 ORDER BY step";
  std::vector<ForecastRow> out;
  const std::string what =
      fmt::format("reading the forecast of {}/{} in run {}", sku, location, run_id);
  SC_RETURN_IF_ERROR(Read(what, [&](Tx& tx) -> Status {
    for (const pqxx::row& row : Exec(tx, kSql, Params().Int(run_id).Text(sku).Text(location))) {
      ForecastRow r;
      r.sku = sku;
      r.location = location;
      r.step = static_cast<int>(Int(row[0]));
      SC_ASSIGN_OR_RETURN(r.date, ReadDate(row[1], "forecasts", "date"));
      r.mean = Real(row[2]);
      const std::string quantiles = Text(row[3]);
      if (!QuantilesFromJson(quantiles, &r.quantiles)) {
        return Error::Internal(fmt::format("{}: forecasts.quantiles of run {}, {}/{} holds '{}'",
                                           path(), run_id, sku, location, quantiles));
      }
      r.model = Text(row[4]);
      out.push_back(std::move(r));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<std::pair<Date, double>>> PostgresStore::SeriesDemand(
    const std::string& sku, const std::string& location, int days) {
  static const std::string kSql =
      "SELECT date, COALESCE(raw_demand, demand) FROM sales_daily "
      "WHERE sku = $1 AND location = $2 ORDER BY date DESC LIMIT $3";
  std::vector<std::pair<Date, double>> out;
  SC_RETURN_IF_ERROR(Read(fmt::format("reading the history of {}/{}", sku, location),
                          [&](Tx& tx) -> Status {
                            Params params;
                            params.Text(sku).Text(location).Int(std::max(days, 0));
                            for (const pqxx::row& r : Exec(tx, kSql, params)) {
                              SC_ASSIGN_OR_RETURN(Date date, ReadDate(r[0], "sales_daily", "date"));
                              out.emplace_back(date, Real(r[1]));
                            }
                            return Status::Ok();
                          }));
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::vector<std::pair<int64_t, PlanLine>>> PostgresStore::ListPlanNumbered(int64_t run_id) {
  static const std::string kSql = std::string(kPlanColumns) + "WHERE run_id = $1 ORDER BY line";
  std::vector<std::pair<int64_t, PlanLine>> out;
  SC_RETURN_IF_ERROR(Read(fmt::format("reading the plan of run {}", run_id), [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql, Params().Int(run_id))) {
      SC_ASSIGN_OR_RETURN(PlanLine line, ReadPlanLine(r));
      out.emplace_back(Int(r[18]), std::move(line));
    }
    return Status::Ok();
  }));
  return out;
}

Result<PlanDecision> PostgresStore::DecidePlanLine(const PlanDecision& decision) {
  SC_RETURN_IF_ERROR(checks::CheckDecision(decision));
  static const std::string kLine =
      "SELECT sku, location, supplier_id, order_date, arrival_date FROM plans "
      "WHERE run_id = $1 AND line = $2 FOR UPDATE";
  static const std::string kExisting =
      std::string(kDecisionColumns) + "WHERE run_id = $1 AND line = $2";
  static const std::string kInsert =
      "INSERT INTO plan_decisions (run_id, line, status, quantity, po_id, note, actor, "
      "request_id, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
  static const std::string kOrder =
      "INSERT INTO purchase_orders (po_id, sku, location, supplier_id, quantity, order_date, "
      "date, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open')";
  static const std::string kOnOrder =
      "UPDATE stock_levels SET on_order = on_order + $1 WHERE sku = $2 AND location = $3";
  PlanDecision stored = decision;
  const std::string what =
      fmt::format("deciding line {} of plan run {}", decision.line, decision.run_id);
  SC_RETURN_IF_ERROR(Write(what, [&](Tx& tx) -> Status {
    stored = decision;
    // The line's row lock makes two planners deciding the same line queue: the second sees
    // the first's decision.
    const pqxx::result line = Exec(tx, kLine, Params().Int(decision.run_id).Int(decision.line));
    if (line.empty()) {
      return Error::NotFound(
          fmt::format("plan run {} has no line {}", decision.run_id, decision.line));
    }
    const std::string sku = Text(line[0][0]);
    const std::string location = Text(line[0][1]);
    const std::string supplier = Text(line[0][2]);
    SC_ASSIGN_OR_RETURN(Date order_date, ReadDate(line[0][3], "plans", "order_date"));
    SC_ASSIGN_OR_RETURN(Date arrival, ReadDate(line[0][4], "plans", "arrival_date"));
    const pqxx::result before =
        Exec(tx, kExisting, Params().Int(decision.run_id).Int(decision.line));
    if (!before.empty()) {
      const PlanDecision prior = ReadDecision(before[0]);
      return Error::Conflict(fmt::format(
          "line {} of plan run {} was already {} by {} at {}; a decision is final", decision.line,
          decision.run_id, prior.status, prior.actor, prior.decided_at));
    }
    if (stored.decided_at.empty()) stored.decided_at = pg::UtcNowIso();
    if (stored.status == "approved" && stored.quantity > 0) {
      stored.po_id = fmt::format("PLAN-{}-{}", decision.run_id, decision.line);
      Params order;
      order.Text(stored.po_id).Text(sku).Text(location).Text(supplier).Real(stored.quantity);
      order.Day(order_date).Day(arrival);
      Exec(tx, kOrder, order);
      Exec(tx, kOnOrder, Params().Real(stored.quantity).Text(sku).Text(location));
    } else {
      stored.po_id.clear();
    }
    Params params;
    params.Int(stored.run_id).Int(stored.line).Text(stored.status).Real(stored.quantity);
    params.Text(stored.po_id).Text(stored.note).Text(stored.actor).Text(stored.request_id);
    params.Text(stored.decided_at);
    Exec(tx, kInsert, params);
    return Status::Ok();
  }));
  return stored;
}

Result<std::vector<PlanDecision>> PostgresStore::ListPlanDecisions(int64_t run_id) {
  static const std::string kSql = std::string(kDecisionColumns) + "WHERE run_id = $1 ORDER BY line";
  std::vector<PlanDecision> out;
  SC_RETURN_IF_ERROR(Read("reading plan decisions", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql, Params().Int(run_id))) out.push_back(ReadDecision(r));
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::SaveWarningLines(std::span<const WarningLineRecord> lines) {
  SC_RETURN_IF_ERROR(checks::CheckWarningLines(lines));
  // A plan line never replaces a manual one.
  static const std::string kSql =
      "INSERT INTO warning_lines (sku, location, lower_units, upper_units, source, run_id, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sku, location) DO UPDATE SET "
      "lower_units = excluded.lower_units, upper_units = excluded.upper_units, "
      "source = excluded.source, run_id = excluded.run_id, updated_at = excluded.updated_at "
      "WHERE excluded.source = 'manual' OR warning_lines.source = 'plan'";
  return Write("saving warning lines", [&](Tx& tx) -> Status {
    const std::string now = pg::UtcNowIso();
    for (size_t i = 0; i < lines.size(); ++i) {
      const WarningLineRecord& l = lines[i];
      Params params;
      params.Text(l.sku).Text(l.location).Real(l.lower_units).Real(l.upper_units);
      params.Text(l.source).Int(l.run_id).Text(l.updated_at.empty() ? now : l.updated_at);
      ExecItem(tx, kSql, params, "saving", "warning_lines", i);
    }
    return Status::Ok();
  });
}

Result<std::vector<WarningLineRecord>> PostgresStore::ListWarningLines(
    const std::string& sku, const std::string& location) {
  // One statement per filter, so that a lookup of one series uses the primary key (an OR with
  // the '' wildcard does not, in a generic plan).
  const std::string sql = fmt::format(
      "SELECT sku, location, lower_units, upper_units, source, run_id, updated_at "
      "FROM warning_lines WHERE {} AND {} ORDER BY sku, location",
      sku.empty() ? "$1::text = ''" : "sku = $1", location.empty() ? "$2::text = ''" : "location = $2");
  std::vector<WarningLineRecord> out;
  SC_RETURN_IF_ERROR(Read("reading warning lines", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, sql, Params().Text(sku).Text(location))) {
      WarningLineRecord l;
      l.sku = Text(r[0]);
      l.location = Text(r[1]);
      l.lower_units = Real(r[2]);
      l.upper_units = Real(r[3]);
      l.source = Text(r[4]);
      l.run_id = Int(r[5]);
      l.updated_at = Text(r[6]);
      out.push_back(std::move(l));
    }
    return Status::Ok();
  }));
  return out;
}

Status PostgresStore::SaveProjection(int64_t run_id, std::span<const ProjectionRecord> rows) {
  SC_RETURN_IF_ERROR(checks::CheckProjection(rows));
  static const std::string kSql =
      "INSERT INTO projections (run_id, sku, location, date, p10, p50, p90, arrivals) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (run_id, sku, location, date) DO "
      "UPDATE SET p10 = excluded.p10, p50 = excluded.p50, p90 = excluded.p90, "
      "arrivals = excluded.arrivals";
  return Write(fmt::format("saving the projection of run {}", run_id), [&](Tx& tx) -> Status {
    SC_RETURN_IF_ERROR(CheckRunExists(tx, run_id));
    for (size_t i = 0; i < rows.size(); ++i) {
      const ProjectionRecord& r = rows[i];
      Params params;
      params.Int(run_id).Text(r.sku).Text(r.location).Day(r.date).Real(r.p10).Real(r.p50);
      params.Real(r.p90).Real(r.arrivals);
      ExecItem(tx, kSql, params, "saving", "projections", i);
    }
    return Status::Ok();
  });
}

Result<std::vector<ProjectionRecord>> PostgresStore::ListProjection(int64_t run_id,
                                                                    const std::string& sku,
                                                                    const std::string& location) {
  static const std::string kSql =
      "SELECT date, p10, p50, p90, arrivals FROM projections WHERE run_id = $1 AND sku = $2 "
      "AND location = $3 ORDER BY date";
  std::vector<ProjectionRecord> out;
  SC_RETURN_IF_ERROR(Read("reading a projection", [&](Tx& tx) -> Status {
    for (const pqxx::row& row : Exec(tx, kSql, Params().Int(run_id).Text(sku).Text(location))) {
      ProjectionRecord r;
      r.sku = sku;
      r.location = location;
      SC_ASSIGN_OR_RETURN(r.date, ReadDate(row[0], "projections", "date"));
      r.p10 = Real(row[1]);
      r.p50 = Real(row[2]);
      r.p90 = Real(row[3]);
      r.arrivals = Real(row[4]);
      out.push_back(std::move(r));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<AlertRecord>> PostgresStore::FindLiveAlert(const std::string& key) {
  static const std::string kSql =
      std::string(kAlertColumns) + "WHERE key = $1 AND status <> 'resolved'";
  std::optional<AlertRecord> out;
  SC_RETURN_IF_ERROR(Read("finding a live alert", [&](Tx& tx) -> Status {
    const pqxx::result rows = Exec(tx, kSql, Params().Text(key));
    if (rows.empty()) return Status::Ok();
    SC_ASSIGN_OR_RETURN(AlertRecord a, ReadAlert(rows[0]));
    out = std::move(a);
    return Status::Ok();
  }));
  return out;
}

Result<int64_t> PostgresStore::CreateJob(const JobRecord& job) {
  SC_RETURN_IF_ERROR(checks::CheckNewJob(job));
  static const std::string kSql =
      "INSERT INTO jobs (kind, status, params_json, progress, stage, run_id, error, actor, "
      "request_id, created_at, started_at, finished_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
  int64_t id = 0;
  SC_RETURN_IF_ERROR(Write("creating a job", [&](Tx& tx) -> Status {
    Params params;
    params.Text(job.kind).Text(job.status);
    params.Text(job.params_json.empty() ? std::string("{}") : job.params_json);
    params.Real(job.progress).Text(job.stage).Int(job.run_id).Text(job.error).Text(job.actor);
    params.Text(job.request_id).Text(job.created_at.empty() ? pg::UtcNowIso() : job.created_at);
    params.Text(job.started_at).Text(job.finished_at);
    id = Int(Exec(tx, kSql, params)[0][0]);
    return Status::Ok();
  }));
  return id;
}

Status PostgresStore::UpdateJob(const JobRecord& job) {
  SC_RETURN_IF_ERROR(checks::CheckJob(job));
  static const std::string kSql =
      "UPDATE jobs SET status = $1, progress = $2, stage = $3, run_id = $4, error = $5, "
      "started_at = $6, finished_at = $7 WHERE id = $8";
  return Write("updating a job", [&](Tx& tx) -> Status {
    Params params;
    params.Text(job.status).Real(job.progress).Text(job.stage).Int(job.run_id).Text(job.error);
    params.Text(job.started_at).Text(job.finished_at).Int(job.id);
    if (Exec(tx, kSql, params).affected_rows() == 0) {
      return Error::NotFound(fmt::format("job {} does not exist", job.id));
    }
    return Status::Ok();
  });
}

Result<std::optional<JobRecord>> PostgresStore::GetJob(int64_t id) {
  static const std::string kSql = std::string(kJobColumns) + "WHERE id = $1";
  std::optional<JobRecord> out;
  SC_RETURN_IF_ERROR(Read("reading a job", [&](Tx& tx) -> Status {
    const pqxx::result rows = Exec(tx, kSql, Params().Int(id));
    if (!rows.empty()) out = ReadJob(rows[0]);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<JobRecord>> PostgresStore::ListJobs(int limit) {
  static const std::string kSql = std::string(kJobColumns) + "ORDER BY id DESC LIMIT $1";
  std::vector<JobRecord> out;
  SC_RETURN_IF_ERROR(Read("listing jobs", [&](Tx& tx) -> Status {
    for (const pqxx::row& r : Exec(tx, kSql, Params().Int(std::max(limit, 0)))) {
      out.push_back(ReadJob(r));
    }
    return Status::Ok();
  }));
  return out;
}

// ---- Opening ----

// The schema version recorded in the first schema of search_path: 0 when it has no tables.
Result<int> ReadSchemaVersion(pqxx::transaction_base& tx, const std::string& path) {
  const pqxx::row schema = tx.exec1("SELECT current_schema()");
  if (schema[0].is_null()) {
    return Error::InvalidArgument(fmt::format(
        "{}: no schema of search_path exists (create it first, e.g. CREATE SCHEMA ...)", path));
  }
  const pqxx::row has = tx.exec1(
      "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND "
      "tablename = 'schema_migrations')");
  if (!Bool(has[0])) {
    const pqxx::row tables = tx.exec1(
        "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()");
    const int64_t n = Int(tables[0]);
    if (n > 0) {
      return Error::InvalidArgument(fmt::format(
          "{}: not a stockcast database (schema {} has {} table{} but no schema_migrations "
          "table)",
          path, Text(schema[0]), n, n == 1 ? "" : "s"));
    }
    return 0;
  }
  return static_cast<int>(Int(tx.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0]));
}

Error NewerThanBuild(const std::string& path, int version, int latest) {
  return Error::Conflict(fmt::format(
      "{}: database schema version {} is newer than this build supports ({}); upgrade stockcast",
      path, version, latest));
}

// Applies the pending migrations, each in its own transaction under the advisory lock, so
// processes starting together apply each once. Returns the resulting version.
Result<int> Migrate(pqxx::connection& conn, const std::string& path) {
  const auto migrations = pg::PgMigrations();
  const int latest = migrations.back().version;
  int version = 0;
  for (const pg::PgMigration& m : migrations) {
    pqxx::work tx(conn);
    tx.exec(fmt::format("SELECT pg_advisory_xact_lock({})", pg::kMigrationLockKey));
    SC_ASSIGN_OR_RETURN(version, ReadSchemaVersion(tx, path));
    if (version > latest) return NewerThanBuild(path, version, latest);
    if (m.version <= version) continue;  // rolled back: nothing was written
    tx.exec(std::string(m.sql));
    tx.exec_params("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                   m.version, pg::UtcNowIso());
    tx.commit();
    version = m.version;
  }
  return version;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const StoreOptions& options) {
  std::optional<pg::UrlParts> parts = pg::ParseUrl(url);
  if (!parts) {
    return Error::InvalidArgument(fmt::format(
        "--db {}: not a PostgreSQL URL; must start with postgresql:// or postgres://", url));
  }
  if (options.busy_timeout_ms < 0) {
    return Error::InvalidArgument(
        fmt::format("StoreOptions::busy_timeout_ms = {}; must be >= 0", options.busy_timeout_ms));
  }
  const std::string& path = parts->redacted;
  const std::string where = fmt::format("host {} port {}",
                                        parts->host.empty() ? "localhost (socket)" : parts->host,
                                        parts->port.empty() ? "5432" : parts->port);
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(url);
  } catch (const std::exception& e) {
    const std::string message = Trim(e.what());
    if (message.find("invalid") != std::string::npos &&
        (message.find("URI") != std::string::npos || message.find("option") != std::string::npos ||
         message.find("integer value") != std::string::npos)) {
      return Error::InvalidArgument(fmt::format("{}: malformed PostgreSQL URL: {}", path, message));
    }
    return Error::Unavailable(fmt::format(
        "{}: cannot connect to the PostgreSQL server at {}: {}", path, where, message));
  }
  const int latest = pg::PgMigrations().back().version;
  int version = 0;
  try {
    conn->set_variable("DateStyle", "ISO");
    conn->set_variable("TimeZone", "UTC");
    if (options.read_only) {
      pqxx::read_transaction tx(*conn);
      SC_ASSIGN_OR_RETURN(version, ReadSchemaVersion(tx, path));
      if (version == 0) {
        return Error::NotFound(fmt::format(
            "{}: no stockcast schema here (opened read-only, so it is not created)", path));
      }
      if (version > latest) return NewerThanBuild(path, version, latest);
      if (version < latest) {
        return Error::InvalidArgument(fmt::format(
            "{}: database schema version {} is older than this build's ({}) and the store is "
            "opened read-only; open it read-write once to migrate it",
            path, version, latest));
      }
      // The server refuses writes too, whatever slips past the store's own check.
      conn->set_variable("default_transaction_read_only", "on");
    } else {
      SC_ASSIGN_OR_RETURN(version, Migrate(*conn, path));
    }
    // As SQLite's busy timeout: a write that waits longer than this for a lock another
    // connection holds fails with 55P03, reported as Unavailable (0 = do not wait; PostgreSQL's
    // own 0 would mean forever).
    conn->set_variable("lock_timeout",
                       fmt::format("'{}ms'", std::max(options.busy_timeout_ms, 1)));
  } catch (const pqxx::broken_connection& e) {
    return Error::Unavailable(fmt::format("{}: connection to the PostgreSQL server at {} lost: {}",
                                          path, where, Trim(e.what())));
  } catch (const std::exception& e) {
    return Error::Internal(
        fmt::format("{}: opening the store (schema migration): {}", path, Trim(e.what())));
  }
  return std::unique_ptr<Store>(
      new PostgresStore(std::move(conn), std::move(*parts), options, version));
}

bool PostgresStoreAvailable() { return true; }

}  // namespace stockcast
