// The SQLite store: one connection in WAL mode, prepared statements cached per SQL text, every
// multi-row write atomic (its own IMMEDIATE transaction, or a savepoint inside WithTransaction).
#include "store/sqlite_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "stockcast/store/store.h"
#include "stockcast/version.h"
#include "store/checks.h"
#include "store/migrations.h"

namespace stockcast {
namespace sqlite {

Error MakeError(sqlite3* db, int rc, std::string_view what, const std::string& path) {
  // The connection's message describes its latest failure; use it only when it is this one.
  const char* message = sqlite3_errstr(rc);
  if (db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == (rc & 0xff)) {
    message = sqlite3_errmsg(db);
  }
  std::string text = fmt::format("sqlite: {} while {} ({})", message, what, path);
  const int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Error::Unavailable(std::move(text));
  }
  return Error::Internal(std::move(text));
}

DateText FormatDate(Date date) {
  DateText out;
  int year = 0, month = 0, day = 0;
  date.Ymd(&year, &month, &day);
  if (year < 0 || year > 9999) {  // not a business date, but format it faithfully
    const auto end =
        fmt::format_to_n(out.text, sizeof(out.text), "{:04}-{:02}-{:02}", year, month, day);
    out.size = std::min(end.size, sizeof(out.text));
    return out;
  }
  // Hand-written: this runs once per appended movement.
  auto put = [&out](size_t at, int value, int digits) {
    for (int i = digits - 1; i >= 0; --i) {
      out.text[at + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  out.text[4] = '-';
  put(5, month, 2);
  out.text[7] = '-';
  put(8, day, 2);
  out.size = 10;
  return out;
}

std::string UtcNowIso() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  const size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, n);
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_rc_ = other.bind_rc_;
  }
  return *this;
}

void Statement::BindText(int index, std::string_view value) {
  Remember(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
}

void Statement::BindTextCopy(int index, std::string_view value) {
  Remember(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Statement::BindInt(int index, int64_t value) {
  Remember(sqlite3_bind_int64(stmt_, index, value));
}

void Statement::BindReal(int index, double value) {
  Remember(std::isnan(value) ? sqlite3_bind_null(stmt_, index)
                             : sqlite3_bind_double(stmt_, index, value));
}

void Statement::BindNull(int index) { Remember(sqlite3_bind_null(stmt_, index)); }

int Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return bind_rc_;
  return sqlite3_step(stmt_);
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

double Statement::ColumnReal(int column) const {
  if (IsNull(column)) return std::numeric_limits<double>::quiet_NaN();
  return sqlite3_column_double(stmt_, column);
}

std::string_view Statement::ColumnView(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string Statement::ColumnText(int column) const { return std::string(ColumnView(column)); }

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Result<Connection> Connection::Open(const std::string& path, int flags) {
  Connection connection;
  connection.path_ = path;
  // sqlite3_open_v2 may hand back a handle even on failure; the Connection closes it.
  const int rc = sqlite3_open_v2(path.c_str(), &connection.db_, flags, nullptr);
  if (rc != SQLITE_OK) return connection.Fail(rc, "opening the store");
  sqlite3_extended_result_codes(connection.db_, 1);
  return connection;
}

void Connection::Close() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Status Connection::Exec(std::string_view sql, std::string_view what) {
  // Statement by statement, so `sql` need not be NUL-terminated.
  const char* next = sql.data();
  const char* const end = sql.data() + sql.size();
  while (next < end) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v2(db_, next, static_cast<int>(end - next), &raw, &tail);
    if (rc != SQLITE_OK) return Fail(rc, what);
    next = tail;
    if (raw == nullptr) continue;  // whitespace or a comment
    Statement stmt(raw);
    int step;
    while ((step = stmt.Step()) == SQLITE_ROW) {
    }
    if (step != SQLITE_DONE) return Fail(step, what);
  }
  return Status::Ok();
}

Result<Statement> Connection::Prepare(std::string_view sql, std::string_view what,
                                      bool persistent) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return Fail(rc, what);
  }
  SC_ASSERT_MSG(raw != nullptr, "empty SQL statement");
  return Statement(raw);
}

Result<int64_t> Connection::QueryInt(std::string_view sql, std::string_view what) {
  SC_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql, what));
  const int rc = stmt.Step();
  if (rc == SQLITE_ROW) return stmt.ColumnInt(0);
  if (rc == SQLITE_DONE) return int64_t{0};
  return Fail(rc, what);
}

}  // namespace sqlite

namespace {

using sqlite::Connection;
using sqlite::FormatDate;
using sqlite::ResetOnExit;
using sqlite::Statement;
namespace checks = store_checks;
using checks::CheckJson;
using checks::PanelColumnList;
using checks::QuantilesFromJson;
using checks::QuantilesToJson;

using checks::kPanelColumns;

// SQL function stockcast_stock_delta(type, quantity): the movement's effect on on-hand stock,
// computed by StockDelta so the sign rules live in one place (core/entities.cpp).
void StockDeltaFunction(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const std::string_view type_name =
      text ? std::string_view(text, static_cast<size_t>(sqlite3_value_bytes(argv[0])))
           : std::string_view();
  const std::optional<MovementType> type = ParseMovementType(type_name);
  if (!type) {
    const std::string message =
        fmt::format("stock_ledger holds unknown movement type '{}'", type_name);
    sqlite3_result_error(context, message.c_str(), static_cast<int>(message.size()));
    return;
  }
  Movement movement;
  movement.type = *type;
  movement.quantity = sqlite3_value_double(argv[1]);
  sqlite3_result_double(context, StockDelta(movement));
}

bool IsSqliteHeader(const std::filesystem::path& path) {
  static constexpr char kMagic[16] = "SQLite format 3";  // 15 characters + NUL
  char header[16] = {};
  std::ifstream in(path, std::ios::binary);
  if (!in.read(header, sizeof(header))) return false;
  return std::memcmp(header, kMagic, sizeof(kMagic)) == 0;
}

Result<Date> ParseStoredDate(std::string_view text, std::string_view table, std::string_view column,
                             const std::string& path) {
  if (std::optional<Date> date = Date::Parse(text)) return *date;
  return Error::Internal(
      fmt::format("{}: {}.{} holds '{}'; must be a YYYY-MM-DD date", path, table, column, text));
}

class SqliteStore final : public Store {
 public:
  SqliteStore(Connection db, StoreOptions options, int version)
      : db_(std::move(db)), options_(options), version_(version) {}

  int schema_version() const override { return version_; }
  const std::string& path() const override { return db_.path(); }

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
  Result<AppendStats> PostMovements(std::span<const Movement> movements) override;
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
  // Products, or the one with `sku` when it is not empty.
  Result<std::vector<Product>> SelectProducts(const std::string& sku);
  // Stock levels, or the one of (sku, location) when `sku` is not empty.
  Result<std::vector<StockLevel>> SelectStockLevels(const std::string& sku,
                                                    const std::string& location);
  // A prepared statement for `sql`, compiled on first use and kept for the store's lifetime.
  Result<Statement*> Cached(const std::string& sql, std::string_view what);
  Status CheckWritable(std::string_view what) const;
  // Runs `body` atomically: in its own IMMEDIATE transaction, or in a savepoint when a
  // transaction (WithTransaction) is already open, so a failed batch leaves nothing behind.
  Status Atomically(std::string_view what, const std::function<Status()>& body);
  // Steps a write statement to completion and resets it; the error names `array[index]`.
  Status StepItem(Statement& stmt, std::string_view verb, std::string_view array, size_t index);
  Status StepDone(Statement& stmt, std::string_view what);
  // Reads every row of `sql` (no parameters) into a vector via `read(stmt, &item)`.
  template <typename T, typename Read>
  Result<std::vector<T>> ListAll(const std::string& sql, std::string_view what, Read read);
  // Like ListAll, with `bind(stmt)` setting the parameters first.
  template <typename T, typename Bind, typename Read>
  Result<std::vector<T>> ListBound(const std::string& sql, std::string_view what, Bind bind,
                                   Read read);
  Status CheckRunExists(int64_t run_id, std::string_view what);
  Status ReadAlert(const Statement& st, AlertRecord* a) const;
  Result<Date> ReadDate(const Statement& stmt, int column, std::string_view table,
                        std::string_view name) const {
    return ParseStoredDate(stmt.ColumnView(column), table, name, db_.path());
  }

  Connection db_;
  StoreOptions options_;
  int version_ = 0;
  bool in_with_transaction_ = false;
  // Declared after db_ so the statements are finalized before the connection closes.
  std::unordered_map<std::string, Statement> statements_;
};

// Rolls back (the transaction or the savepoint) on scope exit unless committed, so neither an
// error nor an exception thrown by a caller's body leaves a half-written batch.
class WriteGuard {
 public:
  WriteGuard(Connection& db, bool savepoint) : db_(db), savepoint_(savepoint) {}
  ~WriteGuard() {
    if (done_) return;
    // Errors here are moot: SQLite may already have rolled back on the failure that brought us
    // here, and the caller reports that failure.
    if (savepoint_) {
      if (db_.in_transaction()) {
        sqlite3_exec(db_.get(), "ROLLBACK TO stockcast_write; RELEASE stockcast_write", nullptr,
                     nullptr, nullptr);
      }
    } else if (db_.in_transaction()) {
      sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  Status Commit(std::string_view what) {
    done_ = true;
    Status status = db_.Exec(savepoint_ ? "RELEASE stockcast_write" : "COMMIT", what);
    if (!status.ok()) done_ = false;  // roll back in the destructor
    return status;
  }
  WriteGuard(const WriteGuard&) = delete;
  WriteGuard& operator=(const WriteGuard&) = delete;

 private:
  Connection& db_;
  bool savepoint_;
  bool done_ = false;
};

Result<Statement*> SqliteStore::Cached(const std::string& sql, std::string_view what) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    SC_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql, what, /*persistent=*/true));
    it = statements_.emplace(sql, std::move(stmt)).first;
  }
  return &it->second;
}

Status SqliteStore::CheckWritable(std::string_view what) const {
  if (!options_.read_only) return Status::Ok();
  return Error::InvalidArgument(
      fmt::format("{}: store is opened read-only; cannot proceed with {}", db_.path(), what));
}

Status SqliteStore::Atomically(std::string_view what, const std::function<Status()>& body) {
  SC_RETURN_IF_ERROR(CheckWritable(what));
  const bool nested = db_.in_transaction();
  SC_RETURN_IF_ERROR(db_.Exec(nested ? "SAVEPOINT stockcast_write" : "BEGIN IMMEDIATE", what));
  WriteGuard guard(db_, nested);
  SC_RETURN_IF_ERROR(body());
  return guard.Commit(what);
}

Status SqliteStore::StepDone(Statement& stmt, std::string_view what) {
  ResetOnExit reset(stmt);
  const int rc = stmt.Step();
  if (rc == SQLITE_DONE) return Status::Ok();
  return db_.Fail(rc, what);
}

Status SqliteStore::StepItem(Statement& stmt, std::string_view verb, std::string_view array,
                             size_t index) {
  ResetOnExit reset(stmt);
  const int rc = stmt.Step();
  if (rc == SQLITE_DONE) return Status::Ok();
  return db_.Fail(rc, fmt::format("{} {}[{}]", verb, array, index));
}

template <typename T, typename Read>
Result<std::vector<T>> SqliteStore::ListAll(const std::string& sql, std::string_view what,
                                            Read read) {
  return ListBound<T>(sql, what, [](Statement&) {}, read);
}

template <typename T, typename Bind, typename Read>
Result<std::vector<T>> SqliteStore::ListBound(const std::string& sql, std::string_view what,
                                              Bind bind, Read read) {
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql, what));
  ResetOnExit reset(*stmt);
  bind(*stmt);
  std::vector<T> out;
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    T item;
    SC_RETURN_IF_ERROR(read(*stmt, &item));
    out.push_back(std::move(item));
  }
  if (rc != SQLITE_DONE) return db_.Fail(rc, what);
  return out;
}

