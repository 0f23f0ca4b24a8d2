#include "store/migrations.h"

#include <fmt/format.h>

#include <algorithm>

namespace stockcast::sqlite {
namespace {

// Version 1: the initial schema.
//
// Conventions: dates are TEXT 'YYYY-MM-DD' (they sort and compare as dates), timestamps TEXT
// ISO 8601 UTC; NaN is stored as NULL; every table has the natural key of what it holds as its
// primary key, so imports can upsert.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE schema_migrations (
  version    INTEGER PRIMARY KEY,
  applied_at TEXT NOT NULL
);

-- Master data.
CREATE TABLE products (
  sku             TEXT PRIMARY KEY,
  name            TEXT NOT NULL DEFAULT '',
  category        TEXT NOT NULL DEFAULT '',
  supplier_id     TEXT NOT NULL DEFAULT '',
  unit_cost       REAL NOT NULL DEFAULT 0,
  price           REAL NOT NULL DEFAULT 0,
  shelf_life_days INTEGER NOT NULL DEFAULT 0,
  allow_backorder INTEGER NOT NULL DEFAULT 0 CHECK (allow_backorder IN (0, 1))
);
CREATE TABLE locations (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL DEFAULT '',
  capacity_units REAL NOT NULL DEFAULT 0
);
CREATE TABLE suppliers (
  id                  TEXT PRIMARY KEY,
  name                TEXT NOT NULL DEFAULT '',
  lead_time_mean_days REAL NOT NULL,
  lead_time_sd_days   REAL NOT NULL,
  moq                 REAL NOT NULL DEFAULT 0,
  case_pack           REAL NOT NULL DEFAULT 1,
  unit_cost           REAL NOT NULL DEFAULT 0,
  order_cost          REAL NOT NULL DEFAULT 0
);

-- The stock ledger: append-only. A movement is never changed or removed; a correction is a new
-- adjustment. The idempotency key makes appending the same movement twice a no-op.
CREATE TABLE stock_ledger (
  id              INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  type            TEXT NOT NULL CHECK (type IN ('receipt', 'sale', 'return', 'adjustment',
                                                'transfer_out', 'transfer_in')),
  sku             TEXT NOT NULL,
  location        TEXT NOT NULL,
  date            TEXT NOT NULL,
  seconds         INTEGER NOT NULL DEFAULT 0,
  quantity        REAL NOT NULL,
  unit_price      REAL NOT NULL DEFAULT 0,
  reference       TEXT NOT NULL DEFAULT '',
  actor           TEXT NOT NULL DEFAULT '',
  source          TEXT NOT NULL DEFAULT '',
  recorded_at     TEXT NOT NULL
);
-- Per-series reads (filters, stock-level rebuild) in date order. There is deliberately no
-- (date, seconds) index: it would add ~40% to the cost of an append, and a whole-ledger read in
-- date order is a single sort.
CREATE INDEX stock_ledger_series ON stock_ledger (sku, location, date, seconds);
CREATE TRIGGER stock_ledger_no_update BEFORE UPDATE ON stock_ledger
BEGIN
  SELECT RAISE(ABORT, 'stock_ledger is append-only: movements cannot be updated; append a correcting adjustment instead');
END;
CREATE TRIGGER stock_ledger_no_delete BEFORE DELETE ON stock_ledger
BEGIN
  SELECT RAISE(ABORT, 'stock_ledger is append-only: movements cannot be deleted; append a correcting adjustment instead');
END;

-- End-of-day on-hand counts.
CREATE TABLE stock_snapshots (
  sku      TEXT NOT NULL,
  location TEXT NOT NULL,
  date     TEXT NOT NULL,
  on_hand  REAL NOT NULL,
  PRIMARY KEY (sku, location, date)
);

-- Purchase-order lines (receipts.csv): received (date = receipt date) or open (date = expected).
CREATE TABLE purchase_orders (
  po_id       TEXT NOT NULL,
  sku         TEXT NOT NULL,
  location    TEXT NOT NULL,
  supplier_id TEXT NOT NULL DEFAULT '',
  quantity    REAL NOT NULL,
  order_date  TEXT,
  date        TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('received', 'open')),
  PRIMARY KEY (po_id, sku, location)
);
CREATE INDEX purchase_orders_status ON purchase_orders (status, sku, location);

