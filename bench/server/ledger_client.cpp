// Ledger correctness under load for `stockcast serve` (bench/server/correctness.sh, crash.sh;
// docs/design/service.md §9 items 3 and 4).
//
// C client threads each post M random movements (receipts, sales, returns, signed adjustments,
// transfers between two locations) on the SKUs PREFIX000..PREFIX(N-1), as singles (a bare
// movement object) and small batches ({"moves":[...]}), each request on its own fresh keys:
//   - every K-th request is resent once with the same body (same keys) after its answer;
//   - every T-th request is first sent with a zero read timeout (the client gives up before the
//     answer: outcome unknown) and then retried normally;
//   - a request without a definite answer (timeout, connection refused or reset, 5xx) is retried
//     with the same body until it gets one; on connection errors the port file is read again, so
//     a server restarted on another port (crash.sh) is found. A request still without an answer
//     after --deadline seconds is given up (reported; the run fails).
// Definite answers: 200 = acknowledged, 409 = refused (the batch would take a SKU that allows no
// backorders below zero; nothing of it applied). A refused request that is resent may now be
// accepted (refusals are not recorded, so a retry is judged again, §4.1); the final state of a
// key is its last definite answer, and a key acknowledged once must never be refused after.
//
// Every acknowledged API movement is appended to DIR/acked-<thread>.log and fdatasync'ed before
// it is counted: `key<TAB>sku<TAB>location<TAB>type<TAB>quantity<TAB>to_location`. A transfer
// with key K is the ledger rows K:out and K:in (server.cpp). Keys refused at the end are written
// to DIR/refused-<thread>.log as `key<TAB>cause`, cause empty or after_timeout /
// after_lost_connection when the 409 answered a retry whose earlier attempt had no answer, keys of requests given up (outcome unknown) to
// DIR/unknown-<thread>.log. The checker (correctness.sh) compares these with the ledger.
//
// Each reply is also checked against what the ledger must do: a first answer on fresh keys
// inserts every row ("inserted" = rows, "already_present" = 0); a resend of an acknowledged
// request inserts nothing. A retry after an unknown outcome may find its rows already present
// (applied before the reply was lost) — counted, not an error.
//
//   stockcast_ledger_client --port-file F --token T --out DIR [--clients 16] [--movements 10000]
//       [--skus 100] [--sku-prefix LC-] [--locations A,B] [--run ID] [--seed 1]
//       [--resend-every 10] [--timeout-every 37] [--max-batch 8] [--deadline 120]
// Prints one JSON summary on stdout; exit 0 when every request got a definite answer and no
// reply contradicted the ledger rules, 1 otherwise.
#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string port_file;
  std::string token;
  std::string out_dir;
  int clients = 16;
  long movements = 10000;
  int skus = 100;
  std::string sku_prefix = "LC-";
  std::vector<std::string> locations = {"WH-A", "WH-B"};
  std::string run = "r1";
  uint64_t seed = 1;
  int resend_every = 10;
  int timeout_every = 37;
  int max_batch = 8;
  int deadline_seconds = 120;
};

struct Move {
  std::string key;
  std::string sku;
  std::string location;
  std::string type;  // receipt, sale, return, adjustment, transfer
  int quantity = 0;  // signed for adjustments
  std::string to_location;
  int rows() const { return type == "transfer" ? 2 : 1; }
};

// Counters summed over threads.
struct Counts {
  std::atomic<long> requests{0};           // HTTP attempts, all kinds
  std::atomic<long> logical_requests{0};   // distinct bodies (fresh requests)
  std::atomic<long> resends{0};            // deliberate resends of an answered request
  std::atomic<long> retries{0};            // attempts after no definite answer
  std::atomic<long> forced_timeouts{0};    // zero read timeout attempts that timed out
  std::atomic<long> connection_errors{0};  // no answer: refused, reset, timeout
  std::atomic<long> server_errors{0};      // 5xx answers (retried)
  std::atomic<long> acked_requests{0}, refused_requests{0};
  std::atomic<long> acked_moves{0}, refused_moves{0}, acked_rows{0};
  std::atomic<long> replayed_rows{0};            // already_present on resends of acked requests
  // A retry after an unknown outcome that found the rows already present (the first attempt
  // committed, its answer was lost): after a forced timeout, or after a lost connection (crash).
  std::atomic<long> applied_before_reply_timeout{0}, applied_before_reply_lost{0};
  std::atomic<long> refused_after_unknown{0};     // 409 on a retry after an unknown outcome
  std::atomic<long> interrupted_requests{0};     // sends that lost a connection or got a 5xx
  std::atomic<long> refused_then_accepted{0};    // requests: 409 first, 200 on a resend
  std::atomic<long> reply_mismatches{0};         // replies that contradict the ledger rules
  std::atomic<long> other_4xx{0};                // 400/401/413/...: a client or server bug
  std::atomic<long> gave_up{0};                  // requests with no definite answer by the deadline
};

