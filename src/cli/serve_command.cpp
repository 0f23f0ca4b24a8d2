// stockcast serve: the REST API (server/server.h); stockcast token create: API tokens
// (server/auth.h).
#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "stockcast/server/auth.h"
#include "stockcast/server/server.h"
#include "stockcast/store/store.h"

namespace stockcast::cli {
namespace {

server::Server* g_running = nullptr;

void StopOnSignal(int) {
  if (g_running != nullptr) g_running->Stop();
}

struct ServeArgs {
  std::string db = kDefaultStorePath;
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 8;
  int db_pool = 8;
  std::string durability = "normal";
  double rate_limit = 0;
  std::string tls_cert, tls_key;
  std::string port_file;
};

struct TokenArgs {
  std::string db = kDefaultStorePath;
  std::string role;
  std::string name;
  bool json = false;
};

}  // namespace

void AddServeCommand(CLI::App& app, const GlobalOptions& global, Runner* runner) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "REST API over the store (JSON over HTTP; tokens from `stockcast token create`)");
  cmd->add_option("--db", args->db, "store file or postgresql:// URL")->capture_default_str();
  cmd->add_option("--host", args->host, "address to listen on")->capture_default_str();
  cmd->add_option("--port", args->port, "port (0 = any free port, printed)")->capture_default_str();
  cmd->add_option("--threads", args->threads, "worker threads")->capture_default_str();
  cmd->add_option("--rate-limit", args->rate_limit,
                  "requests per second per token (0 = none); over it: 429")
      ->capture_default_str();
  cmd->add_option("--db-pool", args->db_pool,
                  "PostgreSQL connections serving requests in parallel (SQLite uses one)")
      ->capture_default_str();
  cmd->add_option("--durability", args->durability,
                  "SQLite commits: normal (survive a killed process) or full (flushed to disk, "
                  "survive a power cut; slower)")
      ->check(CLI::IsMember({"normal", "full"}))
      ->capture_default_str();
  cmd->add_option("--tls-cert", args->tls_cert, "PEM certificate: serve HTTPS (with --tls-key)");
  cmd->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert");
  cmd->add_option("--port-file", args->port_file,
                  "write the listening port to this file once the server is ready");
  cmd->callback([&global, runner, args]() {
    *runner = [&global, args]() -> Status {
      server::ServerOptions o;
      o.host = args->host;
      o.port = args->port;
      o.threads = args->threads;
      o.db_pool = args->db_pool;
      o.durable_commits = args->durability == "full";
      o.rate_limit = args->rate_limit;
      o.tls_cert = args->tls_cert;
      o.tls_key = args->tls_key;
      // Jobs plan and forecast with the same settings as the command line would.
      if (!global.config_path.empty()) {
        o.config_path = global.config_path;
      } else if (std::filesystem::exists("stockcast.toml")) {
        o.config_path = "stockcast.toml";
      }
      auto s = server::Server::Create(args->db, o);
      if (!s.ok()) return s.error();
      g_running = s->get();
      std::signal(SIGINT, StopOnSignal);
      std::signal(SIGTERM, StopOnSignal);
      const char* scheme = (*s)->tls() ? "https" : "http";
      if (!global.quiet) {
        std::cerr << fmt::format("stockcast serve: listening on {}://{}:{} (store {}); dashboard at "
                                 "{}://{}:{}/; Ctrl-C stops\n",
                                 scheme, args->host, (*s)->port(), args->db, scheme, args->host,
                                 (*s)->port());
        if (!(*s)->tls() && args->host != "127.0.0.1" && args->host != "localhost" &&
            args->host != "::1") {
          std::cerr << "stockcast serve: warning: listening beyond loopback without TLS; tokens "
                       "travel in clear text (use --tls-cert/--tls-key or a reverse proxy)\n";
        }
      }
      if (!args->port_file.empty()) {
        const std::string tmp = args->port_file + ".tmp";
        {
          std::ofstream f(tmp);
          f << (*s)->port() << "\n";
          if (!f) return Error::InvalidArgument(fmt::format("--port-file {}: cannot write", args->port_file));
        }
        std::filesystem::rename(tmp, args->port_file);
      }
      std::cout << fmt::format("{{\"port\": {}, \"tls\": {}}}", (*s)->port(), (*s)->tls()) << std::endl;
      Status st = (*s)->Run();
      g_running = nullptr;
      return st;
    };
  });
}