Status SqliteStore::WithTransaction(const std::function<Status()>& body) {
  SC_ASSERT(body);
  if (in_with_transaction_ || db_.in_transaction()) {
    return Error::Internal(fmt::format(
        "{}: WithTransaction called inside another transaction; it is not reentrant", db_.path()));
  }
  constexpr std::string_view kWhat = "running a transaction";
  // IMMEDIATE takes the write lock up front, so the body cannot fail half way for want of it.
  // A read-only store gets a deferred transaction: a consistent snapshot for its reads.
  SC_RETURN_IF_ERROR(db_.Exec(options_.read_only ? "BEGIN" : "BEGIN IMMEDIATE", kWhat));
  struct Flag {
    bool& flag;
    explicit Flag(bool& f) : flag(f) { flag = true; }
    ~Flag() { flag = false; }
  } in_transaction(in_with_transaction_);
  WriteGuard guard(db_, /*savepoint=*/false);
  SC_RETURN_IF_ERROR(body());
  return guard.Commit(kWhat);
}

// ---- Master data ----

Status SqliteStore::UpsertProducts(std::span<const Product> products) {
  SC_RETURN_IF_ERROR(checks::CheckProducts(products));
  static const std::string kSql =
      "INSERT INTO products (sku, name, category, supplier_id, unit_cost, price, "
      "shelf_life_days, allow_backorder) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category, "
      "supplier_id = excluded.supplier_id, unit_cost = excluded.unit_cost, "
      "price = excluded.price, shelf_life_days = excluded.shelf_life_days, "
      "allow_backorder = excluded.allow_backorder";
  constexpr std::string_view kWhat = "upserting products";
  return Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
    for (size_t i = 0; i < products.size(); ++i) {
      const Product& p = products[i];
      stmt->BindText(1, p.sku);
      stmt->BindText(2, p.name);
      stmt->BindText(3, p.category);
      stmt->BindText(4, p.supplier_id);
      stmt->BindReal(5, p.unit_cost);
      stmt->BindReal(6, p.price);
      stmt->BindInt(7, p.shelf_life_days);
      stmt->BindInt(8, p.allow_backorder ? 1 : 0);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "upserting", "products", i));
    }
    return Status::Ok();
  });
}

Status SqliteStore::UpsertLocations(std::span<const Location> locations) {
  SC_RETURN_IF_ERROR(checks::CheckLocations(locations));
  static const std::string kSql =
      "INSERT INTO locations (id, name, capacity_units) VALUES (?, ?, ?) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
      "capacity_units = excluded.capacity_units";
  constexpr std::string_view kWhat = "upserting locations";
  return Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
    for (size_t i = 0; i < locations.size(); ++i) {
      stmt->BindText(1, locations[i].id);
      stmt->BindText(2, locations[i].name);
      stmt->BindReal(3, locations[i].capacity_units);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "upserting", "locations", i));
    }
    return Status::Ok();
  });
}

Status SqliteStore::UpsertSuppliers(std::span<const Supplier> suppliers) {
  SC_RETURN_IF_ERROR(checks::CheckSuppliers(suppliers));
  static const std::string kSql =
      "INSERT INTO suppliers (id, name, lead_time_mean_days, lead_time_sd_days, moq, case_pack, "
      "unit_cost, order_cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
      "lead_time_mean_days = excluded.lead_time_mean_days, "
      "lead_time_sd_days = excluded.lead_time_sd_days, moq = excluded.moq, "
      "case_pack = excluded.case_pack, unit_cost = excluded.unit_cost, "
      "order_cost = excluded.order_cost";
  constexpr std::string_view kWhat = "upserting suppliers";
  return Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
    for (size_t i = 0; i < suppliers.size(); ++i) {
      const Supplier& s = suppliers[i];
      stmt->BindText(1, s.id);
      stmt->BindText(2, s.name);
      stmt->BindReal(3, s.lead_time_mean_days);
      stmt->BindReal(4, s.lead_time_sd_days);
      stmt->BindReal(5, s.moq);
      stmt->BindReal(6, s.case_pack);
      stmt->BindReal(7, s.unit_cost);
      stmt->BindReal(8, s.order_cost);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "upserting", "suppliers", i));
    }
    return Status::Ok();
  });
}

Result<std::vector<Product>> SqliteStore::ListProducts() { return SelectProducts(""); }

Result<std::optional<Product>> SqliteStore::FindProduct(const std::string& sku) {
  if (sku.empty()) return std::optional<Product>();
  SC_ASSIGN_OR_RETURN(std::vector<Product> rows, SelectProducts(sku));
  if (rows.empty()) return std::optional<Product>();
  return std::optional<Product>(std::move(rows.front()));
}

Result<std::vector<Product>> SqliteStore::SelectProducts(const std::string& sku) {
  const std::string sql = fmt::format(
      "SELECT sku, name, category, supplier_id, unit_cost, price, shelf_life_days, "
      "allow_backorder FROM products{} ORDER BY sku",
      sku.empty() ? "" : " WHERE sku = ?1");
  auto bind = [&](Statement& st) {
    if (!sku.empty()) st.BindText(1, sku);
  };
  return ListBound<Product>(sql, "reading products", bind, [](const Statement& s, Product* p) {
    p->sku = s.ColumnText(0);
    p->name = s.ColumnText(1);
    p->category = s.ColumnText(2);
    p->supplier_id = s.ColumnText(3);
    p->unit_cost = s.ColumnReal(4);
    p->price = s.ColumnReal(5);
    p->shelf_life_days = static_cast<int>(s.ColumnInt(6));
    p->allow_backorder = s.ColumnInt(7) != 0;
    return Status::Ok();
  });
}

Result<std::vector<Location>> SqliteStore::ListLocations() {
  static const std::string kSql = "SELECT id, name, capacity_units FROM locations ORDER BY id";
  return ListAll<Location>(kSql, "reading locations", [](const Statement& s, Location* l) {
    l->id = s.ColumnText(0);
    l->name = s.ColumnText(1);
    l->capacity_units = s.ColumnReal(2);
    return Status::Ok();
  });
}

Result<std::vector<Supplier>> SqliteStore::ListSuppliers() {
  static const std::string kSql =
      "SELECT id, name, lead_time_mean_days, lead_time_sd_days, moq, case_pack, unit_cost, "
      "order_cost FROM suppliers ORDER BY id";
  return ListAll<Supplier>(kSql, "reading suppliers", [](const Statement& s, Supplier* x) {
    x->id = s.ColumnText(0);
    x->name = s.ColumnText(1);
    x->lead_time_mean_days = s.ColumnReal(2);
    x->lead_time_sd_days = s.ColumnReal(3);
    x->moq = s.ColumnReal(4);
    x->case_pack = s.ColumnReal(5);
    x->unit_cost = s.ColumnReal(6);
    x->order_cost = s.ColumnReal(7);
    return Status::Ok();
  });
}

// ---- Stock ledger ----

Result<AppendStats> SqliteStore::AppendMovements(std::span<const Movement> movements) {
  SC_RETURN_IF_ERROR(checks::CheckMovements(movements));
  // The upsert form conflicts on the idempotency key only: any other constraint failure is an
  // error, not a silently skipped row (which INSERT OR IGNORE would make it).
  static const std::string kSql =
      "INSERT INTO stock_ledger (idempotency_key, type, sku, location, date, seconds, quantity, "
      "unit_price, reference, actor, source, recorded_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING";
  constexpr std::string_view kWhat = "appending movements";
  AppendStats stats;
  if (movements.empty()) return stats;
  // Insert in (sku, location, date, seconds) order, keeping the given order among equals: the
  // rows then reach the series index in key order, which halves the cost of a large append
  // (random-position B-tree inserts are what dominate it). Ids follow this order, so movements
  // of one series with the same date and second still read back in the order given.
  std::vector<size_t> order(movements.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Movement& x = movements[a];
    const Movement& y = movements[b];
    return std::tie(x.sku, x.location, x.date, x.seconds, a) <
           std::tie(y.sku, y.location, y.date, y.seconds, b);
  });
  const std::string recorded_at = sqlite::UtcNowIso();
  const Status status = Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
    for (const size_t i : order) {
      const Movement& m = movements[i];
      const sqlite::DateText date = FormatDate(m.date);
      stmt->BindText(1, m.idempotency_key);
      stmt->BindText(2, ToString(m.type));
      stmt->BindText(3, m.sku);
      stmt->BindText(4, m.location);
      stmt->BindText(5, date.view());
      stmt->BindInt(6, m.seconds);
      stmt->BindReal(7, m.quantity);
      stmt->BindReal(8, m.unit_price);
      stmt->BindText(9, m.reference);
      stmt->BindText(10, m.actor);
      stmt->BindText(11, m.source);
      stmt->BindText(12, recorded_at);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "appending", "movements", i));
      if (sqlite3_changes64(db_.get()) > 0) {
        ++stats.inserted;
      } else {
        ++stats.already_present;
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status.error();
  return stats;
}

Status SqliteStore::ForEachMovement(const MovementFilter& filter,
                                    const std::function<void(const Movement&)>& fn) {
  SC_ASSERT(fn);
  constexpr std::string_view kWhat = "reading the stock ledger";
  std::string sql =
      "SELECT idempotency_key, type, sku, location, date, seconds, quantity, unit_price, "
      "reference, actor, source FROM stock_ledger WHERE 1 = 1";
  if (!filter.types.empty()) {
    sql += " AND type IN (";
    for (size_t i = 0; i < filter.types.size(); ++i) sql += i == 0 ? "?" : ", ?";
    sql += ")";
  }
  if (filter.from) sql += " AND date >= ?";
  if (filter.to) sql += " AND date <= ?";
  if (!filter.sku.empty()) sql += " AND sku = ?";
  if (!filter.location.empty()) sql += " AND location = ?";
  sql += " ORDER BY date, seconds, id";

  SC_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql, kWhat));
  int index = 0;
  for (MovementType type : filter.types) stmt.BindText(++index, ToString(type));
  if (filter.from) stmt.BindTextCopy(++index, FormatDate(*filter.from).view());
  if (filter.to) stmt.BindTextCopy(++index, FormatDate(*filter.to).view());
  if (!filter.sku.empty()) stmt.BindText(++index, filter.sku);
  if (!filter.location.empty()) stmt.BindText(++index, filter.location);

  Movement m;  // reused, so its strings keep their capacity
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    m.idempotency_key.assign(stmt.ColumnView(0));
    const std::string_view type_name = stmt.ColumnView(1);
    const std::optional<MovementType> type = ParseMovementType(type_name);
    if (!type) {
      return Error::Internal(fmt::format(
          "{}: stock_ledger.type holds '{}' (idempotency key '{}'); must be one of receipt, "
          "sale, return, adjustment, transfer_out, transfer_in",
          db_.path(), type_name, m.idempotency_key));
    }
    m.type = *type;
    m.sku.assign(stmt.ColumnView(2));
    m.location.assign(stmt.ColumnView(3));
    SC_ASSIGN_OR_RETURN(m.date, ReadDate(stmt, 4, "stock_ledger", "date"));
    m.seconds = static_cast<int32_t>(stmt.ColumnInt(5));
    m.quantity = stmt.ColumnReal(6);
    m.unit_price = stmt.ColumnReal(7);
    m.reference.assign(stmt.ColumnView(8));
    m.actor.assign(stmt.ColumnView(9));
    m.source.assign(stmt.ColumnView(10));
    fn(m);
  }
  if (rc != SQLITE_DONE) return db_.Fail(rc, kWhat);
  return Status::Ok();
}

Result<int64_t> SqliteStore::CountMovements() {
  return db_.QueryInt("SELECT COUNT(*) FROM stock_ledger", "counting movements");
}

// ---- Stock data ----

