// Concurrent live writers on both back ends: 16 threads, each with its own store, post 500
// random movements on 10 SKUs x 2 locations; one batch in ten is sent again with its keys (a
// client retrying). Afterwards, for every series, the ledger's deltas add up to the stock
// level's on hand, no series of a SKU without backorders is negative, and a full rebuild
// changes nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "store_fixture.h"

namespace stockcast::testing {
namespace {

class ConcurrencyTest : public StoreTest {};
STOCKCAST_STORE_BACKENDS(ConcurrencyTest);

constexpr int kThreads = 16;
constexpr int kMovementsPerThread = 500;
constexpr int kSkus = 10;

bool AllowsBackorders(int sku) { return sku % 2 == 0; }

TEST_P(ConcurrencyTest, ConcurrentPostsNeverLoseAnUpdateOrGoNegative) {
  std::vector<Product> products(kSkus);
  for (int s = 0; s < kSkus; ++s) {
    products[s].sku = fmt::format("SKU-{}", s);
    products[s].allow_backorder = AllowsBackorders(s);
  }
  ASSERT_TRUE(store_->UpsertProducts(products).ok());

  struct Outcome {
    int64_t inserted = 0, already_present = 0, refused = 0, unavailable = 0;
    std::vector<std::string> errors;
  };
  std::vector<Outcome> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t]() {
      Outcome& out = outcomes[t];
      auto opened = Reopen();
      if (!opened.ok()) {
        out.errors.push_back(Describe(opened.error()));
        return;
      }
      Store& store = **opened;
      std::mt19937 rng(1234 + t);
      std::uniform_int_distribution<int> sku_of(0, kSkus - 1), loc_of(0, 1), qty(1, 8),
          kind(0, 9), batch_size(1, 3);
      std::vector<std::vector<Movement>> sent;
      int made = 0;
      const auto post = [&](const std::vector<Movement>& batch) {
        for (int attempt = 0; attempt < 50; ++attempt) {
          auto r = store.PostMovements(batch);
          if (r.ok()) {
            out.inserted += r->inserted;
            out.already_present += r->already_present;
            return;
          }
          if (r.error().code == ErrorCode::kConflict) {
            ++out.refused;
            return;
          }
          if (r.error().code == ErrorCode::kUnavailable) {  // busy: a client retries
            ++out.unavailable;
            continue;
          }
          out.errors.push_back(Describe(r.error()));
          return;
        }
        out.errors.push_back("still unavailable after 50 attempts");
      };
      while (made < kMovementsPerThread) {
        if (!sent.empty() && kind(rng) == 0) {  // one in ten: resend an earlier batch
          post(sent[std::uniform_int_distribution<size_t>(0, sent.size() - 1)(rng)]);
          continue;
        }
        std::vector<Movement> batch;
        const int n = std::min(batch_size(rng), kMovementsPerThread - made);
        for (int i = 0; i < n; ++i, ++made) {
          const int k = kind(rng);
          const MovementType type = k < 4   ? MovementType::kReceipt
                                    : k < 8 ? MovementType::kSale
                                    : k < 9 ? MovementType::kTransferOut
                                            : MovementType::kReturn;
          batch.push_back(MakeMovement(fmt::format("t{}-m{}", t, made), type,
                                       fmt::format("SKU-{}", sku_of(rng)),
                                       loc_of(rng) == 0 ? "W1" : "W2", "2024-05-01", qty(rng),
                                       made % 86400));
        }
        post(batch);
        sent.push_back(std::move(batch));
      }
    });
  }
  for (std::thread& th : threads) th.join();

  int64_t inserted = 0, already = 0, refused = 0, unavailable = 0;
  for (const Outcome& o : outcomes) {
    for (const std::string& e : o.errors) ADD_FAILURE() << e;
    inserted += o.inserted;
    already += o.already_present;
    refused += o.refused;
    unavailable += o.unavailable;
  }
  std::printf("[ info     ] %s: %lld inserted, %lld already present, %lld batches refused, %lld "
              "busy retries\n",
              BackendName(GetParam()).c_str(), static_cast<long long>(inserted),
              static_cast<long long>(already), static_cast<long long>(refused),
              static_cast<long long>(unavailable));
  EXPECT_GT(already, 0) << "resent batches count as already present";
  EXPECT_GT(refused, 0) << "some sales of SKUs without backorders are refused";
  ASSERT_EQ(*store_->CountMovements(), inserted);

  std::map<std::pair<std::string, std::string>, double> ledger;
  ASSERT_TRUE(store_->ForEachMovement({}, [&](const Movement& m) {
                      ledger[{m.sku, m.location}] += StockDelta(m);
                    }).ok());
  auto kept = store_->ListStockLevels();
  ASSERT_TRUE(kept.ok()) << Describe(kept.error());
  std::map<std::pair<std::string, std::string>, double> levels;
  for (const StockLevel& l : *kept) levels[{l.sku, l.location}] = l.on_hand;
  for (const auto& [series, sum] : ledger) {
    ASSERT_TRUE(levels.count(series)) << series.first << "@" << series.second;
    EXPECT_EQ(levels[series], sum) << series.first << "@" << series.second;
    const int sku = std::stoi(series.first.substr(4));
    if (!AllowsBackorders(sku)) {
      EXPECT_GE(sum, 0) << series.first << "@" << series.second;
    }
  }
  ASSERT_TRUE(store_->RebuildStockLevels().ok());
  auto rebuilt = store_->ListStockLevels();
  ASSERT_TRUE(rebuilt.ok());
  ASSERT_EQ(rebuilt->size(), kept->size());
  for (size_t i = 0; i < kept->size(); ++i) {
    EXPECT_EQ((*rebuilt)[i].sku, (*kept)[i].sku);
    EXPECT_EQ((*rebuilt)[i].location, (*kept)[i].location);
    EXPECT_EQ((*rebuilt)[i].on_hand, (*kept)[i].on_hand) << (*kept)[i].sku;
    EXPECT_EQ((*rebuilt)[i].on_order, (*kept)[i].on_order) << (*kept)[i].sku;
    EXPECT_EQ((*rebuilt)[i].last_movement, (*kept)[i].last_movement) << (*kept)[i].sku;
  }
}

}  // namespace
}  // namespace stockcast::testing
