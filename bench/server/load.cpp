// Load generator for `stockcast serve` (bench/server/load.sh): C connections on loopback post
// movements for S seconds, singly or in batches, and report throughput, p50/p99 latency and
// errors. Every movement is a receipt of 1 unit with a unique idempotency key, on SKUs
// LOAD-0..LOAD-99 in location WH-LOAD, so afterwards each balance must equal the number of
// movements the server accepted for it (the script checks that through GET /api/v1/stock).
//
//   stockcast_server_load --port P --token T [--connections 32] [--seconds 10] [--batch 0]
//                         [--retry-every 10]
// --batch 0 posts one movement per request; N > 0 posts {"moves":[N movements]}.
// --retry-every K re-sends every K-th request with the same keys (must change nothing).
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  int port = 0, connections = 32, seconds = 10, batch = 0, retry_every = 10;
  std::string token;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    const char* v = argv[i + 1];
    if (f == "--port") port = std::atoi(v);
    else if (f == "--token") token = v;
    else if (f == "--connections") connections = std::atoi(v);
    else if (f == "--seconds") seconds = std::atoi(v);
    else if (f == "--batch") batch = std::atoi(v);
    else if (f == "--retry-every") retry_every = std::atoi(v);
    else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      return 2;
    }
  }
  if (port <= 0 || token.empty() || connections < 1 || seconds < 1 || batch < 0) {
    std::fprintf(stderr, "usage: --port P --token T [--connections C] [--seconds S] [--batch N]\n");
    return 2;
  }
  std::atomic<long> requests{0}, errors{0}, movements{0};
  std::mutex first_error_mu;
  std::string first_error;
  std::vector<std::vector<double>> latencies(static_cast<size_t>(connections));
  const auto start = std::chrono::steady_clock::now();
  const auto stop_at = start + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(30, 0);
      const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
      long n = 0;
      std::string last_body;
      while (std::chrono::steady_clock::now() < stop_at) {
        std::string body;
        const bool retry = retry_every > 0 && n > 0 && n % retry_every == 0 && !last_body.empty();
        long count = 0;
        if (retry) {
          body = last_body;
        } else {
          auto move = [&](long k) {
            return "{\"sku\":\"LOAD-" + std::to_string((c * 7919 + k) % 100) +
                   "\",\"location\":\"WH-LOAD\",\"type\":\"receipt\",\"quantity\":1,"
                   "\"idempotency_key\":\"load-" + std::string(batch ? "b" : "s") +
                   std::to_string(c) + "-" + std::to_string(k) +
                   "\",\"date\":\"2024-06-01\"}";
          };
          if (batch == 0) {
            body = move(n);
            count = 1;
          } else {
            body = "{\"moves\":[";
            for (int b = 0; b < batch; ++b) body += (b ? "," : "") + move(n * batch + b);
            body += "]}";
            count = batch;
          }
        }
        const auto t0 = std::chrono::steady_clock::now();
        auto res = client.Post("/api/v1/movements", headers, body, "application/json");
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        ++requests;
        if (!res || res->status != 200) {
          ++errors;
          std::lock_guard<std::mutex> lock(first_error_mu);
          if (first_error.empty()) {
            first_error = res ? std::to_string(res->status) + " " + res->body
                              : "no response: " + httplib::to_string(res.error());
          }
        } else {
          latencies[static_cast<size_t>(c)].push_back(ms);
          if (!retry) movements += count;
        }
        if (!retry) last_body = body;
        ++n;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "{\"connections\": %d, \"batch\": %d, \"seconds\": %.2f, \"requests\": %ld, \"errors\": %ld, "
      "\"requests_per_second\": %.0f, \"movements_per_second\": %.0f, \"p50_ms\": %.2f, "
      "\"p99_ms\": %.2f, \"movements_accepted\": %ld}\n",
      connections, batch, secs, requests.load(), errors.load(), requests.load() / secs,
      movements.load() / secs, pct(0.50), pct(0.99), movements.load());
  if (!first_error.empty()) std::fprintf(stderr, "first error: %s\n", first_error.c_str());
  return 0;  // errors are in the report
}