Status SqliteStore::UpsertSnapshots(std::span<const StockSnapshot> snapshots) {
  SC_RETURN_IF_ERROR(checks::CheckSnapshots(snapshots));
  static const std::string kSql =
      "INSERT INTO stock_snapshots (sku, location, date, on_hand) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (sku, location, date) DO UPDATE SET on_hand = excluded.on_hand";
  constexpr std::string_view kWhat = "upserting stock snapshots";
  return Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
    for (size_t i = 0; i < snapshots.size(); ++i) {
      const StockSnapshot& s = snapshots[i];
      const sqlite::DateText date = FormatDate(s.date);
      stmt->BindText(1, s.sku);
      stmt->BindText(2, s.location);
      stmt->BindText(3, date.view());
      stmt->BindReal(4, s.on_hand);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "upserting", "snapshots", i));
    }
    return Status::Ok();
  });
}

Result<std::vector<StockSnapshot>> SqliteStore::ListSnapshots() {
  static const std::string kSql =
      "SELECT sku, location, date, on_hand FROM stock_snapshots ORDER BY sku, location, date";
  return ListAll<StockSnapshot>(
      kSql, "reading stock snapshots", [this](const Statement& s, StockSnapshot* x) -> Status {
        x->sku = s.ColumnText(0);
        x->location = s.ColumnText(1);
        SC_ASSIGN_OR_RETURN(x->date, ReadDate(s, 2, "stock_snapshots", "date"));
        x->on_hand = s.ColumnReal(3);
        return Status::Ok();
      });
}

Status SqliteStore::UpsertReceipts(std::span<const Receipt> receipts) {
  SC_RETURN_IF_ERROR(checks::CheckReceipts(receipts));
  static const std::string kSql =
      "INSERT INTO purchase_orders (po_id, sku, location, supplier_id, quantity, order_date, "
      "date, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (po_id, sku, location) DO UPDATE SET supplier_id = excluded.supplier_id, "
      "quantity = excluded.quantity, order_date = excluded.order_date, date = excluded.date, "
      "status = excluded.status";
  constexpr std::string_view kWhat = "upserting receipts";
  return Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
    for (size_t i = 0; i < receipts.size(); ++i) {
      const Receipt& r = receipts[i];
      const sqlite::DateText date = FormatDate(r.date);
      sqlite::DateText order_date;
      stmt->BindText(1, r.po_id);
      stmt->BindText(2, r.sku);
      stmt->BindText(3, r.location);
      stmt->BindText(4, r.supplier_id);
      stmt->BindReal(5, r.quantity);
      if (r.order_date) {
        order_date = FormatDate(*r.order_date);
        stmt->BindText(6, order_date.view());
      } else {
        stmt->BindNull(6);
      }
      stmt->BindText(7, date.view());
      stmt->BindText(8, ToString(r.status));
      SC_RETURN_IF_ERROR(StepItem(*stmt, "upserting", "receipts", i));
    }
    return Status::Ok();
  });
}

Result<std::vector<Receipt>> SqliteStore::ListReceipts() {
  static const std::string kSql =
      "SELECT po_id, sku, location, supplier_id, quantity, order_date, date, status "
      "FROM purchase_orders ORDER BY po_id, sku, location";
  return ListAll<Receipt>(
      kSql, "reading receipts", [this](const Statement& s, Receipt* r) -> Status {
        r->po_id = s.ColumnText(0);
        r->sku = s.ColumnText(1);
        r->location = s.ColumnText(2);
        r->supplier_id = s.ColumnText(3);
        r->quantity = s.ColumnReal(4);
        if (!s.IsNull(5)) {
          SC_ASSIGN_OR_RETURN(r->order_date, ReadDate(s, 5, "purchase_orders", "order_date"));
        }
        SC_ASSIGN_OR_RETURN(r->date, ReadDate(s, 6, "purchase_orders", "date"));
        const std::optional<ReceiptStatus> status = ParseReceiptStatus(s.ColumnView(7));
        if (!status) {
          return Error::Internal(
              fmt::format("{}: purchase_orders.status holds '{}'; must be received or open",
                          db_.path(), s.ColumnView(7)));
        }
        r->status = *status;
        return Status::Ok();
      });
}

Status SqliteStore::UpsertCartAdds(std::span<const CartAdds> cart_adds) {
  SC_RETURN_IF_ERROR(checks::CheckCartAdds(cart_adds));
  static const std::string kSql =
      "INSERT INTO cart_daily (sku, location, date, cart_adds) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (sku, location, date) DO UPDATE SET cart_adds = excluded.cart_adds";
  constexpr std::string_view kWhat = "upserting cart adds";
  return Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
    for (size_t i = 0; i < cart_adds.size(); ++i) {
      const CartAdds& c = cart_adds[i];
      const sqlite::DateText date = FormatDate(c.date);
      stmt->BindText(1, c.sku);
      stmt->BindText(2, c.location);
      stmt->BindText(3, date.view());
      stmt->BindReal(4, c.cart_adds);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "upserting", "cart_adds", i));
    }
    return Status::Ok();
  });
}

Result<std::vector<CartAdds>> SqliteStore::ListCartAdds() {
  static const std::string kSql =
      "SELECT sku, location, date, cart_adds FROM cart_daily ORDER BY sku, location, date";
  return ListAll<CartAdds>(kSql, "reading cart adds",
                           [this](const Statement& s, CartAdds* c) -> Status {
                             c->sku = s.ColumnText(0);
                             c->location = s.ColumnText(1);
                             SC_ASSIGN_OR_RETURN(c->date, ReadDate(s, 2, "cart_daily", "date"));
                             c->cart_adds = s.ColumnReal(3);
                             return Status::Ok();
                           });
}

Status SqliteStore::UpsertPromotions(std::span<const Promotion> promotions) {
  SC_RETURN_IF_ERROR(checks::CheckPromotions(promotions));
  static const std::string kSql =
      "INSERT INTO promotions (sku, location, start_date, end_date, discount) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sku, location, start_date) DO UPDATE SET "
      "end_date = excluded.end_date, discount = excluded.discount";
  constexpr std::string_view kWhat = "upserting promotions";
  return Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
    for (size_t i = 0; i < promotions.size(); ++i) {
      const Promotion& p = promotions[i];
      const sqlite::DateText start = FormatDate(p.start);
      const sqlite::DateText end = FormatDate(p.end);
      stmt->BindText(1, p.sku);
      stmt->BindText(2, p.location);
      stmt->BindText(3, start.view());
      stmt->BindText(4, end.view());
      stmt->BindReal(5, p.discount);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "upserting", "promotions", i));
    }
    return Status::Ok();
  });
}

Result<std::vector<Promotion>> SqliteStore::ListPromotions() {
  static const std::string kSql =
      "SELECT sku, location, start_date, end_date, discount FROM promotions "
      "ORDER BY sku, location, start_date";
  return ListAll<Promotion>(
      kSql, "reading promotions", [this](const Statement& s, Promotion* p) -> Status {
        p->sku = s.ColumnText(0);
        p->location = s.ColumnText(1);
        SC_ASSIGN_OR_RETURN(p->start, ReadDate(s, 2, "promotions", "start_date"));
        SC_ASSIGN_OR_RETURN(p->end, ReadDate(s, 3, "promotions", "end_date"));
        p->discount = s.ColumnReal(4);
        return Status::Ok();
      });
}

// ---- Derived stock levels ----

Status SqliteStore::RebuildStockLevels() {
  // Snapshots are end-of-day counts, so a movement dated on the snapshot day is already in it:
  // on_hand = latest snapshot + movements dated after it (all movements when there is none).
  // on_order = open purchase-order lines. Series with only open orders are included.
  static constexpr std::string_view kSql = R"sql(
DELETE FROM stock_levels;
INSERT INTO stock_levels (sku, location, on_hand, on_order, snapshot_date, last_movement,
                          rebuilt_at)
WITH latest AS (
  SELECT sku, location, date, on_hand FROM (
    SELECT sku, location, date, on_hand,
           ROW_NUMBER() OVER (PARTITION BY sku, location ORDER BY date DESC) AS newest
    FROM stock_snapshots)
  WHERE newest = 1
),
moves AS (
  SELECT l.sku, l.location,
         SUM(CASE WHEN s.date IS NULL OR l.date > s.date
                  THEN stockcast_stock_delta(l.type, l.quantity) ELSE 0 END) AS delta,
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
       strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM series AS k
LEFT JOIN latest AS s ON s.sku = k.sku AND s.location = k.location
LEFT JOIN moves AS m ON m.sku = k.sku AND m.location = k.location
LEFT JOIN open_orders AS o ON o.sku = k.sku AND o.location = k.location;
)sql";
  constexpr std::string_view kWhat = "rebuilding stock levels";
  return Atomically(kWhat, [&] { return db_.Exec(kSql, kWhat); });
}

Result<std::vector<StockLevel>> SqliteStore::ListStockLevels() {
  return SelectStockLevels("", "");
}

Result<std::optional<StockLevel>> SqliteStore::FindStockLevel(const std::string& sku,
                                                              const std::string& location) {
  if (sku.empty()) return Store::FindStockLevel(sku, location);
  SC_ASSIGN_OR_RETURN(std::vector<StockLevel> rows, SelectStockLevels(sku, location));
  if (rows.empty()) return std::optional<StockLevel>();
  return std::optional<StockLevel>(std::move(rows.front()));
}

Result<std::vector<StockLevel>> SqliteStore::SelectStockLevels(const std::string& sku,
                                                               const std::string& location) {
  const std::string sql = fmt::format(
      "SELECT sku, location, on_hand, on_order, snapshot_date, last_movement FROM stock_levels"
      "{} ORDER BY sku, location",
      sku.empty() ? "" : " WHERE sku = ?1 AND location = ?2");
  auto bind = [&](Statement& st) {
    if (sku.empty()) return;
    st.BindText(1, sku);
    st.BindText(2, location);
  };
  return ListBound<StockLevel>(
      sql, "reading stock levels", bind, [this](const Statement& s, StockLevel* l) -> Status {
        l->sku = s.ColumnText(0);
        l->location = s.ColumnText(1);
        l->on_hand = s.ColumnReal(2);
        l->on_order = s.ColumnReal(3);
        if (!s.IsNull(4)) {
          SC_ASSIGN_OR_RETURN(l->snapshot_date, ReadDate(s, 4, "stock_levels", "snapshot_date"));
        }
        if (!s.IsNull(5)) {
          SC_ASSIGN_OR_RETURN(l->last_movement, ReadDate(s, 5, "stock_levels", "last_movement"));
        }
        return Status::Ok();
      });
}

// ---- Daily history ----

// "demand, raw_demand, ..." in PanelColumn order: the column names are the enum's names.