-- Raw imported add-to-cart counts; location '' = all locations.
CREATE TABLE cart_daily (
  sku       TEXT NOT NULL,
  location  TEXT NOT NULL,
  date      TEXT NOT NULL,
  cart_adds REAL NOT NULL,
  PRIMARY KEY (sku, location, date)
);

-- Price promotions; location '' = all locations; end_date inclusive.
CREATE TABLE promotions (
  sku        TEXT NOT NULL,
  location   TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date   TEXT NOT NULL,
  discount   REAL NOT NULL CHECK (discount >= 0 AND discount < 1),
  PRIMARY KEY (sku, location, start_date)
);

-- Cleaned daily history: one row per series and day from its first observed day. The numeric
-- columns are the DemandPanel columns (NULL = NaN); flags are the PanelFlag bits.
CREATE TABLE sales_daily (
  sku        TEXT NOT NULL,
  location   TEXT NOT NULL,
  date       TEXT NOT NULL,
  demand     REAL,
  raw_demand REAL,
  returns    REAL,
  price      REAL,
  cart_adds  REAL,
  receipts   REAL,
  on_hand    REAL,
  flags      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sku, location, date)
) WITHOUT ROWID;  -- clustered by series and day: one B-tree, rows of a series stored together

-- Derived from stock_snapshots, stock_ledger and open purchase_orders; rebuilt at will.
CREATE TABLE stock_levels (
  sku           TEXT NOT NULL,
  location      TEXT NOT NULL,
  on_hand       REAL NOT NULL,
  on_order      REAL NOT NULL,
  snapshot_date TEXT,
  last_movement TEXT,
  rebuilt_at    TEXT NOT NULL,
  PRIMARY KEY (sku, location)
);

-- One row per import / forecast / plan.
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind        TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL DEFAULT '',
  status      TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
  params_json TEXT NOT NULL DEFAULT '',
  report_json TEXT NOT NULL DEFAULT '',
  version     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_kind ON runs (kind, id);

-- Forecasts per run, series and horizon step; quantiles as JSON [[level, value], ...].
CREATE TABLE forecasts (
  run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  sku       TEXT NOT NULL,
  location  TEXT NOT NULL,
  step      INTEGER NOT NULL CHECK (step >= 1),
  date      TEXT NOT NULL,
  mean      REAL NOT NULL,
  quantiles TEXT NOT NULL,
  model     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, sku, location, step)
);

-- Planned order lines with their explanation; `line` keeps the order they were saved in.
CREATE TABLE plans (
  run_id               INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  line                 INTEGER NOT NULL,
  sku                  TEXT NOT NULL,
  location             TEXT NOT NULL,
  supplier_id          TEXT NOT NULL DEFAULT '',
  order_date           TEXT NOT NULL,
  arrival_date         TEXT NOT NULL,
  quantity             REAL NOT NULL,
  unit_cost            REAL NOT NULL,
  on_hand              REAL NOT NULL,
  on_order             REAL NOT NULL,
  lead_time_demand     REAL NOT NULL,
  safety_stock         REAL NOT NULL,
  reorder_point        REAL NOT NULL,
  order_up_to          REAL NOT NULL,
  service_level        REAL NOT NULL,
  stockout_probability REAL NOT NULL,
  days_of_supply       REAL NOT NULL,
  binding              TEXT NOT NULL DEFAULT '',
  explanation          TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, line),
  UNIQUE (run_id, sku, location, order_date)
);
)sql";