std::mutex g_report_mu;
std::vector<std::string> g_problems;  // first few, with the key and what was expected

void Problem(const std::string& what) {
  std::lock_guard<std::mutex> lock(g_report_mu);
  if (g_problems.size() < 20) g_problems.push_back(what);
}

int ReadPort(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const Json j = Json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("port") || !j["port"].is_number_integer()) {
    return 0;
  }
  return j["port"].get<int>();
}

std::string MoveJson(const Move& m) {
  Json j = {{"sku", m.sku},
            {"location", m.location},
            {"type", m.type},
            {"quantity", m.quantity},
            {"idempotency_key", m.key}};
  if (!m.to_location.empty()) j["to_location"] = m.to_location;
  return j.dump();
}

std::string Body(const std::vector<Move>& moves) {
  if (moves.size() == 1) return MoveJson(moves[0]);  // a single: the bare object
  std::string body = "{\"moves\":[";
  for (size_t i = 0; i < moves.size(); ++i) body += (i ? "," : "") + MoveJson(moves[i]);
  return body + "]}";
}

// Appends the acknowledged movements to the thread's log and makes them durable first.
bool LogAcked(int fd, const std::vector<Move>& moves) {
  std::string text;
  for (const Move& m : moves) {
    text += m.key + "\t" + m.sku + "\t" + m.location + "\t" + m.type + "\t" +
            std::to_string(m.quantity) + "\t" + m.to_location + "\n";
  }
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) return false;
    p += n;
    left -= static_cast<size_t>(n);
  }
  return ::fdatasync(fd) == 0;
}

class Worker {
 public:
  Worker(const Options& o, Counts& counts, int id)
      : o_(o), counts_(counts), id_(id), rng_(o.seed * 1000003ULL + static_cast<uint64_t>(id)) {}