Status SqliteStore::SavePanel(const DemandPanel& panel) {
  for (size_t s = 0; s < panel.num_series(); ++s) {
    if (panel.key(s).sku.empty()) {
      return Error::InvalidArgument(fmt::format("panel.keys[{}].sku is empty; must be set", s));
    }
  }
  static const std::string kDelete = "DELETE FROM sales_daily WHERE sku = ? AND location = ?";
  static const std::string kInsert = fmt::format(
      "INSERT INTO sales_daily (sku, location, date, {}, flags) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      PanelColumnList());
  static const std::string kSeries =
      "INSERT INTO panel_series (sku, location, first_date, last_date) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (sku, location) DO UPDATE SET first_date = excluded.first_date, "
      "last_date = excluded.last_date";
  static const std::string kNoSeries = "DELETE FROM panel_series WHERE sku = ? AND location = ?";
  constexpr std::string_view kWhat = "saving the demand panel";
  return Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * erase, Cached(kDelete, kWhat));
    SC_ASSIGN_OR_RETURN(Statement * insert, Cached(kInsert, kWhat));
    SC_ASSIGN_OR_RETURN(Statement * series_row, Cached(kSeries, kWhat));
    SC_ASSIGN_OR_RETURN(Statement * no_series, Cached(kNoSeries, kWhat));
    for (size_t s = 0; s < panel.num_series(); ++s) {
      const SeriesKey& key = panel.key(s);
      erase->BindText(1, key.sku);
      erase->BindText(2, key.location);
      SC_RETURN_IF_ERROR(StepItem(*erase, "replacing the history of", "panel.keys", s));
      std::span<const float> columns[kNumPanelColumns];
      for (int c = 0; c < kNumPanelColumns; ++c) columns[c] = panel.column(kPanelColumns[c], s);
      const std::span<const uint8_t> flags = panel.flags(s);
      // Days before the first observation are not stored: LoadPanel marks them not launched.
      for (int t = panel.FirstObserved(s); t < panel.num_days(); ++t) {
        const sqlite::DateText date = FormatDate(panel.DateAt(t));
        insert->BindText(1, key.sku);
        insert->BindText(2, key.location);
        insert->BindText(3, date.view());
        for (int c = 0; c < kNumPanelColumns; ++c) insert->BindReal(4 + c, columns[c][t]);
        insert->BindInt(4 + kNumPanelColumns, flags[t]);
        SC_RETURN_IF_ERROR(StepItem(*insert, "saving the history of", "panel.keys", s));
      }
      if (panel.FirstObserved(s) < panel.num_days()) {
        const sqlite::DateText first = FormatDate(panel.DateAt(panel.FirstObserved(s)));
        const sqlite::DateText last = FormatDate(panel.end());
        series_row->BindText(1, key.sku);
        series_row->BindText(2, key.location);
        series_row->BindText(3, first.view());
        series_row->BindText(4, last.view());
        SC_RETURN_IF_ERROR(StepItem(*series_row, "saving the days of", "panel.keys", s));
      } else {
        no_series->BindText(1, key.sku);
        no_series->BindText(2, key.location);
        SC_RETURN_IF_ERROR(StepItem(*no_series, "saving the days of", "panel.keys", s));
      }
    }
    return Status::Ok();
  });
}

Result<DemandPanel> SqliteStore::LoadPanel() {
  constexpr std::string_view kWhat = "loading the demand panel";
  // Keys with their first stored day, in (sku, location) order; the axis spans all rows.
  static const std::string kKeys =
      "SELECT sku, location, first_date, last_date FROM panel_series ORDER BY sku, location";
  static const std::string kRows = fmt::format(
      "SELECT sku, location, date, {}, flags FROM sales_daily ORDER BY sku, location, date",
      PanelColumnList());

  // Both queries must see the same rows: read them in one snapshot.
  std::optional<WriteGuard> snapshot;
  if (!db_.in_transaction()) {
    SC_RETURN_IF_ERROR(db_.Exec("BEGIN", kWhat));
    snapshot.emplace(db_, /*savepoint=*/false);  // rolls back the read transaction on exit
  }
  std::vector<SeriesKey> keys;
  std::vector<Date> first_days;
  std::optional<Date> first, last;
  {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kKeys, kWhat));
    ResetOnExit reset(*stmt);
    int rc;
    while ((rc = stmt->Step()) == SQLITE_ROW) {
      keys.push_back({stmt->ColumnText(0), stmt->ColumnText(1)});
      SC_ASSIGN_OR_RETURN(Date lo, ReadDate(*stmt, 2, "panel_series", "first_date"));
      SC_ASSIGN_OR_RETURN(Date hi, ReadDate(*stmt, 3, "panel_series", "last_date"));
      first_days.push_back(lo);
      if (!first || lo < *first) first = lo;
      if (!last || hi > *last) last = hi;
    }
    if (rc != SQLITE_DONE) return db_.Fail(rc, kWhat);
  }
  if (keys.empty()) return DemandPanel();

  DemandPanel panel(*first, (*last - *first) + 1, std::move(keys));
  // Before its first stored day a series was not launched; a later day without a row (the
  // series was saved with an earlier end) is missing data. Rows overwrite both below.
  for (size_t s = 0; s < panel.num_series(); ++s) {
    const int launch = panel.IndexOf(first_days[s]);
    std::span<uint8_t> flags = panel.flags(s);
    for (int t = 0; t < panel.num_days(); ++t) {
      flags[t] = t < launch ? kFlagNotLaunched : kFlagMissing;
    }
  }

  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kRows, kWhat));
  ResetOnExit reset(*stmt);
  size_t series = 0;
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    // Rows arrive in key order, so the series index only moves forward.
    while (series < panel.num_series() && (stmt->ColumnView(0) != panel.key(series).sku ||
                                           stmt->ColumnView(1) != panel.key(series).location)) {
      ++series;
    }
    if (series == panel.num_series()) {
      return Error::Internal(fmt::format(
          "{}: sales_daily changed while it was being read (series {}/{} not found in order)",
          db_.path(), stmt->ColumnView(0), stmt->ColumnView(1)));
    }
    SC_ASSIGN_OR_RETURN(Date date, ReadDate(*stmt, 2, "sales_daily", "date"));
    const int t = panel.IndexOf(date);
    SC_ASSERT(t >= 0);
    for (int c = 0; c < kNumPanelColumns; ++c) {
      // NULL is NaN, what an unwritten column reads as: a column never set (no stock data, no
      // cart adds) is not allocated.
      if (sqlite3_column_type(stmt->get(), 3 + c) == SQLITE_NULL) continue;
      panel.column(kPanelColumns[c], series)[t] = static_cast<float>(stmt->ColumnReal(3 + c));
    }
    panel.flags(series)[t] = static_cast<uint8_t>(stmt->ColumnInt(3 + kNumPanelColumns));
  }
  if (rc != SQLITE_DONE) return db_.Fail(rc, kWhat);
  return panel;
}

// ---- Runs, forecasts, plans ----


Result<int64_t> SqliteStore::StartRun(const std::string& kind, const std::string& params_json) {
  SC_RETURN_IF_ERROR(checks::CheckNewRun(kind, params_json));
  static const std::string kSql =
      "INSERT INTO runs (kind, started_at, status, params_json, version) "
      "VALUES (?, ?, 'running', ?, ?)";
  constexpr std::string_view kWhat = "starting a run";
  int64_t id = 0;
  const Status status = Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
    const std::string now = sqlite::UtcNowIso();
    stmt->BindText(1, kind);
    stmt->BindText(2, now);
    stmt->BindText(3, params_json);
    stmt->BindText(4, STOCKCAST_VERSION);
    SC_RETURN_IF_ERROR(StepDone(*stmt, kWhat));
    id = sqlite3_last_insert_rowid(db_.get());
    return Status::Ok();
  });
  if (!status.ok()) return status.error();
  return id;
}

Status SqliteStore::FinishRun(int64_t run_id, const std::string& status,
                              const std::string& report_json) {
  SC_RETURN_IF_ERROR(checks::CheckFinishStatus(status));
  SC_RETURN_IF_ERROR(CheckJson("report_json", report_json));
  static const std::string kUpdate =
      "UPDATE runs SET finished_at = ?, status = ?, report_json = ? "
      "WHERE id = ? AND status = 'running'";
  static const std::string kStatus = "SELECT status FROM runs WHERE id = ?";
  const std::string what = fmt::format("finishing run {}", run_id);
  return Atomically(what, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * update, Cached(kUpdate, what));
    const std::string now = sqlite::UtcNowIso();
    update->BindText(1, now);
    update->BindText(2, status);
    update->BindText(3, report_json);
    update->BindInt(4, run_id);
    SC_RETURN_IF_ERROR(StepDone(*update, what));
    if (sqlite3_changes64(db_.get()) == 1) return Status::Ok();
    // Nothing updated: say why.
    SC_ASSIGN_OR_RETURN(Statement * query, Cached(kStatus, what));
    ResetOnExit reset(*query);
    query->BindInt(1, run_id);
    const int rc = query->Step();
    if (rc == SQLITE_DONE) {
      return Error::NotFound(fmt::format("{}: run {} does not exist", db_.path(), run_id));
    }
    if (rc != SQLITE_ROW) return db_.Fail(rc, what);
    return Error::Conflict(
        fmt::format("{}: run {} is already finished (status {}); only a "
                    "running run can be finished",
                    db_.path(), run_id, query->ColumnView(0)));
  });
}

Result<std::optional<RunInfo>> SqliteStore::LatestRun(const std::string& kind) {
  static const std::string kSql =
      "SELECT id, kind, started_at, finished_at, status, params_json, report_json FROM runs "
      "WHERE kind = ? ORDER BY id DESC LIMIT 1";
  constexpr std::string_view kWhat = "reading the latest run";
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
  ResetOnExit reset(*stmt);
  stmt->BindText(1, kind);
  const int rc = stmt->Step();
  if (rc == SQLITE_DONE) return std::optional<RunInfo>();
  if (rc != SQLITE_ROW) return db_.Fail(rc, kWhat);
  RunInfo run;
  run.id = stmt->ColumnInt(0);
  run.kind = stmt->ColumnText(1);
  run.started_at = stmt->ColumnText(2);
  run.finished_at = stmt->ColumnText(3);
  run.status = stmt->ColumnText(4);
  run.params_json = stmt->ColumnText(5);
  run.report_json = stmt->ColumnText(6);
  return std::optional<RunInfo>(std::move(run));
}

Status SqliteStore::CheckRunExists(int64_t run_id, std::string_view what) {
  static const std::string kSql = "SELECT 1 FROM runs WHERE id = ?";
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, what));
  ResetOnExit reset(*stmt);
  stmt->BindInt(1, run_id);
  const int rc = stmt->Step();
  if (rc == SQLITE_ROW) return Status::Ok();
  if (rc == SQLITE_DONE) {
    return Error::NotFound(
        fmt::format("{}: run {} does not exist; start it with StartRun first", db_.path(), run_id));
  }
  return db_.Fail(rc, what);
}

// Quantiles as a JSON array of [level, value] pairs. nlohmann::json writes doubles in a form
// that parses back to the same bits, so forecasts round-trip exactly.


Status SqliteStore::SaveForecasts(int64_t run_id, std::span<const ForecastRow> rows) {
  SC_RETURN_IF_ERROR(checks::CheckForecastRows(rows));
  static const std::string kSql =
      "INSERT INTO forecasts (run_id, sku, location, step, date, mean, quantiles, model) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, sku, location, step) DO UPDATE SET "
      "date = excluded.date, mean = excluded.mean, quantiles = excluded.quantiles, "
      "model = excluded.model";
  const std::string what = fmt::format("saving forecasts of run {}", run_id);
  return Atomically(what, [&]() -> Status {
    SC_RETURN_IF_ERROR(CheckRunExists(run_id, what));
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, what));
    for (size_t i = 0; i < rows.size(); ++i) {
      const ForecastRow& r = rows[i];
      const sqlite::DateText date = FormatDate(r.date);
      const std::string quantiles = QuantilesToJson(r.quantiles);
      stmt->BindInt(1, run_id);
      stmt->BindText(2, r.sku);
      stmt->BindText(3, r.location);
      stmt->BindInt(4, r.step);
      stmt->BindText(5, date.view());
      stmt->BindReal(6, r.mean);
      stmt->BindText(7, quantiles);
      stmt->BindText(8, r.model);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "saving", "rows", i));
    }
    return Status::Ok();
  });
}

Result<std::vector<ForecastRow>> SqliteStore::ListForecasts(int64_t run_id) {
  static const std::string kSql =
      "SELECT sku, location, step, date, mean, quantiles, model FROM forecasts "
      "WHERE run_id = ? ORDER BY sku, location, step";
  const std::string what = fmt::format("reading forecasts of run {}", run_id);
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, what));
  ResetOnExit reset(*stmt);
  stmt->BindInt(1, run_id);
  std::vector<ForecastRow> rows;
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    ForecastRow r;
    r.sku = stmt->ColumnText(0);
    r.location = stmt->ColumnText(1);
    r.step = static_cast<int>(stmt->ColumnInt(2));
    SC_ASSIGN_OR_RETURN(r.date, ReadDate(*stmt, 3, "forecasts", "date"));
    r.mean = stmt->ColumnReal(4);
    if (!QuantilesFromJson(stmt->ColumnView(5), &r.quantiles)) {
      return Error::Internal(fmt::format(
          "{}: forecasts.quantiles of run {}, {}/{} step {} holds '{}'; must be a JSON array of "
          "[level, value] pairs",
          db_.path(), run_id, r.sku, r.location, r.step, stmt->ColumnView(5)));
    }
    r.model = stmt->ColumnText(6);
    rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return db_.Fail(rc, what);
  return rows;
}