// Alerts raised by `plan` (deduplicated by key, escalating while they persist) and the KPIs of
// each plan run, in long form.
constexpr std::string_view kAlertsAndKpis = R"sql(
CREATE TABLE alerts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  key         TEXT NOT NULL,
  type        TEXT NOT NULL,
  sku         TEXT NOT NULL,
  location    TEXT NOT NULL,
  level       TEXT NOT NULL CHECK (level IN ('high', 'medium', 'low')),
  first_level TEXT NOT NULL CHECK (first_level IN ('high', 'medium', 'low')),
  status      TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  action      TEXT NOT NULL DEFAULT '',
  message     TEXT NOT NULL DEFAULT '',
  first_seen  TEXT NOT NULL,
  last_seen   TEXT NOT NULL,
  occurrences INTEGER NOT NULL CHECK (occurrences >= 1),
  probability REAL NOT NULL,
  impact      REAL NOT NULL,
  run_id      INTEGER NOT NULL DEFAULT 0
);
-- At most one live (open or acknowledged) alert per key.
CREATE UNIQUE INDEX alerts_live_key ON alerts (key) WHERE status <> 'resolved';
CREATE INDEX alerts_status ON alerts (status, id);

-- The first and last stored day of every series of sales_daily, kept by SavePanel, so loading
-- the panel does not scan sales_daily twice.
CREATE TABLE panel_series (
  sku        TEXT NOT NULL,
  location   TEXT NOT NULL,
  first_date TEXT NOT NULL,
  last_date  TEXT NOT NULL,
  PRIMARY KEY (sku, location)
) WITHOUT ROWID;
INSERT INTO panel_series (sku, location, first_date, last_date)
  SELECT sku, location, MIN(date), MAX(date) FROM sales_daily GROUP BY sku, location;

CREATE TABLE kpis (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  scope  TEXT NOT NULL,
  key    TEXT NOT NULL,
  period TEXT NOT NULL,
  metric TEXT NOT NULL,
  value  REAL,
  PRIMARY KEY (run_id, scope, key, period, metric)
);
)sql";

// API tokens (hashes only) and the audit log of the REST API (append-only, like the ledger).
constexpr std::string_view kTokensAndAudit = R"sql(
CREATE TABLE api_tokens (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('viewer', 'planner', 'admin')),
  hash       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT NOT NULL DEFAULT ''
);

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  role       TEXT NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  action     TEXT NOT NULL,
  status     INTEGER NOT NULL,
  detail     TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END;
)sql";

// The service: warning lines per series (plan or manual), the plan's projection, planners'
// decisions on plan lines, and asynchronous jobs.
constexpr std::string_view kService = R"sql(
CREATE TABLE warning_lines (
  sku         TEXT NOT NULL,
  location    TEXT NOT NULL,
  lower_units REAL NOT NULL DEFAULT 0 CHECK (lower_units >= 0),
  upper_units REAL NOT NULL DEFAULT 0 CHECK (upper_units >= 0),
  source      TEXT NOT NULL CHECK (source IN ('plan', 'manual')),
  run_id      INTEGER NOT NULL DEFAULT 0,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (sku, location)
) WITHOUT ROWID;

CREATE TABLE projections (
  run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  sku      TEXT NOT NULL,
  location TEXT NOT NULL,
  date     TEXT NOT NULL,
  p10      REAL NOT NULL,
  p50      REAL NOT NULL,
  p90      REAL NOT NULL,
  arrivals REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, sku, location, date)
) WITHOUT ROWID;

CREATE TABLE plan_decisions (
  run_id     INTEGER NOT NULL,
  line       INTEGER NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('approved', 'rejected')),
  quantity   REAL NOT NULL CHECK (quantity >= 0),
  po_id      TEXT NOT NULL DEFAULT '',
  note       TEXT NOT NULL DEFAULT '',
  actor      TEXT NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  decided_at TEXT NOT NULL,
  PRIMARY KEY (run_id, line),
  FOREIGN KEY (run_id, line) REFERENCES plans (run_id, line) ON DELETE CASCADE
);

CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind        TEXT NOT NULL CHECK (kind IN ('forecast', 'plan')),
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  params_json TEXT NOT NULL DEFAULT '{}',
  progress    REAL NOT NULL DEFAULT 0,
  stage       TEXT NOT NULL DEFAULT '',
  run_id      INTEGER NOT NULL DEFAULT 0,
  error       TEXT NOT NULL DEFAULT '',
  actor       TEXT NOT NULL,
  request_id  TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  started_at  TEXT NOT NULL DEFAULT '',
  finished_at TEXT NOT NULL DEFAULT ''
);
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial schema", kInitialSchema},
    {2, "alerts, kpis and panel_series", kAlertsAndKpis},
    {3, "api tokens and audit log", kTokensAndAudit},
    {4, "warning lines, projections, plan decisions and jobs", kService},
};