void AddTokenCommand(CLI::App& app, const GlobalOptions&, Runner* runner) {
  auto args = std::make_shared<TokenArgs>();
  CLI::App* token = app.add_subcommand("token", "API tokens for `stockcast serve`");
  token->require_subcommand(1);
  CLI::App* create = token->add_subcommand(
      "create", "Make a token and print it once (only its hash is stored)");
  create->add_option("--db", args->db, "store file or postgresql:// URL")->capture_default_str();
  create->add_option("--role", args->role, "viewer, planner or admin")->required();
  create->add_option("--name", args->name, "who or what the token is for")
      ->capture_default_str();
  create->add_flag("--json", args->json, "print {\"id\", \"token\", \"role\"} as JSON");
  create->callback([runner, args]() {
    *runner = [args]() -> Status {
      auto role = server::ParseRole(args->role);
      if (!role) {
        return JsonAware(args->json,
                         Error::InvalidArgument(fmt::format(
                             "--role = \"{}\"; must be viewer, planner or admin", args->role)));
      }
      auto store = OpenExistingStore(args->db);
      if (!store.ok()) return JsonAware(args->json, store.error());
      const std::string name = args->name.empty() ? args->role + " token" : args->name;
      auto made = server::CreateToken(**store, name, *role);
      if (!made.ok()) return JsonAware(args->json, made.error());
      if (args->json) {
        std::cout << nlohmann::json{{"id", made->id},
                                    {"token", made->token},
                                    {"role", args->role},
                                    {"name", name}}
                         .dump(2)
                  << std::endl;
      } else {
        std::cout << made->token << "\n";
        std::cerr << fmt::format(
            "token {} \"{}\" with role {}: shown once, only its hash is stored. Send it as "
            "\"Authorization: Bearer TOKEN\".\n",
            made->id, name, args->role);
      }
      return Status::Ok();
    };
  });

  CLI::App* list = token->add_subcommand("list", "List tokens (names, roles, dates; never secrets)");
  list->add_option("--db", args->db, "store file or postgresql:// URL")->capture_default_str();
  list->add_flag("--json", args->json, "print a JSON array");
  list->callback([runner, args]() {
    *runner = [args]() -> Status {
      auto store = OpenExistingStore(args->db);
      if (!store.ok()) return JsonAware(args->json, store.error());
      auto tokens = (*store)->ListTokens();
      if (!tokens.ok()) return JsonAware(args->json, tokens.error());
      nlohmann::json out = nlohmann::json::array();
      for (const TokenRecord& t : *tokens) {
        out.push_back({{"id", t.id},
                       {"name", t.name},
                       {"role", t.role},
                       {"created_at", t.created_at},
                       {"revoked_at", t.revoked_at}});
        if (!args->json) {
          std::cout << fmt::format("{:>4}  {:<8} {:<24} created {}{}\n", t.id, t.role, t.name,
                                   t.created_at,
                                   t.revoked_at.empty() ? "" : "  REVOKED " + t.revoked_at);
        }
      }
      if (args->json) std::cout << out.dump(2) << std::endl;
      return Status::Ok();
    };
  });

  auto revoke_id = std::make_shared<int64_t>(0);
  CLI::App* revoke = token->add_subcommand(
      "revoke", "Revoke a token by id (a running server stops accepting it within 10 s)");
  revoke->add_option("--db", args->db, "store file or postgresql:// URL")->capture_default_str();
  revoke->add_option("id", *revoke_id, "token id (see `token list`)")->required();
  revoke->callback([runner, args, revoke_id]() {
    *runner = [args, revoke_id]() -> Status {
      auto store = OpenExistingStore(args->db);
      if (!store.ok()) return store.error();
      Status st = (*store)->WithTransaction([&]() -> Status {
        SC_RETURN_IF_ERROR((*store)->RevokeToken(*revoke_id));
        AuditRecord a;
        a.actor = "cli";
        a.role = "admin";
        a.action = "token revoke";
        a.status = 200;
        a.detail = fmt::format("token {}", *revoke_id);
        return (*store)->AppendAudit(a).status();
      });
      if (!st.ok()) return st;
      std::cerr << fmt::format("token {} revoked\n", *revoke_id);
      return Status::Ok();
    };
  });
}

}  // namespace stockcast::cli