Status SqliteStore::SavePlan(int64_t run_id, std::span<const PlanLine> lines) {
  SC_RETURN_IF_ERROR(checks::CheckPlanLines(lines));
  static const std::string kNextLine = "SELECT COALESCE(MAX(line), 0) FROM plans WHERE run_id = ?";
  static const std::string kSql =
      "INSERT INTO plans (run_id, line, sku, location, supplier_id, order_date, arrival_date, "
      "quantity, unit_cost, on_hand, on_order, lead_time_demand, safety_stock, reorder_point, "
      "order_up_to, service_level, stockout_probability, days_of_supply, binding, explanation) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (run_id, sku, location, order_date) DO UPDATE SET "
      "supplier_id = excluded.supplier_id, arrival_date = excluded.arrival_date, "
      "quantity = excluded.quantity, unit_cost = excluded.unit_cost, on_hand = excluded.on_hand, "
      "on_order = excluded.on_order, lead_time_demand = excluded.lead_time_demand, "
      "safety_stock = excluded.safety_stock, reorder_point = excluded.reorder_point, "
      "order_up_to = excluded.order_up_to, service_level = excluded.service_level, "
      "stockout_probability = excluded.stockout_probability, "
      "days_of_supply = excluded.days_of_supply, binding = excluded.binding, "
      "explanation = excluded.explanation";
  const std::string what = fmt::format("saving the plan of run {}", run_id);
  return Atomically(what, [&]() -> Status {
    SC_RETURN_IF_ERROR(CheckRunExists(run_id, what));
    int64_t next_line = 0;
    {
      SC_ASSIGN_OR_RETURN(Statement * query, Cached(kNextLine, what));
      ResetOnExit reset(*query);
      query->BindInt(1, run_id);
      const int rc = query->Step();
      if (rc != SQLITE_ROW) return db_.Fail(rc, what);
      next_line = query->ColumnInt(0) + 1;
    }
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, what));
    for (size_t i = 0; i < lines.size(); ++i) {
      const PlanLine& l = lines[i];
      const sqlite::DateText order_date = FormatDate(l.order_date);
      const sqlite::DateText arrival_date = FormatDate(l.arrival_date);
      stmt->BindInt(1, run_id);
      stmt->BindInt(2, next_line++);
      stmt->BindText(3, l.sku);
      stmt->BindText(4, l.location);
      stmt->BindText(5, l.supplier_id);
      stmt->BindText(6, order_date.view());
      stmt->BindText(7, arrival_date.view());
      stmt->BindReal(8, l.quantity);
      stmt->BindReal(9, l.unit_cost);
      stmt->BindReal(10, l.on_hand);
      stmt->BindReal(11, l.on_order);
      stmt->BindReal(12, l.lead_time_demand);
      stmt->BindReal(13, l.safety_stock);
      stmt->BindReal(14, l.reorder_point);
      stmt->BindReal(15, l.order_up_to);
      stmt->BindReal(16, l.service_level);
      stmt->BindReal(17, l.stockout_probability);
      stmt->BindReal(18, l.days_of_supply);
      stmt->BindText(19, l.binding);
      stmt->BindText(20, l.explanation);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "saving", "lines", i));
    }
    return Status::Ok();
  });
}

Result<std::vector<PlanLine>> SqliteStore::ListPlan(int64_t run_id) {
  SC_ASSIGN_OR_RETURN(auto numbered, ListPlanNumbered(run_id));
  std::vector<PlanLine> lines;
  lines.reserve(numbered.size());
  for (auto& [number, line] : numbered) lines.push_back(std::move(line));
  return lines;
}

Result<std::vector<std::pair<int64_t, PlanLine>>> SqliteStore::ListPlanNumbered(int64_t run_id) {
  static const std::string kSql =
      "SELECT line, sku, location, supplier_id, order_date, arrival_date, quantity, unit_cost, "
      "on_hand, on_order, lead_time_demand, safety_stock, reorder_point, order_up_to, "
      "service_level, stockout_probability, days_of_supply, binding, explanation "
      "FROM plans WHERE run_id = ? ORDER BY line";
  const std::string what = fmt::format("reading the plan of run {}", run_id);
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, what));
  ResetOnExit reset(*stmt);
  stmt->BindInt(1, run_id);
  std::vector<std::pair<int64_t, PlanLine>> lines;
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    PlanLine l;
    l.sku = stmt->ColumnText(1);
    l.location = stmt->ColumnText(2);
    l.supplier_id = stmt->ColumnText(3);
    SC_ASSIGN_OR_RETURN(l.order_date, ReadDate(*stmt, 4, "plans", "order_date"));
    SC_ASSIGN_OR_RETURN(l.arrival_date, ReadDate(*stmt, 5, "plans", "arrival_date"));
    double* const numbers[] = {&l.quantity,         &l.unit_cost,
                               &l.on_hand,          &l.on_order,
                               &l.lead_time_demand, &l.safety_stock,
                               &l.reorder_point,    &l.order_up_to,
                               &l.service_level,    &l.stockout_probability,
                               &l.days_of_supply};
    for (int k = 0; k < 11; ++k) *numbers[k] = stmt->ColumnReal(6 + k);
    l.binding = stmt->ColumnText(17);
    l.explanation = stmt->ColumnText(18);
    lines.emplace_back(stmt->ColumnInt(0), std::move(l));
  }
  if (rc != SQLITE_DONE) return db_.Fail(rc, what);
  return lines;
}

// ---- Alerts and KPIs ----

namespace {


}  // namespace

Result<std::vector<int64_t>> SqliteStore::SaveAlerts(std::span<const AlertRecord> alerts) {
  SC_RETURN_IF_ERROR(checks::CheckAlerts(alerts));
  static const std::string kInsert =
      "INSERT INTO alerts (key, type, sku, location, level, first_level, status, action, "
      "message, first_seen, last_seen, occurrences, probability, impact, run_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  static const std::string kUpdate =
      "UPDATE alerts SET key = ?, type = ?, sku = ?, location = ?, level = ?, first_level = ?, "
      "status = ?, action = ?, message = ?, first_seen = ?, last_seen = ?, occurrences = ?, "
      "probability = ?, impact = ?, run_id = ? WHERE id = ?";
  std::vector<int64_t> ids(alerts.size(), 0);
  const Status saved = Atomically("saving alerts", [&]() -> Status {
    // Resolutions first, so a key resolved and raised again in one batch does not collide.
    std::vector<size_t> order(alerts.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_partition(order.begin(), order.end(),
                          [&](size_t i) { return alerts[i].status == "resolved"; });
    for (size_t i : order) {
      const AlertRecord& a = alerts[i];
      const bool insert = a.id == 0;
      SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(insert ? kInsert : kUpdate, "saving alerts"));
      const sqlite::DateText first = FormatDate(a.first_seen);
      const sqlite::DateText last = FormatDate(a.last_seen);
      stmt->BindText(1, a.key);
      stmt->BindText(2, a.type);
      stmt->BindText(3, a.sku);
      stmt->BindText(4, a.location);
      stmt->BindText(5, a.level);
      stmt->BindText(6, a.first_level);
      stmt->BindText(7, a.status);
      stmt->BindText(8, a.action);
      stmt->BindText(9, a.message);
      stmt->BindText(10, first.view());
      stmt->BindText(11, last.view());
      stmt->BindInt(12, a.occurrences);
      stmt->BindReal(13, a.probability);
      stmt->BindReal(14, a.impact);
      stmt->BindInt(15, a.run_id);
      if (!insert) stmt->BindInt(16, a.id);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "saving", "alerts", i));
      if (insert) {
        ids[i] = sqlite3_last_insert_rowid(db_.get());
      } else {
        if (sqlite3_changes(db_.get()) == 0) {
          return Error::NotFound(fmt::format("{}: alerts[{}] ({}) has id {}, which does not exist",
                                             db_.path(), i, a.key, a.id));
        }
        ids[i] = a.id;
      }
    }
    return Status::Ok();
  });
  if (!saved.ok()) return saved.error();
  return ids;
}

// The columns ReadAlert reads, in its order.
constexpr const char* kAlertColumns =
    "SELECT id, key, type, sku, location, level, first_level, status, action, message, "
    "first_seen, last_seen, occurrences, probability, impact, run_id FROM alerts ";

Status SqliteStore::ReadAlert(const Statement& st, AlertRecord* a) const {
    a->id = st.ColumnInt(0);
    a->key = st.ColumnText(1);
    a->type = st.ColumnText(2);
    a->sku = st.ColumnText(3);
    a->location = st.ColumnText(4);
    a->level = st.ColumnText(5);
    a->first_level = st.ColumnText(6);
    a->status = st.ColumnText(7);
    a->action = st.ColumnText(8);
    a->message = st.ColumnText(9);
    SC_ASSIGN_OR_RETURN(a->first_seen, ReadDate(st, 10, "alerts", "first_seen"));
    SC_ASSIGN_OR_RETURN(a->last_seen, ReadDate(st, 11, "alerts", "last_seen"));
    a->occurrences = static_cast<int>(st.ColumnInt(12));
    a->probability = st.ColumnReal(13);
    a->impact = st.ColumnReal(14);
    a->run_id = st.ColumnInt(15);
  return Status::Ok();
}

Result<std::vector<AlertRecord>> SqliteStore::ListAlerts(bool include_resolved) {
  const std::string sql = std::string(kAlertColumns) +
                          (include_resolved ? "" : "WHERE status <> 'resolved' ") + "ORDER BY id DESC";
  return ListAll<AlertRecord>(sql, "reading alerts", [&](const Statement& st, AlertRecord* a) {
    return ReadAlert(st, a);
  });
}

Status SqliteStore::SaveKpis(int64_t run_id, std::span<const KpiRecord> kpis) {
  SC_RETURN_IF_ERROR(checks::CheckKpis(kpis));
  static const std::string kSql =
      "INSERT INTO kpis (run_id, scope, key, period, metric, value) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (run_id, scope, key, period, metric) DO UPDATE SET value = excluded.value";
  const std::string what = fmt::format("saving the KPIs of run {}", run_id);
  return Atomically(what, [&]() -> Status {
    SC_RETURN_IF_ERROR(CheckRunExists(run_id, what));
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, what));
    for (size_t i = 0; i < kpis.size(); ++i) {
      const KpiRecord& k = kpis[i];
      stmt->BindInt(1, run_id);
      stmt->BindText(2, k.scope);
      stmt->BindText(3, k.key);
      stmt->BindText(4, k.period);
      stmt->BindText(5, k.metric);
      if (std::isfinite(k.value)) {
        stmt->BindReal(6, k.value);
      } else {
        stmt->BindNull(6);  // unknown (e.g. turnover without stock data)
      }
      SC_RETURN_IF_ERROR(StepItem(*stmt, "saving", "kpis", i));
    }
    return Status::Ok();
  });
}

Result<std::vector<KpiRecord>> SqliteStore::ListKpis(int64_t run_id) {
  static const std::string kSql =
      "SELECT scope, key, period, metric, value FROM kpis WHERE run_id = ? "
      "ORDER BY scope, key, period, metric";
  const std::string what = fmt::format("reading the KPIs of run {}", run_id);
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, what));
  ResetOnExit reset(*stmt);
  stmt->BindInt(1, run_id);
  std::vector<KpiRecord> out;
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    KpiRecord k;
    k.scope = stmt->ColumnText(0);
    k.key = stmt->ColumnText(1);
    k.period = stmt->ColumnText(2);
    k.metric = stmt->ColumnText(3);
    k.value = sqlite3_column_type(stmt->get(), 4) == SQLITE_NULL
                  ? std::numeric_limits<double>::quiet_NaN()
                  : stmt->ColumnReal(4);
    out.push_back(std::move(k));
  }
  if (rc != SQLITE_DONE) return db_.Fail(rc, what);
  return out;
}