Error NewerThanBuild(const Connection& db, int version, int latest) {
  return Error::InvalidArgument(fmt::format(
      "{}: database schema version {} is newer than this build supports ({}); upgrade stockcast",
      db.path(), version, latest));
}

// Rolls back on scope exit unless released; errors while rolling back are moot (SQLite may
// already have rolled back on the failure that brought us here).
class RollbackOnExit {
 public:
  explicit RollbackOnExit(Connection& db) : db_(db) {}
  ~RollbackOnExit() {
    if (armed_ && db_.in_transaction())
      sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void Release() { armed_ = false; }
  RollbackOnExit(const RollbackOnExit&) = delete;
  RollbackOnExit& operator=(const RollbackOnExit&) = delete;

 private:
  Connection& db_;
  bool armed_ = true;
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return Migrations().back().version; }

Result<int> ReadSchemaVersion(Connection& db) {
  constexpr std::string_view kWhat = "reading the schema version";
  SC_ASSIGN_OR_RETURN(int64_t tables,
                      db.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                                  "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                                  kWhat));
  SC_ASSIGN_OR_RETURN(int64_t has_migrations,
                      db.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                                  "name = 'schema_migrations'",
                                  kWhat));
  SC_ASSIGN_OR_RETURN(int64_t user_version, db.QueryInt("PRAGMA user_version", kWhat));
  if (has_migrations == 0) {
    if (tables > 0) {
      return Error::InvalidArgument(fmt::format(
          "{}: not a stockcast database (it has {} table{} but no schema_migrations table)",
          db.path(), tables, tables == 1 ? "" : "s"));
    }
    if (user_version != 0) {
      return Error::InvalidArgument(fmt::format(
          "{}: not a stockcast database (user_version is {} but there is no schema_migrations "
          "table)",
          db.path(), user_version));
    }
    return 0;
  }
  SC_ASSIGN_OR_RETURN(int64_t recorded,
                      db.QueryInt("SELECT MAX(version) FROM schema_migrations", kWhat));
  // Both records must agree that a version is supported: a newer tool may bump either.
  return static_cast<int>(std::max(recorded, user_version));
}

Result<int> Migrate(Connection& db, std::span<const Migration> migrations) {
  SC_ASSERT(!migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    SC_ASSERT_MSG(migrations[i].version == static_cast<int>(i) + 1,
                  "migration versions must be 1, 2, 3, ... in order");
  }
  const int latest = migrations.back().version;
  SC_ASSIGN_OR_RETURN(int version, ReadSchemaVersion(db));
  if (version > latest) return NewerThanBuild(db, version, latest);

  for (const Migration& m : migrations) {
    if (m.version <= version) continue;
    const std::string what = fmt::format("applying schema migration {} ({})", m.version, m.name);
    SC_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE", what));
    RollbackOnExit rollback(db);
    // Another process may have migrated while we waited for the write lock.
    SC_ASSIGN_OR_RETURN(version, ReadSchemaVersion(db));
    if (version > latest) return NewerThanBuild(db, version, latest);
    if (m.version <= version) {
      SC_RETURN_IF_ERROR(db.Exec("COMMIT", what));
      rollback.Release();
      continue;
    }
    SC_RETURN_IF_ERROR(db.Exec(m.sql, what));
    {
      SC_ASSIGN_OR_RETURN(
          Statement insert,
          db.Prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", what));
      const std::string now = UtcNowIso();
      insert.BindInt(1, m.version);
      insert.BindText(2, now);
      const int rc = insert.Step();
      if (rc != SQLITE_DONE) return db.Fail(rc, what);
    }
    SC_RETURN_IF_ERROR(db.Exec(fmt::format("PRAGMA user_version = {}", m.version), what));
    SC_RETURN_IF_ERROR(db.Exec("COMMIT", what));
    rollback.Release();
    version = m.version;
  }
  return version;
}

}  // namespace stockcast::sqlite