  // Returns false when the acknowledged log could not be written (the run is void).
  bool Run(std::vector<double>* latencies_ms) {
    const std::string log = o_.out_dir + "/acked-" + std::to_string(id_) + ".log";
    fd_ = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd_ < 0) {
      Problem("cannot open " + log);
      return false;
    }
    latencies_ = latencies_ms;
    long made = 0, n = 0;
    std::vector<std::string> refused_keys, unknown_keys;
    while (made < o_.movements) {
      std::vector<Move> moves = NextRequest(&made);
      const std::string body = Body(moves);
      acked_ = false;
      ++counts_.logical_requests;
      const bool force_timeout = o_.timeout_every > 0 && n % o_.timeout_every == o_.timeout_every - 1;
      Outcome first = Send(body, force_timeout);
      if (!Settle(moves, first, /*resend=*/false)) return false;
      // Why the first definite answer may not be the whole story: an earlier attempt of the same
      // body had no answer and may still be in flight on the server.
      const char* cause = !first.unknown_before ? "" : first.lost ? "after_lost_connection"
                                                                  : "after_timeout";
      if (o_.resend_every > 0 && n % o_.resend_every == o_.resend_every - 1 && first.status != 0) {
        ++counts_.resends;
        Outcome again = Send(body, false);
        if (!Settle(moves, again, /*resend=*/true)) return false;
        first.status = again.status != 0 ? again.status : first.status;
      }
      if (first.status == 409 && !acked_) {
        for (const Move& m : moves) refused_keys.push_back(m.key + "\t" + cause);
        if (first.unknown_before) ++counts_.refused_after_unknown;
      } else if (first.status == 0) {
        for (const Move& m : moves) unknown_keys.push_back(m.key);
      }
      ++n;
    }
    ::close(fd_);
    std::ofstream refused(o_.out_dir + "/refused-" + std::to_string(id_) + ".log");
    for (const std::string& k : refused_keys) refused << k << "\n";
    std::ofstream unknown(o_.out_dir + "/unknown-" + std::to_string(id_) + ".log");
    for (const std::string& k : unknown_keys) unknown << k << "\n";
    return true;
  }

 private:
  struct Outcome {
    int status = 0;  // 0 = no definite answer (gave up)
    long inserted = 0, already_present = 0;
    bool unknown_before = false;  // an earlier attempt may have been applied
    bool lost = false;            // ... and one of them lost its connection or got a 5xx
  };

  std::vector<Move> NextRequest(long* made) {
    std::uniform_int_distribution<int> pick_sku(0, o_.skus - 1), pick_loc(0, 1), qty(1, 5),
        pct(0, 99), batch_size(2, std::max(2, o_.max_batch));
    const int size = pct(rng_) < 50 ? 1 : batch_size(rng_);
    std::vector<Move> moves;
    for (int b = 0; b < size && *made < o_.movements; ++b, ++*made) {
      Move m;
      char sku[32];
      std::snprintf(sku, sizeof sku, "%s%03d", o_.sku_prefix.c_str(), pick_sku(rng_));
      m.sku = sku;
      const int loc = pick_loc(rng_);
      m.location = o_.locations[static_cast<size_t>(loc)];
      m.key = "lc-" + o_.run + "-c" + std::to_string(id_) + "-" + std::to_string(*made);
      m.quantity = qty(rng_);
      // 30 % receipts, 35 % sales, 5 % returns, 10 % signed adjustments, 20 % transfers: sales
      // outweigh supply, so SKUs without backorders run dry and get refusals.
      const int r = pct(rng_);
      if (r < 30) {
        m.type = "receipt";
      } else if (r < 65) {
        m.type = "sale";
      } else if (r < 70) {
        m.type = "return";
      } else if (r < 80) {
        m.type = "adjustment";
        if (pct(rng_) < 50) m.quantity = -m.quantity;
      } else {
        m.type = "transfer";
        m.to_location = o_.locations[static_cast<size_t>(1 - loc)];
      }
      moves.push_back(std::move(m));
    }
    return moves;
  }

  void Connect() {
    const int port = ReadPort(o_.port_file);
    if (port > 0 && (port != port_ || !client_)) {
      port_ = port;
      client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
      client_->set_keep_alive(true);
      client_->set_tcp_nodelay(true);
      client_->set_connection_timeout(2, 0);
      client_->set_read_timeout(10, 0);
    }
  }

  // Sends until a definite answer (2xx, 409, other 4xx) or the deadline.
  Outcome Send(const std::string& body, bool force_timeout) {
    Outcome out;
    const httplib::Headers headers = {{"Authorization", "Bearer " + o_.token}};
    const auto give_up_at = Clock::now() + std::chrono::seconds(o_.deadline_seconds);
    int backoff_ms = 5;
    bool first = true;
    while (true) {
      if (!first) ++counts_.retries;
      Connect();
      if (!client_) {
        if (Clock::now() > give_up_at) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
        backoff_ms = std::min(200, backoff_ms * 2);
        first = false;
        continue;
      }
      ++counts_.requests;
      const auto t0 = Clock::now();
      const bool quick = first && force_timeout;
      httplib::Result res = [&] {
        if (!quick) return client_->Post("/api/v1/movements", headers, body, "application/json");
        // Give up on the answer at once (poll with timeout 0): the server may or may not apply it.
        httplib::Client once("127.0.0.1", port_);
        once.set_keep_alive(false);
        once.set_connection_timeout(2, 0);
        once.set_read_timeout(0, 0);
        return once.Post("/api/v1/movements", headers, body, "application/json");
      }();
      if (quick && !res && res.error() == httplib::Error::Read) ++counts_.forced_timeouts;
      first = false;
      if (res && res->status < 500) {
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        latencies_->push_back(ms);
        out.status = res->status;
        if (res->status / 100 == 2) {
          const Json j = Json::parse(res->body, nullptr, false);
          if (j.is_discarded() || !j.contains("inserted") || !j.contains("already_present")) {
            Problem("200 reply without inserted/already_present: " + res->body.substr(0, 200));
            ++counts_.reply_mismatches;
          } else {
            out.inserted = j["inserted"].get<long>();
            out.already_present = j["already_present"].get<long>();
          }
        } else if (res->status != 409) {
          ++counts_.other_4xx;  // 400, 401, 413, ...: neither acknowledged nor refused
          Problem("HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 300) +
                  " for body " + body.substr(0, 200));
        }
        if (out.lost) ++counts_.interrupted_requests;
        return out;
      }
      out.unknown_before = true;
      if (res) {
        ++counts_.server_errors;
        out.lost = true;
      } else {
        if (!quick || res.error() != httplib::Error::Read) {
          ++counts_.connection_errors;
          out.lost = true;
        }
        if (!quick) client_.reset();  // a new connection (and a fresh look at the port file)
      }
      if (Clock::now() > give_up_at) break;
      const bool timed_out = !res && res.error() == httplib::Error::Read;
      if (!timed_out) {  // refused, reset or 5xx: back off (5 ms doubling to 200 ms)
        std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
        backoff_ms = std::min(200, backoff_ms * 2);
      }
    }
    ++counts_.gave_up;
    Problem("no definite answer within " + std::to_string(o_.deadline_seconds) +
            " s for body " + body.substr(0, 200));
    return out;
  }

  // Records a definite answer for the request's moves; false only when the log write failed.
  bool Settle(const std::vector<Move>& moves, const Outcome& out, bool resend) {
    if (out.status == 0) return true;  // gave up: reported, keys neither acked nor refused
    long rows = 0;
    for (const Move& m : moves) rows += m.rows();
    const std::string first_key = moves.front().key;
    if (out.status == 409) {
      if (acked_ && resend) {
        ++counts_.reply_mismatches;
        Problem("request starting at key " + first_key +
                " was acknowledged, then refused (409) when resent");
      }
      if (!resend) {
        ++counts_.refused_requests;
        counts_.refused_moves += static_cast<long>(moves.size());
      }
      return true;
    }
    if (out.status / 100 != 2) return true;  // other 4xx: reported in Send
    if (out.inserted + out.already_present != rows) {
      ++counts_.reply_mismatches;
      Problem("request starting at key " + first_key + ": inserted " +
              std::to_string(out.inserted) + " + already_present " +
              std::to_string(out.already_present) + " != " + std::to_string(rows) + " rows");
    }
    if (resend && acked_) {
      counts_.replayed_rows += out.already_present;
      if (out.inserted != 0) {
        ++counts_.reply_mismatches;
        Problem("resend of acknowledged request starting at key " + first_key + " inserted " +
                std::to_string(out.inserted) + " rows again (expected 0)");
      }
      return true;
    }
    // A first acknowledgement (of a fresh request, or of a refused one now accepted).
    if (out.already_present != 0) {
      if (out.unknown_before) {
        ++(out.lost ? counts_.applied_before_reply_lost : counts_.applied_before_reply_timeout);
      } else {
        ++counts_.reply_mismatches;
        Problem("fresh request starting at key " + first_key + " found " +
                std::to_string(out.already_present) + " rows already present (expected 0)");
      }
    }
    if (!LogAcked(fd_, moves)) {
      Problem("cannot append to acked log of thread " + std::to_string(id_));
      return false;
    }
    if (resend) {
      ++counts_.refused_then_accepted;
      --counts_.refused_requests;
      counts_.refused_moves -= static_cast<long>(moves.size());
    }
    acked_ = true;
    ++counts_.acked_requests;
    counts_.acked_moves += static_cast<long>(moves.size());
    counts_.acked_rows += rows;
    return true;
  }

  const Options& o_;
  Counts& counts_;
  int id_;
  std::mt19937_64 rng_;
  int fd_ = -1;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
  std::vector<double>* latencies_ = nullptr;
  bool acked_ = false;  // the current request's state
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string f = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "flag %s needs a value\n", f.c_str());
      return 2;
    }
    const std::string v = argv[i + 1];
    if (f == "--port-file") o.port_file = v;
    else if (f == "--token") o.token = v;
    else if (f == "--out") o.out_dir = v;
    else if (f == "--clients") o.clients = std::atoi(v.c_str());
    else if (f == "--movements") o.movements = std::atol(v.c_str());
    else if (f == "--skus") o.skus = std::atoi(v.c_str());
    else if (f == "--sku-prefix") o.sku_prefix = v;
    else if (f == "--run") o.run = v;
    else if (f == "--seed") o.seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (f == "--resend-every") o.resend_every = std::atoi(v.c_str());
    else if (f == "--timeout-every") o.timeout_every = std::atoi(v.c_str());
    else if (f == "--max-batch") o.max_batch = std::atoi(v.c_str());
    else if (f == "--deadline") o.deadline_seconds = std::atoi(v.c_str());
    else if (f == "--locations") {
      const auto comma = v.find(',');
      if (comma == std::string::npos || comma == 0 || comma + 1 == v.size()) {
        std::fprintf(stderr, "--locations = \"%s\"; must be two locations A,B\n", v.c_str());
        return 2;
      }
      o.locations = {v.substr(0, comma), v.substr(comma + 1)};
    } else {
      std::fprintf(stderr,
                   "unknown flag %s; known: --port-file --token --out --clients --movements --skus "
                   "--sku-prefix --locations --run --seed --resend-every --timeout-every "
                   "--max-batch --deadline\n",
                   f.c_str());
      return 2;
    }
  }
  if (o.port_file.empty() || o.token.empty() || o.out_dir.empty() || o.clients < 1 ||
      o.movements < 1 || o.skus < 1 || o.skus > 1000 || o.max_batch < 1 || o.deadline_seconds < 1) {
    std::fprintf(stderr,
                 "usage: --port-file F --token T --out DIR [--clients C >= 1] [--movements M >= 1] "
                 "[--skus 1..1000] [--max-batch >= 1] [--deadline S >= 1]\n");
    return 2;
  }
  Counts counts;
  std::vector<std::vector<double>> latencies(static_cast<size_t>(o.clients));
  std::atomic<bool> log_ok{true};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&, c] {
      Worker w(o, counts, c);
      if (!w.Run(&latencies[static_cast<size_t>(c)])) log_ok = false;
    });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  Json summary = {
      {"clients", o.clients},
      {"movements_per_client", o.movements},
      {"seconds", secs},
      {"http_attempts", counts.requests.load()},
      {"requests", counts.logical_requests.load()},
      {"requests_per_second", counts.requests.load() / secs},
      {"acked_movements_per_second", counts.acked_moves.load() / secs},
      {"p50_ms", pct(0.50)},
      {"p99_ms", pct(0.99)},
      {"acked_requests", counts.acked_requests.load()},
      {"acked_movements", counts.acked_moves.load()},
      {"acked_ledger_rows", counts.acked_rows.load()},
      {"refused_requests", counts.refused_requests.load()},
      {"refused_movements", counts.refused_moves.load()},
      {"resends", counts.resends.load()},
      {"replayed_rows", counts.replayed_rows.load()},
      {"refused_then_accepted", counts.refused_then_accepted.load()},
      {"retries", counts.retries.load()},
      {"forced_timeouts", counts.forced_timeouts.load()},
      {"connection_errors", counts.connection_errors.load()},
      {"server_errors_5xx", counts.server_errors.load()},
      {"interrupted_requests", counts.interrupted_requests.load()},
      {"refused_after_unknown_outcome", counts.refused_after_unknown.load()},
      {"applied_before_reply_after_timeout", counts.applied_before_reply_timeout.load()},
      {"applied_before_reply_after_lost_connection", counts.applied_before_reply_lost.load()},
      {"reply_mismatches", counts.reply_mismatches.load()},
      {"other_4xx", counts.other_4xx.load()},
      {"gave_up", counts.gave_up.load()},
      {"problems", g_problems},
  };
  std::printf("%s\n", summary.dump().c_str());
  const bool ok = log_ok && counts.reply_mismatches == 0 && counts.other_4xx == 0 &&
                  counts.gave_up == 0;
  return ok ? 0 : 1;
}