// ---- Live movements (the API) ----

Result<AppendStats> SqliteStore::PostMovements(std::span<const Movement> movements) {
  SC_RETURN_IF_ERROR(checks::CheckMovements(movements));
  static const std::string kInsert =
      "INSERT INTO stock_ledger (idempotency_key, type, sku, location, date, seconds, quantity, "
      "unit_price, reference, actor, source, recorded_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING";
  // The series' stock level (kept current: rebuilt by imports, updated here), else computed
  // from the latest snapshot and the ledger as RebuildStockLevels does.
  static const std::string kLevel =
      "SELECT on_hand, snapshot_date FROM stock_levels WHERE sku = ? AND location = ?";
  static const std::string kBalance = R"sql(
WITH s AS (SELECT date, on_hand FROM stock_snapshots WHERE sku = ?1 AND location = ?2
           ORDER BY date DESC LIMIT 1)
SELECT COALESCE((SELECT on_hand FROM s), 0) +
       COALESCE((SELECT SUM(stockcast_stock_delta(type, quantity)) FROM stock_ledger
                 WHERE sku = ?1 AND location = ?2
                   AND ((SELECT date FROM s) IS NULL OR date > (SELECT date FROM s))), 0),
       (SELECT date FROM s))sql";
  static const std::string kBackorder = "SELECT allow_backorder FROM products WHERE sku = ?";
  static const std::string kUpsertLevel =
      "INSERT INTO stock_levels (sku, location, on_hand, on_order, snapshot_date, last_movement, "
      "rebuilt_at) VALUES (?, ?, ?, COALESCE((SELECT SUM(quantity) FROM purchase_orders WHERE "
      "status = 'open' AND sku = ?1 AND location = ?2), 0), ?, ?, ?) "
      "ON CONFLICT (sku, location) DO UPDATE SET on_hand = excluded.on_hand, "
      "last_movement = MAX(COALESCE(stock_levels.last_movement, ''), excluded.last_movement)";
  constexpr std::string_view kWhat = "posting movements";
  struct Level {
    double on_hand = 0;
    double before = 0;
    std::optional<Date> snapshot;
    Date last_movement;
    bool touched = false;
  };
  AppendStats stats;
  const std::string recorded_at = sqlite::UtcNowIso();
  const Status done = Atomically(kWhat, [&]() -> Status {
    std::map<std::pair<std::string, std::string>, Level> levels;
    for (size_t i = 0; i < movements.size(); ++i) {
      const Movement& m = movements[i];
      // The series' level before this batch, read before inserting (the ledger sum would
      // otherwise count this movement already).
      const auto key = std::make_pair(m.sku, m.location);
      auto it = levels.find(key);
      if (it == levels.end()) {
        Level l;
        bool found = false;
        {
          SC_ASSIGN_OR_RETURN(Statement * q, Cached(kLevel, kWhat));
          ResetOnExit reset(*q);
          q->BindText(1, m.sku);
          q->BindText(2, m.location);
          const int rc = q->Step();
          if (rc == SQLITE_ROW) {
            found = true;
            l.on_hand = q->ColumnReal(0);
            if (sqlite3_column_type(q->get(), 1) != SQLITE_NULL) {
              SC_ASSIGN_OR_RETURN(l.snapshot, ReadDate(*q, 1, "stock_levels", "snapshot_date"));
            }
          } else if (rc != SQLITE_DONE) {
            return db_.Fail(rc, kWhat);
          }
        }
        if (!found) {
          SC_ASSIGN_OR_RETURN(Statement * q, Cached(kBalance, kWhat));
          ResetOnExit reset(*q);
          q->BindText(1, m.sku);
          q->BindText(2, m.location);
          const int rc = q->Step();
          if (rc != SQLITE_ROW) return db_.Fail(rc, kWhat);
          l.on_hand = q->ColumnReal(0);
          if (sqlite3_column_type(q->get(), 1) != SQLITE_NULL) {
            SC_ASSIGN_OR_RETURN(l.snapshot, ReadDate(*q, 1, "stock_snapshots", "date"));
          }
        }
        l.before = l.on_hand;
        it = levels.emplace(key, l).first;
      }
      // Then insert: the unique key index answers "applied before?" in the same lookup (a
      // conflict inserts nothing). A refusal below rolls the whole batch back.
      {
        SC_ASSIGN_OR_RETURN(Statement * ins, Cached(kInsert, kWhat));
        const sqlite::DateText date = FormatDate(m.date);
        ins->BindText(1, m.idempotency_key);
        ins->BindText(2, ToString(m.type));
        ins->BindText(3, m.sku);
        ins->BindText(4, m.location);
        ins->BindText(5, date.view());
        ins->BindInt(6, m.seconds);
        ins->BindReal(7, m.quantity);
        ins->BindReal(8, m.unit_price);
        ins->BindText(9, m.reference);
        ins->BindText(10, m.actor);
        ins->BindText(11, m.source);
        ins->BindText(12, recorded_at);
        SC_RETURN_IF_ERROR(StepItem(*ins, "posting", "movements", i));
        if (sqlite3_changes64(db_.get()) == 0) {
          ++stats.already_present;  // applied before (or repeated in this batch): not again
          continue;
        }
        ++stats.inserted;
      }
      Level& l = it->second;
      // A movement dated on or before the series' snapshot is already in that count.
      const double delta = l.snapshot && !(m.date > *l.snapshot) ? 0.0 : StockDelta(m);
      l.on_hand += delta;
      if (!l.touched || m.date > l.last_movement) l.last_movement = m.date;
      l.touched = true;
      if (delta < 0 && l.on_hand < -1e-9) {
        bool backorders = false;
        {
          SC_ASSIGN_OR_RETURN(Statement * b, Cached(kBackorder, kWhat));
          ResetOnExit reset(*b);
          b->BindText(1, m.sku);
          const int rc = b->Step();
          if (rc == SQLITE_ROW) backorders = b->ColumnInt(0) != 0;
          else if (rc != SQLITE_DONE) return db_.Fail(rc, kWhat);
        }
        if (!backorders) {
          return Error::Conflict(fmt::format(
              "movements[{}] ({} of {:g} {} at {}, key \"{}\") would take on hand to {:g}; {} does "
              "not allow backorders (nothing in this batch was applied)",
              i, ToString(m.type), std::fabs(m.quantity), m.sku, m.location, m.idempotency_key,
              l.on_hand, m.sku));
        }
      }
    }
    for (const auto& [key, l] : levels) {
      if (l.touched) stats.balances.push_back({key.first, key.second, l.before, l.on_hand});
    }
    // The stock levels of the touched series, current again (same transaction).
    const std::string now = sqlite::UtcNowIso();
    for (const auto& [key, l] : levels) {
      if (!l.touched) continue;
      SC_ASSIGN_OR_RETURN(Statement * up, Cached(kUpsertLevel, kWhat));
      const sqlite::DateText last = FormatDate(l.last_movement);
      std::optional<sqlite::DateText> snap;
      if (l.snapshot) snap = FormatDate(*l.snapshot);
      up->BindText(1, key.first);
      up->BindText(2, key.second);
      up->BindReal(3, l.on_hand);
      if (snap) {
        up->BindText(4, snap->view());
      } else {
        up->BindNull(4);
      }
      up->BindText(5, last.view());
      up->BindText(6, now);
      SC_RETURN_IF_ERROR(StepDone(*up, kWhat));
    }
    return Status::Ok();
  });
  if (!done.ok()) return done.error();
  return stats;
}

// ---- API tokens and the audit log ----

Result<int64_t> SqliteStore::SaveToken(const TokenRecord& token) {
  SC_RETURN_IF_ERROR(checks::CheckToken(token));
  static const std::string kSql =
      "INSERT INTO api_tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)";
  SC_RETURN_IF_ERROR(CheckWritable("saving a token"));
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, "saving a token"));
  stmt->BindText(1, token.name);
  stmt->BindText(2, token.role);
  stmt->BindText(3, token.hash);
  const std::string now = token.created_at.empty() ? sqlite::UtcNowIso() : token.created_at;
  stmt->BindText(4, now);
  SC_RETURN_IF_ERROR(StepDone(*stmt, "saving a token"));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

namespace {
Status ReadToken(const Statement& st, TokenRecord* t) {
  t->id = st.ColumnInt(0);
  t->name = st.ColumnText(1);
  t->role = st.ColumnText(2);
  t->hash = st.ColumnText(3);
  t->created_at = st.ColumnText(4);
  t->revoked_at = st.ColumnText(5);
  return Status::Ok();
}
}  // namespace

Result<std::optional<TokenRecord>> SqliteStore::FindToken(const std::string& hash) {
  static const std::string kSql =
      "SELECT id, name, role, hash, created_at, revoked_at FROM api_tokens "
      "WHERE hash = ? AND revoked_at = ''";
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, "looking up a token"));
  ResetOnExit reset(*stmt);
  stmt->BindText(1, hash);
  const int rc = stmt->Step();
  if (rc == SQLITE_DONE) return std::optional<TokenRecord>();
  if (rc != SQLITE_ROW) return db_.Fail(rc, "looking up a token");
  TokenRecord t;
  SC_RETURN_IF_ERROR(ReadToken(*stmt, &t));
  return std::optional<TokenRecord>(std::move(t));
}

Result<std::vector<TokenRecord>> SqliteStore::ListTokens() {
  return ListAll<TokenRecord>(
      "SELECT id, name, role, hash, created_at, revoked_at FROM api_tokens ORDER BY id",
      "reading tokens", ReadToken);
}

Status SqliteStore::RevokeToken(int64_t id) {
  static const std::string kSql =
      "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = ''";
  SC_RETURN_IF_ERROR(CheckWritable("revoking a token"));
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, "revoking a token"));
  const std::string now = sqlite::UtcNowIso();  // bound without a copy: must outlive the step
  stmt->BindText(1, now);
  stmt->BindInt(2, id);
  SC_RETURN_IF_ERROR(StepDone(*stmt, "revoking a token"));
  if (sqlite3_changes(db_.get()) == 0) {
    return Error::NotFound(fmt::format("{}: token {} does not exist or is already revoked",
                                       db_.path(), id));
  }
  return Status::Ok();
}

Result<int64_t> SqliteStore::AppendAudit(const AuditRecord& e) {
  SC_RETURN_IF_ERROR(checks::CheckAudit(e));
  static const std::string kSql =
      "INSERT INTO audit_log (at, actor, role, request_id, action, status, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)";
  SC_RETURN_IF_ERROR(CheckWritable("writing the audit log"));
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, "writing the audit log"));
  const std::string at = e.at.empty() ? sqlite::UtcNowIso() : e.at;
  stmt->BindText(1, at);
  stmt->BindText(2, e.actor);
  stmt->BindText(3, e.role);
  stmt->BindText(4, e.request_id);
  stmt->BindText(5, e.action);
  stmt->BindInt(6, e.status);
  stmt->BindText(7, e.detail);
  SC_RETURN_IF_ERROR(StepDone(*stmt, "writing the audit log"));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

Result<std::vector<AuditRecord>> SqliteStore::ListAudit(int64_t limit) {
  static const std::string kSql =
      "SELECT id, at, actor, role, request_id, action, status, detail FROM audit_log "
      "ORDER BY id DESC LIMIT ?";
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, "reading the audit log"));
  ResetOnExit reset(*stmt);
  stmt->BindInt(1, std::max<int64_t>(limit, 0));
  std::vector<AuditRecord> out;
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    AuditRecord a;
    a.id = stmt->ColumnInt(0);
    a.at = stmt->ColumnText(1);
    a.actor = stmt->ColumnText(2);
    a.role = stmt->ColumnText(3);
    a.request_id = stmt->ColumnText(4);
    a.action = stmt->ColumnText(5);
    a.status = static_cast<int>(stmt->ColumnInt(6));
    a.detail = stmt->ColumnText(7);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return db_.Fail(rc, "reading the audit log");
  return out;
}

