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
// Routes (this release; GET /openapi.json describes each with its role and shapes):
//   GET  /healthz                      no token: {"status":"ok"}
//   GET  /openapi.json                 viewer: OpenAPI 3.0 description of these routes
//   GET  /metrics                      viewer: Prometheus text (requests, latencies, movements)
//   GET  /api/v1/products              viewer: ?limit=100&offset=0&category=&sku=
//   POST /api/v1/products              planner: a product or {"products":[...]} (upsert by sku)
//   GET  /api/v1/locations             viewer
//   GET  /api/v1/suppliers             viewer
//   POST /api/v1/movements             planner: a movement or {"moves":[...]}; one transaction,
//                                      idempotency keys make retries safe
//   GET  /api/v1/stock                 viewer: ?sku=&location= balances (on hand, on order)
//   GET  /api/v1/alerts                viewer: open and acknowledged alerts (?all=1: resolved too)
//   POST /api/v1/alerts/{id}/ack       planner
//   GET  /api/v1/kpis                  viewer: KPIs of the latest plan run
//   GET  /api/v1/plans/latest          viewer: the latest plan's lines with their explanation
//
// Concurrency: the SQLite store is one connection behind a mutex, so requests touch it one at
// a time (each batch is one transaction; nothing is half-applied).
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
  // Requests per second per token (a token bucket holding 2 s worth); 0 = no limit. Over it:
  // 429 rate_limited with Retry-After.
  double rate_limit = 0;
  Status Validate() const;
};

class Server {
 public:
  // Opens the store (it must exist) and binds the port. Errors: a missing store, a port in use.
  static Result<std::unique_ptr<Server>> Create(const std::string& db_path,
                                                const ServerOptions& options);
  ~Server();
  int port() const;
  // Serves until Stop() (from another thread or a signal handler).
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
