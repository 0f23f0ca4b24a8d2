#pragma once
// `stockcast serve`: JSON over HTTP/1.1 (cpp-httplib) on the store.
//
// Every route but GET /healthz needs `Authorization: Bearer TOKEN` (server/auth.h) with a role
// at least the route's. Errors are JSON with a code and a message naming the field and the
// rule, and the matching status:
//   {"error":{"code":"invalid_argument","message":"quantity = -3 at $.moves[2].quantity; must be > 0"}}
//   400 invalid_argument, 401 unauthenticated, 403 permission_denied, 404 not_found,
//   413 too_large, 429 rate_limited, 500 internal.
// Every mutation is written to the audit log (token name, role, request id, action, status,
// detail). Each response carries X-Request-Id (the client's when it sent one).
//
// Routes: GET /openapi.json lists every route with its role; the README documents them.
// Public: GET /healthz, GET / and /assets/* (the dashboard's static files, which hold no data).
// Viewer: reads (products, locations, suppliers, stock, forecasts, plans, series, alerts, KPIs,
// warning lines, jobs, /metrics, /openapi.json). Planner: movements, sales and cart events,
// product/location/supplier changes, plan decisions, alert acknowledgements, warning lines,
// jobs. Admin: the audit log.
//
// A movement that takes a series' on hand below its lower warning line (or to zero from above)
// raises the alert in the same transaction; one that lifts it back above resolves it.
//
// Concurrency: with SQLite the server holds one connection and requests take turns on it;
// with PostgreSQL it holds a pool of db_pool connections and requests run in parallel, the
// database's row locks ordering writes to one series. Each batch is one transaction; nothing
// is half-applied. Requests that share an idempotency key never run at the same time.
#include <cstddef>
#include <memory>
#include <string>

#include "stockcast/core/error.h"

namespace stockcast::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                        // 0 = any free port (see Server::port())
  size_t max_body_bytes = 8 << 20;        // larger bodies get 413
  size_t max_batch = 10000;               // movements per request
  int threads = 8;                        // worker threads
  int db_pool = 8;                        // PostgreSQL connections (SQLite uses one)
  bool durable_commits = false;           // SQLite: flush every commit (StoreOptions)
  // Requests per second per token (a token bucket holding 2 s worth); 0 = no limit. Over it:
  // 429 rate_limited with Retry-After.
  double rate_limit = 0;
  // TLS (OpenSSL) for deployments without a reverse proxy: both set = HTTPS only.
  std::string tls_cert;  // PEM certificate (chain) file
  std::string tls_key;   // PEM private key file
  // Settings for the jobs' forecast and plan runs (stockcast.toml); "" = built-in defaults.
  std::string config_path;
  Status Validate() const;
};

class Server {
 public:
  // Opens the store (a SQLite file that must exist, or a postgresql:// URL) and binds the port.
  // Errors: a missing store, a port in use, unreadable TLS files, a bad config.
  static Result<std::unique_ptr<Server>> Create(const std::string& db_path,
                                                const ServerOptions& options);
  ~Server();
  int port() const;
  bool tls() const;
  // Serves until Stop() (from another thread or a signal handler). A running job finishes its
  // current stage's work before the server returns; queued jobs stay queued in the store and
  // are marked failed ("server stopped") at the next start.
  Status Run();
  void Stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The OpenAPI 3.0 document of the routes above (also served at /openapi.json).
std::string OpenApiJson();

}  // namespace stockcast::server
