#include "store/pg/pg_migrations.h"

namespace stockcast::pg {
namespace {

// Version 1: the initial schema (see src/store/migrations.cpp for what each table holds).
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE schema_migrations (
  version    integer PRIMARY KEY,
  applied_at text NOT NULL
);

-- A movement's effect on on-hand stock: the sign rules of StockDelta (core/entities.cpp).
CREATE FUNCTION sc_stock_delta(movement_type text, quantity double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE movement_type
    WHEN 'receipt' THEN quantity WHEN 'return' THEN quantity WHEN 'transfer_in' THEN quantity
    WHEN 'sale' THEN -quantity WHEN 'transfer_out' THEN -quantity
    WHEN 'adjustment' THEN quantity END
$$;

-- Raised by the triggers of append-only tables.
CREATE FUNCTION sc_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'stock_ledger' THEN
    RAISE EXCEPTION 'stock_ledger is append-only: movements cannot be %d; append a correcting adjustment instead',
      lower(TG_OP) USING ERRCODE = 'restrict_violation';
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TABLE products (
  sku             text PRIMARY KEY,
  name            text NOT NULL DEFAULT '',
  category        text NOT NULL DEFAULT '',
  supplier_id     text NOT NULL DEFAULT '',
  unit_cost       double precision NOT NULL DEFAULT 0,
  price           double precision NOT NULL DEFAULT 0,
  shelf_life_days integer NOT NULL DEFAULT 0,
  allow_backorder boolean NOT NULL DEFAULT false
);
CREATE TABLE locations (
  id             text PRIMARY KEY,
  name           text NOT NULL DEFAULT '',
  capacity_units double precision NOT NULL DEFAULT 0
);
CREATE TABLE suppliers (
  id                  text PRIMARY KEY,
  name                text NOT NULL DEFAULT '',
  lead_time_mean_days double precision NOT NULL,
  lead_time_sd_days   double precision NOT NULL,
  moq                 double precision NOT NULL DEFAULT 0,
  case_pack           double precision NOT NULL DEFAULT 1,
  unit_cost           double precision NOT NULL DEFAULT 0,
  order_cost          double precision NOT NULL DEFAULT 0
);

CREATE TABLE stock_ledger (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  type            text NOT NULL CHECK (type IN ('receipt', 'sale', 'return', 'adjustment',
                                                'transfer_out', 'transfer_in')),
  sku             text NOT NULL,
  location        text NOT NULL,
  date            date NOT NULL,
  seconds         integer NOT NULL DEFAULT 0 CHECK (seconds BETWEEN 0 AND 86399),
  quantity        double precision NOT NULL,
  unit_price      double precision NOT NULL DEFAULT 0,
  reference       text NOT NULL DEFAULT '',
  actor           text NOT NULL DEFAULT '',
  source          text NOT NULL DEFAULT '',
  recorded_at     text NOT NULL
);
CREATE INDEX stock_ledger_series ON stock_ledger (sku, location, date, seconds);
CREATE TRIGGER stock_ledger_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON stock_ledger
  FOR EACH STATEMENT EXECUTE FUNCTION sc_append_only();

CREATE TABLE stock_snapshots (
  sku      text NOT NULL,
  location text NOT NULL,
  date     date NOT NULL,
  on_hand  double precision NOT NULL,
  PRIMARY KEY (sku, location, date)
);

CREATE TABLE purchase_orders (
  po_id       text NOT NULL,
  sku         text NOT NULL,
  location    text NOT NULL,
  supplier_id text NOT NULL DEFAULT '',
  quantity    double precision NOT NULL,
  order_date  date,
  date        date NOT NULL,
  status      text NOT NULL CHECK (status IN ('received', 'open')),
  PRIMARY KEY (po_id, sku, location)
);
CREATE INDEX purchase_orders_status ON purchase_orders (status, sku, location);

CREATE TABLE cart_daily (
  sku       text NOT NULL,
  location  text NOT NULL,
  date      date NOT NULL,
  cart_adds double precision NOT NULL,
  PRIMARY KEY (sku, location, date)
);

CREATE TABLE promotions (
  sku        text NOT NULL,
  location   text NOT NULL,
  start_date date NOT NULL,
  end_date   date NOT NULL,
  discount   double precision NOT NULL CHECK (discount >= 0 AND discount < 1),
  PRIMARY KEY (sku, location, start_date)
);

CREATE TABLE sales_daily (
  sku        text NOT NULL,
  location   text NOT NULL,
  date       date NOT NULL,
  demand     double precision,
  raw_demand double precision,
  returns    double precision,
  price      double precision,
  cart_adds  double precision,
  receipts   double precision,
  on_hand    double precision,
  flags      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (sku, location, date)
);

CREATE TABLE stock_levels (
  sku           text NOT NULL,
  location      text NOT NULL,
  on_hand       double precision NOT NULL,
  on_order      double precision NOT NULL,
  snapshot_date date,
  last_movement date,
  rebuilt_at    text NOT NULL,
  PRIMARY KEY (sku, location)
);

CREATE TABLE runs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        text NOT NULL,
  started_at  text NOT NULL,
  finished_at text NOT NULL DEFAULT '',
  status      text NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
  params_json text NOT NULL DEFAULT '',
  report_json text NOT NULL DEFAULT '',
  version     text NOT NULL DEFAULT ''
);
CREATE INDEX runs_kind ON runs (kind, id);

CREATE TABLE forecasts (
  run_id    bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  sku       text NOT NULL,
  location  text NOT NULL,
  step      integer NOT NULL CHECK (step >= 1),
  date      date NOT NULL,
  mean      double precision NOT NULL,
  quantiles text NOT NULL,
  model     text NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, sku, location, step)
);

CREATE TABLE plans (
  run_id               bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  line                 bigint NOT NULL,
  sku                  text NOT NULL,
  location             text NOT NULL,
  supplier_id          text NOT NULL DEFAULT '',
  order_date           date NOT NULL,
  arrival_date         date NOT NULL,
  quantity             double precision NOT NULL,
  unit_cost            double precision NOT NULL,
  on_hand              double precision NOT NULL,
  on_order             double precision NOT NULL,
  lead_time_demand     double precision NOT NULL,
  safety_stock         double precision NOT NULL,
  reorder_point        double precision NOT NULL,
  order_up_to          double precision NOT NULL,
  service_level        double precision NOT NULL,
  stockout_probability double precision NOT NULL,
  days_of_supply       double precision NOT NULL,
  binding              text NOT NULL DEFAULT '',
  explanation          text NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, line),
  UNIQUE (run_id, sku, location, order_date)
);
)sql";