// ---- Service (migration 4) ----

namespace {

constexpr const char* kRunColumns =
    "SELECT id, kind, started_at, finished_at, status, params_json, report_json FROM runs ";

Status ReadRun(const Statement& st, RunInfo* run) {
  run->id = st.ColumnInt(0);
  run->kind = st.ColumnText(1);
  run->started_at = st.ColumnText(2);
  run->finished_at = st.ColumnText(3);
  run->status = st.ColumnText(4);
  run->params_json = st.ColumnText(5);
  run->report_json = st.ColumnText(6);
  return Status::Ok();
}

constexpr const char* kJobColumns =
    "SELECT id, kind, status, params_json, progress, stage, run_id, error, actor, request_id, "
    "created_at, started_at, finished_at FROM jobs ";

Status ReadJob(const Statement& st, JobRecord* j) {
  j->id = st.ColumnInt(0);
  j->kind = st.ColumnText(1);
  j->status = st.ColumnText(2);
  j->params_json = st.ColumnText(3);
  j->progress = st.ColumnReal(4);
  j->stage = st.ColumnText(5);
  j->run_id = st.ColumnInt(6);
  j->error = st.ColumnText(7);
  j->actor = st.ColumnText(8);
  j->request_id = st.ColumnText(9);
  j->created_at = st.ColumnText(10);
  j->started_at = st.ColumnText(11);
  j->finished_at = st.ColumnText(12);
  return Status::Ok();
}


}  // namespace

Result<std::vector<RunInfo>> SqliteStore::ListRuns(const std::string& kind, int limit) {
  static const std::string kAll = std::string(kRunColumns) + "ORDER BY id DESC LIMIT ?";
  static const std::string kKind =
      std::string(kRunColumns) + "WHERE kind = ? ORDER BY id DESC LIMIT ?";
  return ListBound<RunInfo>(
      kind.empty() ? kAll : kKind, "listing runs",
      [&](Statement& st) {
        if (kind.empty()) {
          st.BindInt(1, std::max(limit, 0));
        } else {
          st.BindText(1, kind);
          st.BindInt(2, std::max(limit, 0));
        }
      },
      ReadRun);
}

Result<std::optional<RunInfo>> SqliteStore::GetRun(int64_t run_id) {
  static const std::string kSql = std::string(kRunColumns) + "WHERE id = ?";
  SC_ASSIGN_OR_RETURN(auto runs, ListBound<RunInfo>(
                                     kSql, "reading a run",
                                     [&](Statement& st) { st.BindInt(1, run_id); }, ReadRun));
  if (runs.empty()) return std::optional<RunInfo>();
  return std::optional<RunInfo>(std::move(runs.front()));
}

Result<std::vector<ForecastRow>> SqliteStore::ListSeriesForecasts(int64_t run_id,
                                                                  const std::string& sku,
                                                                  const std::string& location) {
  static const std::string kSql =
      "SELECT step, date, mean, quantiles, model FROM forecasts "
      "WHERE run_id = ? AND sku = ? AND location = ? ORDER BY step";
  const std::string what = fmt::format("reading the forecast of {}/{} in run {}", sku, location, run_id);
  return ListBound<ForecastRow>(
      kSql, what,
      [&](Statement& st) {
        st.BindInt(1, run_id);
        st.BindText(2, sku);
        st.BindText(3, location);
      },
      [&](const Statement& st, ForecastRow* r) -> Status {
        r->sku = sku;
        r->location = location;
        r->step = static_cast<int>(st.ColumnInt(0));
        SC_ASSIGN_OR_RETURN(r->date, ReadDate(st, 1, "forecasts", "date"));
        r->mean = st.ColumnReal(2);
        if (!QuantilesFromJson(st.ColumnView(3), &r->quantiles)) {
          return Error::Internal(fmt::format("{}: forecasts.quantiles of run {}, {}/{} holds '{}'",
                                             db_.path(), run_id, sku, location, st.ColumnView(3)));
        }
        r->model = st.ColumnText(4);
        return Status::Ok();
      });
}

Result<std::vector<std::pair<Date, double>>> SqliteStore::SeriesDemand(const std::string& sku,
                                                                        const std::string& location,
                                                                        int days) {
  static const std::string kSql =
      "SELECT date, COALESCE(raw_demand, demand) FROM sales_daily WHERE sku = ? AND location = ? "
      "ORDER BY date DESC LIMIT ?";
  using Row = std::pair<Date, double>;
  SC_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      ListBound<Row>(
          kSql, fmt::format("reading the history of {}/{}", sku, location),
          [&](Statement& st) {
            st.BindText(1, sku);
            st.BindText(2, location);
            st.BindInt(3, std::max(days, 0));
          },
          [&](const Statement& st, Row* r) -> Status {
            SC_ASSIGN_OR_RETURN(r->first, ReadDate(st, 0, "sales_daily", "date"));
            r->second = sqlite3_column_type(st.get(), 1) == SQLITE_NULL ? std::nan("")
                                                                        : st.ColumnReal(1);
            return Status::Ok();
          }));
  std::reverse(rows.begin(), rows.end());
  return rows;
}


namespace {
Status ReadDecision(const Statement& st, PlanDecision* d) {
  d->run_id = st.ColumnInt(0);
  d->line = st.ColumnInt(1);
  d->status = st.ColumnText(2);
  d->quantity = st.ColumnReal(3);
  d->po_id = st.ColumnText(4);
  d->note = st.ColumnText(5);
  d->actor = st.ColumnText(6);
  d->request_id = st.ColumnText(7);
  d->decided_at = st.ColumnText(8);
  return Status::Ok();
}
constexpr const char* kDecisionColumns =
    "SELECT run_id, line, status, quantity, po_id, note, actor, request_id, decided_at "
    "FROM plan_decisions ";
}  // namespace

Result<PlanDecision> SqliteStore::DecidePlanLine(const PlanDecision& decision) {
  SC_RETURN_IF_ERROR(checks::CheckDecision(decision));
  static const std::string kLine =
      "SELECT sku, location, supplier_id, order_date, arrival_date FROM plans "
      "WHERE run_id = ? AND line = ?";
  static const std::string kExisting = std::string(kDecisionColumns) + "WHERE run_id = ? AND line = ?";
  static const std::string kInsert =
      "INSERT INTO plan_decisions (run_id, line, status, quantity, po_id, note, actor, request_id, "
      "decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
  static const std::string kOrder =
      "INSERT INTO purchase_orders (po_id, sku, location, supplier_id, quantity, order_date, date, "
      "status) VALUES (?, ?, ?, ?, ?, ?, ?, 'open')";
  // A series without a level row has no snapshot and no movement yet (imports and the server
  // rebuild the levels): on hand 0.
  static const std::string kOnOrder =
      "INSERT INTO stock_levels (sku, location, on_hand, on_order, rebuilt_at) "
      "VALUES (?2, ?3, 0, ?1, ?4) ON CONFLICT (sku, location) DO UPDATE SET "
      "on_order = on_order + excluded.on_order";
  const std::string what =
      fmt::format("deciding line {} of plan run {}", decision.line, decision.run_id);
  PlanDecision stored = decision;
  const Status done = Atomically(what, [&]() -> Status {
    std::string sku, location, supplier;
    sqlite::DateText order_date, arrival;
    {
      SC_ASSIGN_OR_RETURN(Statement * q, Cached(kLine, what));
      ResetOnExit reset(*q);
      q->BindInt(1, decision.run_id);
      q->BindInt(2, decision.line);
      const int rc = q->Step();
      if (rc == SQLITE_DONE) {
        return Error::NotFound(fmt::format("plan run {} has no line {}", decision.run_id, decision.line));
      }
      if (rc != SQLITE_ROW) return db_.Fail(rc, what);
      sku = q->ColumnText(0);
      location = q->ColumnText(1);
      supplier = q->ColumnText(2);
      SC_ASSIGN_OR_RETURN(Date od, ReadDate(*q, 3, "plans", "order_date"));
      SC_ASSIGN_OR_RETURN(Date ad, ReadDate(*q, 4, "plans", "arrival_date"));
      order_date = FormatDate(od);
      arrival = FormatDate(ad);
    }
    {
      SC_ASSIGN_OR_RETURN(auto before, ListBound<PlanDecision>(
                                           kExisting, what,
                                           [&](Statement& st) {
                                             st.BindInt(1, decision.run_id);
                                             st.BindInt(2, decision.line);
                                           },
                                           ReadDecision));
      if (!before.empty()) {
        return Error::Conflict(fmt::format(
            "line {} of plan run {} was already {} by {} at {}; a decision is final",
            decision.line, decision.run_id, before.front().status, before.front().actor,
            before.front().decided_at));
      }
    }
    if (stored.decided_at.empty()) stored.decided_at = sqlite::UtcNowIso();
    if (stored.status == "approved" && stored.quantity > 0) {
      stored.po_id = fmt::format("PLAN-{}-{}", decision.run_id, decision.line);
      SC_ASSIGN_OR_RETURN(Statement * o, Cached(kOrder, what));
      o->BindText(1, stored.po_id);
      o->BindText(2, sku);
      o->BindText(3, location);
      o->BindText(4, supplier);
      o->BindReal(5, stored.quantity);
      o->BindText(6, order_date.view());
      o->BindText(7, arrival.view());
      SC_RETURN_IF_ERROR(StepDone(*o, what));
      SC_ASSIGN_OR_RETURN(Statement * u, Cached(kOnOrder, what));
      u->BindReal(1, stored.quantity);
      u->BindText(2, sku);
      u->BindText(3, location);
      u->BindText(4, stored.decided_at);
      SC_RETURN_IF_ERROR(StepDone(*u, what));
    } else {
      stored.po_id.clear();
    }
    SC_ASSIGN_OR_RETURN(Statement * ins, Cached(kInsert, what));
    ins->BindInt(1, stored.run_id);
    ins->BindInt(2, stored.line);
    ins->BindText(3, stored.status);
    ins->BindReal(4, stored.quantity);
    ins->BindText(5, stored.po_id);
    ins->BindText(6, stored.note);
    ins->BindText(7, stored.actor);
    ins->BindText(8, stored.request_id);
    ins->BindText(9, stored.decided_at);
    return StepDone(*ins, what);
  });
  if (!done.ok()) return done.error();
  return stored;
}

Result<std::vector<PlanDecision>> SqliteStore::ListPlanDecisions(int64_t run_id) {
  static const std::string kSql = std::string(kDecisionColumns) + "WHERE run_id = ? ORDER BY line";
  return ListBound<PlanDecision>(
      kSql, "reading plan decisions", [&](Statement& st) { st.BindInt(1, run_id); }, ReadDecision);
}

Status SqliteStore::SaveWarningLines(std::span<const WarningLineRecord> lines) {
  SC_RETURN_IF_ERROR(checks::CheckWarningLines(lines));
  // A plan line never replaces a manual one.
  static const std::string kSql =
      "INSERT INTO warning_lines (sku, location, lower_units, upper_units, source, run_id, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sku, location) DO UPDATE SET "
      "lower_units = excluded.lower_units, upper_units = excluded.upper_units, "
      "source = excluded.source, run_id = excluded.run_id, updated_at = excluded.updated_at "
      "WHERE excluded.source = 'manual' OR warning_lines.source = 'plan'";
  constexpr std::string_view kWhat = "saving warning lines";
  return Atomically(kWhat, [&]() -> Status {
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
    const std::string now = sqlite::UtcNowIso();
    for (size_t i = 0; i < lines.size(); ++i) {
      const WarningLineRecord& l = lines[i];
      stmt->BindText(1, l.sku);
      stmt->BindText(2, l.location);
      stmt->BindReal(3, l.lower_units);
      stmt->BindReal(4, l.upper_units);
      stmt->BindText(5, l.source);
      stmt->BindInt(6, l.run_id);
      stmt->BindText(7, l.updated_at.empty() ? now : l.updated_at);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "saving", "warning_lines", i));
    }
    return Status::Ok();
  });
}