constexpr std::string_view kAlertsAndKpis = R"sql(
CREATE TABLE alerts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key         text NOT NULL,
  type        text NOT NULL,
  sku         text NOT NULL,
  location    text NOT NULL,
  level       text NOT NULL CHECK (level IN ('high', 'medium', 'low')),
  first_level text NOT NULL CHECK (first_level IN ('high', 'medium', 'low')),
  status      text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  action      text NOT NULL DEFAULT '',
  message     text NOT NULL DEFAULT '',
  first_seen  date NOT NULL,
  last_seen   date NOT NULL,
  occurrences integer NOT NULL CHECK (occurrences >= 1),
  probability double precision NOT NULL,
  impact      double precision NOT NULL,
  run_id      bigint NOT NULL DEFAULT 0
);
-- At most one live (open or acknowledged) alert per key.
CREATE UNIQUE INDEX alerts_live_key ON alerts (key) WHERE status <> 'resolved';
CREATE INDEX alerts_status ON alerts (status, id);

CREATE TABLE panel_series (
  sku        text NOT NULL,
  location   text NOT NULL,
  first_date date NOT NULL,
  last_date  date NOT NULL,
  PRIMARY KEY (sku, location)
);
INSERT INTO panel_series (sku, location, first_date, last_date)
  SELECT sku, location, MIN(date), MAX(date) FROM sales_daily GROUP BY sku, location;

CREATE TABLE kpis (
  run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  scope  text NOT NULL,
  key    text NOT NULL,
  period text NOT NULL,
  metric text NOT NULL,
  value  double precision,
  PRIMARY KEY (run_id, scope, key, period, metric)
);
)sql";

constexpr std::string_view kTokensAndAudit = R"sql(
CREATE TABLE api_tokens (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL,
  role       text NOT NULL CHECK (role IN ('viewer', 'planner', 'admin')),
  hash       text NOT NULL UNIQUE,
  created_at text NOT NULL,
  revoked_at text NOT NULL DEFAULT ''
);

CREATE TABLE audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         text NOT NULL,
  actor      text NOT NULL,
  role       text NOT NULL,
  request_id text NOT NULL DEFAULT '',
  action     text NOT NULL,
  status     integer NOT NULL,
  detail     text NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION sc_append_only();
)sql";

constexpr std::string_view kService = R"sql(
CREATE TABLE warning_lines (
  sku         text NOT NULL,
  location    text NOT NULL,
  lower_units double precision NOT NULL DEFAULT 0 CHECK (lower_units >= 0),
  upper_units double precision NOT NULL DEFAULT 0 CHECK (upper_units >= 0),
  source      text NOT NULL CHECK (source IN ('plan', 'manual')),
  run_id      bigint NOT NULL DEFAULT 0,
  updated_at  text NOT NULL,
  PRIMARY KEY (sku, location)
);

CREATE TABLE projections (
  run_id   bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  sku      text NOT NULL,
  location text NOT NULL,
  date     date NOT NULL,
  p10      double precision NOT NULL,
  p50      double precision NOT NULL,
  p90      double precision NOT NULL,
  arrivals double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, sku, location, date)
);

CREATE TABLE plan_decisions (
  run_id     bigint NOT NULL,
  line       bigint NOT NULL,
  status     text NOT NULL CHECK (status IN ('approved', 'rejected')),
  quantity   double precision NOT NULL CHECK (quantity >= 0),
  po_id      text NOT NULL DEFAULT '',
  note       text NOT NULL DEFAULT '',
  actor      text NOT NULL,
  request_id text NOT NULL DEFAULT '',
  decided_at text NOT NULL,
  PRIMARY KEY (run_id, line),
  FOREIGN KEY (run_id, line) REFERENCES plans (run_id, line) ON DELETE CASCADE
);

CREATE TABLE jobs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('forecast', 'plan')),
  status      text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  params_json text NOT NULL DEFAULT '{}',
  progress    double precision NOT NULL DEFAULT 0,
  stage       text NOT NULL DEFAULT '',
  run_id      bigint NOT NULL DEFAULT 0,
  error       text NOT NULL DEFAULT '',
  actor       text NOT NULL,
  request_id  text NOT NULL DEFAULT '',
  created_at  text NOT NULL,
  started_at  text NOT NULL DEFAULT '',
  finished_at text NOT NULL DEFAULT ''
);
)sql";

constexpr PgMigration kMigrations[] = {
    {1, "initial schema", kInitialSchema},
    {2, "alerts, kpis and panel_series", kAlertsAndKpis},
    {3, "api tokens and audit log", kTokensAndAudit},
    {4, "warning lines, projections, plan decisions and jobs", kService},
};

}  // namespace

std::span<const PgMigration> PgMigrations() { return kMigrations; }

}  // namespace stockcast::pg