Result<std::vector<WarningLineRecord>> SqliteStore::ListWarningLines(const std::string& sku,
                                                                     const std::string& location) {
  // One statement per filter: "(?1 = '' OR sku = ?1)" made SQLite scan the whole table for
  // every lookup (EXPLAIN QUERY PLAN: SCAN warning_lines), and the server looks up the lines of
  // every series a movement batch changes.
  const std::string sql = fmt::format(
      "SELECT sku, location, lower_units, upper_units, source, run_id, updated_at "
      "FROM warning_lines WHERE {} AND {} ORDER BY sku, location",
      sku.empty() ? "?1 = ''" : "sku = ?1", location.empty() ? "?2 = ''" : "location = ?2");
  return ListBound<WarningLineRecord>(
      sql, "reading warning lines",
      [&](Statement& st) {
        st.BindText(1, sku);
        st.BindText(2, location);
      },
      [](const Statement& st, WarningLineRecord* l) -> Status {
        l->sku = st.ColumnText(0);
        l->location = st.ColumnText(1);
        l->lower_units = st.ColumnReal(2);
        l->upper_units = st.ColumnReal(3);
        l->source = st.ColumnText(4);
        l->run_id = st.ColumnInt(5);
        l->updated_at = st.ColumnText(6);
        return Status::Ok();
      });
}

Status SqliteStore::SaveProjection(int64_t run_id, std::span<const ProjectionRecord> rows) {
  SC_RETURN_IF_ERROR(checks::CheckProjection(rows));
  static const std::string kSql =
      "INSERT INTO projections (run_id, sku, location, date, p10, p50, p90, arrivals) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, sku, location, date) DO UPDATE SET "
      "p10 = excluded.p10, p50 = excluded.p50, p90 = excluded.p90, arrivals = excluded.arrivals";
  const std::string what = fmt::format("saving the projection of run {}", run_id);
  return Atomically(what, [&]() -> Status {
    SC_RETURN_IF_ERROR(CheckRunExists(run_id, what));
    SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, what));
    for (size_t i = 0; i < rows.size(); ++i) {
      const ProjectionRecord& r = rows[i];
      const sqlite::DateText date = FormatDate(r.date);
      stmt->BindInt(1, run_id);
      stmt->BindText(2, r.sku);
      stmt->BindText(3, r.location);
      stmt->BindText(4, date.view());
      stmt->BindReal(5, r.p10);
      stmt->BindReal(6, r.p50);
      stmt->BindReal(7, r.p90);
      stmt->BindReal(8, r.arrivals);
      SC_RETURN_IF_ERROR(StepItem(*stmt, "saving", "projections", i));
    }
    return Status::Ok();
  });
}

Result<std::vector<ProjectionRecord>> SqliteStore::ListProjection(int64_t run_id,
                                                                  const std::string& sku,
                                                                  const std::string& location) {
  static const std::string kSql =
      "SELECT date, p10, p50, p90, arrivals FROM projections WHERE run_id = ? AND sku = ? AND "
      "location = ? ORDER BY date";
  return ListBound<ProjectionRecord>(
      kSql, "reading a projection",
      [&](Statement& st) {
        st.BindInt(1, run_id);
        st.BindText(2, sku);
        st.BindText(3, location);
      },
      [&](const Statement& st, ProjectionRecord* r) -> Status {
        r->sku = sku;
        r->location = location;
        SC_ASSIGN_OR_RETURN(r->date, ReadDate(st, 0, "projections", "date"));
        r->p10 = st.ColumnReal(1);
        r->p50 = st.ColumnReal(2);
        r->p90 = st.ColumnReal(3);
        r->arrivals = st.ColumnReal(4);
        return Status::Ok();
      });
}

Result<std::optional<AlertRecord>> SqliteStore::FindLiveAlert(const std::string& key) {
  static const std::string kSql =
      std::string(kAlertColumns) + "WHERE key = ? AND status <> 'resolved'";
  SC_ASSIGN_OR_RETURN(std::vector<AlertRecord> live,
                      ListBound<AlertRecord>(
                          kSql, "finding a live alert", [&](Statement& st) { st.BindText(1, key); },
                          [&](const Statement& st, AlertRecord* a) { return ReadAlert(st, a); }));
  if (live.empty()) return std::optional<AlertRecord>();
  return std::optional<AlertRecord>(std::move(live.front()));
}

Result<int64_t> SqliteStore::CreateJob(const JobRecord& job) {
  SC_RETURN_IF_ERROR(checks::CheckNewJob(job));
  static const std::string kSql =
      "INSERT INTO jobs (kind, status, params_json, progress, stage, run_id, error, actor, "
      "request_id, created_at, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  constexpr std::string_view kWhat = "creating a job";
  SC_RETURN_IF_ERROR(CheckWritable(kWhat));
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
  const std::string created = job.created_at.empty() ? sqlite::UtcNowIso() : job.created_at;
  stmt->BindText(1, job.kind);
  stmt->BindText(2, job.status);
  const std::string params = job.params_json.empty() ? std::string("{}") : job.params_json;
  stmt->BindText(3, params);
  stmt->BindReal(4, job.progress);
  stmt->BindText(5, job.stage);
  stmt->BindInt(6, job.run_id);
  stmt->BindText(7, job.error);
  stmt->BindText(8, job.actor);
  stmt->BindText(9, job.request_id);
  stmt->BindText(10, created);
  stmt->BindText(11, job.started_at);
  stmt->BindText(12, job.finished_at);
  SC_RETURN_IF_ERROR(StepDone(*stmt, kWhat));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

Status SqliteStore::UpdateJob(const JobRecord& job) {
  SC_RETURN_IF_ERROR(checks::CheckJob(job));
  static const std::string kSql =
      "UPDATE jobs SET status = ?, progress = ?, stage = ?, run_id = ?, error = ?, "
      "started_at = ?, finished_at = ? WHERE id = ?";
  constexpr std::string_view kWhat = "updating a job";
  SC_RETURN_IF_ERROR(CheckWritable(kWhat));
  SC_ASSIGN_OR_RETURN(Statement * stmt, Cached(kSql, kWhat));
  stmt->BindText(1, job.status);
  stmt->BindReal(2, job.progress);
  stmt->BindText(3, job.stage);
  stmt->BindInt(4, job.run_id);
  stmt->BindText(5, job.error);
  stmt->BindText(6, job.started_at);
  stmt->BindText(7, job.finished_at);
  stmt->BindInt(8, job.id);
  SC_RETURN_IF_ERROR(StepDone(*stmt, kWhat));
  if (sqlite3_changes(db_.get()) == 0) {
    return Error::NotFound(fmt::format("job {} does not exist", job.id));
  }
  return Status::Ok();
}

Result<std::optional<JobRecord>> SqliteStore::GetJob(int64_t id) {
  static const std::string kSql = std::string(kJobColumns) + "WHERE id = ?";
  SC_ASSIGN_OR_RETURN(auto jobs, ListBound<JobRecord>(
                                     kSql, "reading a job", [&](Statement& st) { st.BindInt(1, id); },
                                     ReadJob));
  if (jobs.empty()) return std::optional<JobRecord>();
  return std::optional<JobRecord>(std::move(jobs.front()));
}

Result<std::vector<JobRecord>> SqliteStore::ListJobs(int limit) {
  static const std::string kSql = std::string(kJobColumns) + "ORDER BY id DESC LIMIT ?";
  return ListBound<JobRecord>(
      kSql, "listing jobs", [&](Statement& st) { st.BindInt(1, std::max(limit, 0)); }, ReadJob);
}

// ---- Opening ----

// Checks what is at `path` before SQLite touches it, so a stray file is refused untouched.
Status CheckPathBeforeOpen(const std::string& path, const StoreOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    if (options.read_only) {
      return Error::NotFound(
          fmt::format("{}: no such store (opened read-only, so it is not created)", path));
    }
    return Status::Ok();
  }
  if (fs::is_directory(status)) {
    return Error::InvalidArgument(
        fmt::format("{}: is a directory; the store path must name a database file", path));
  }
  const auto size = fs::file_size(path, ec);
  if (!ec && size > 0 && !IsSqliteHeader(path)) {
    return Error::InvalidArgument(fmt::format(
        "{}: not a stockcast database (the file is not an SQLite database); choose another "
        "path or move the file away",
        path));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Store>> Open(const std::string& path, const StoreOptions& options) {
  if (path.empty()) {
    return Error::InvalidArgument(fmt::format(
        "store path is empty; must name a database file such as {}", kDefaultStorePath));
  }
  if (options.busy_timeout_ms < 0) {
    return Error::InvalidArgument(
        fmt::format("StoreOptions::busy_timeout_ms = {}; must be >= 0", options.busy_timeout_ms));
  }
  SC_RETURN_IF_ERROR(CheckPathBeforeOpen(path, options));
  const int flags =
      // NOMUTEX: a store is one connection used by one thread at a time (store.h), so SQLite's
      // own per-call locking is pure overhead.
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  SC_ASSIGN_OR_RETURN(Connection db, Connection::Open(path, flags));
  constexpr std::string_view kWhat = "opening the store";
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);

  // Identify the file before changing anything in it (journal mode, schema).
  Result<int> found = sqlite::ReadSchemaVersion(db);
  if (!found.ok()) {
    if ((sqlite3_extended_errcode(db.get()) & 0xff) == SQLITE_NOTADB) {
      return Error::InvalidArgument(
          fmt::format("{}: not a stockcast database (sqlite: {})", path, sqlite3_errmsg(db.get())));
    }
    return found.error();
  }
  const int latest = sqlite::LatestSchemaVersion();
  if (*found > latest) {
    return Error::InvalidArgument(fmt::format(
        "{}: database schema version {} is newer than this build supports ({}); upgrade "
        "stockcast",
        path, *found, latest));
  }

  SC_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON", kWhat));
  int version = *found;
  if (options.read_only) {
    if (version < latest) {
      return Error::InvalidArgument(fmt::format(
          "{}: database schema version {} is older than this build's ({}) and the store is "
          "opened read-only; open it read-write once to migrate it",
          path, version, latest));
    }
  } else {
    // WAL: readers do not block the writer; synchronous=NORMAL is durable at checkpoints and
    // cannot corrupt the database in WAL mode, at a fraction of FULL's fsyncs.
    std::string journal;
    {
      SC_ASSIGN_OR_RETURN(Statement mode, db.Prepare("PRAGMA journal_mode = WAL", kWhat));
      const int rc = mode.Step();
      if (rc != SQLITE_ROW) return db.Fail(rc, kWhat);
      journal = mode.ColumnText(0);
    }  // finalized here: an unfinished statement would block the migrations' COMMIT
    if (journal != "wal" && journal != "memory") {
      return Error::Unavailable(fmt::format(
          "{}: could not switch the database to WAL journal mode (it stays in {} mode); is it "
          "on a file system without shared-memory support?",
          path, journal));
    }
    // A larger page cache keeps the ledger's indexes in memory during big appends; reading
    // through a memory map instead of pread() spares a system call per page read, which is
    // what a random-key index lookup costs (large appends, idempotency checks).
    SC_RETURN_IF_ERROR(
        db.Exec("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; "
                "PRAGMA mmap_size = 1073741824; PRAGMA temp_store = MEMORY",
                kWhat));
    SC_ASSIGN_OR_RETURN(version, sqlite::Migrate(db, sqlite::Migrations()));
  }
  // synchronous is per connection: set it after the defaults above.
  if (options.durable_commits && !options.read_only) {
    SC_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL", kWhat));
  }

  const int rc = sqlite3_create_function_v2(db.get(), "stockcast_stock_delta", 2,
                                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                            &StockDeltaFunction, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return db.Fail(rc, "registering SQL functions");
  return std::unique_ptr<Store>(new SqliteStore(std::move(db), options, version));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options) {
  return Open(path, options);
}

}  // namespace stockcast
