// Import pipeline: published counts on UCI Online Retail, the golden cleaning report,
// atomicity, idempotency, and censoring against the generator's ground truth.
#include "stockcast/pipeline/import.h"

#include <cmath>
#include <filesystem>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stockcast/sim/generator.h"
#include "test_util.h"

namespace stockcast::pipeline {
namespace {

namespace fs = std::filesystem;

TEST(ImportUciTest, CountsAgreeWithThePublishedFigures) {
  const std::string path = testing::SharedDataPath("uci_online_retail/online_retail.csv.zst");
  if (path.empty()) GTEST_SKIP() << "../shared/data/uci_online_retail absent";
  ImportOptions o;
  o.order_files = {path};
  o.mapping = *io::PresetMapping("online-retail");
  auto report = RunImport(nullptr, Config{}, o);
  ASSERT_TRUE(report.ok()) << report.error().message;
  const auto& f = report->facts;
  EXPECT_EQ(f.lines_read, 541909);
  EXPECT_EQ(f.cancellation_lines, 9288);
  EXPECT_EQ(f.negative_quantity_lines, 10624);
  EXPECT_EQ(f.exact_duplicates, 5268);
  EXPECT_EQ(f.lines_without_customer, 135080);
  EXPECT_EQ(f.distinct_skus, 4070);
  EXPECT_EQ(f.distinct_orders, 25900);
  EXPECT_DOUBLE_EQ(f.sum_quantity, 5176450);
  EXPECT_NEAR(f.sum_value, 9747747.93, 0.01);
  EXPECT_EQ(f.first_date->ToString(), "2010-12-01");
  EXPECT_EQ(f.last_date->ToString(), "2011-12-09");
  // Every line has exactly one disposition.
  int64_t total = 0;
  for (int64_t n : report->rules) total += n;
  EXPECT_EQ(total, 541909);
  EXPECT_EQ(report->rules[static_cast<int>(clean::LineRule::kDuplicate)], 5268);
  // The famous 80,995-unit mis-order (cancelled the same day) must be caught as an outlier.
  EXPECT_GT(report->series.outlier_days, 0);
  EXPECT_LT(report->series.outlier_days, report->series.demand_days / 50);
  // The shop never traded on Saturdays: those days are missing, not zero demand.
  EXPECT_GT(report->series.missing_days, 0);
}

nlohmann::json Normalise(nlohmann::json j, const std::string& dir) {
  j.erase("seconds");  // timings vary run to run
  j.erase("stage_seconds");
  const std::string s = j.dump();
  std::string out;
  const std::string prefix = dir + "/";
  for (size_t pos = 0;;) {
    const size_t hit = s.find(prefix, pos);
    out += s.substr(pos, hit == std::string::npos ? std::string::npos : hit - pos);
    if (hit == std::string::npos) break;
    pos = hit + prefix.size();
  }
  return nlohmann::json::parse(out);
}

TEST(ImportGoldenTest, CleaningReportMatchesGoldenFile) {
  const fs::path dir = testing::GoldenPath("clean");
  ImportOptions o;
  o.order_files = {(dir / "orders.csv").string()};
  auto report = RunImport(nullptr, Config{}, o);
  ASSERT_TRUE(report.ok()) << report.error().message;
  const nlohmann::json got = Normalise(report->ToJson(), dir.string());
  const std::string golden_path = (dir / "report.json").string();
  if (std::getenv("STOCKCAST_UPDATE_GOLDEN")) testing::WriteFile(golden_path, got.dump(2) + "\n");
  const nlohmann::json want = nlohmann::json::parse(testing::ReadFile(golden_path));
  EXPECT_EQ(got, want) << "diff: " << nlohmann::json::diff(want, got).dump(2);
  // The hand-worked figures of tests/golden/clean/README.md.
  EXPECT_EQ(got["rules"]["demand"], 16);
  EXPECT_EQ(got["rules"]["return"], 1);
  EXPECT_EQ(got["series"]["missing_days"], 4);
  EXPECT_EQ(got["series"]["outlier_days"], 1);
  EXPECT_EQ(got["examples"]["duplicate"][0]["where"], "orders.csv:5");
}

// A generated dataset shared by the store tests below.
class ImportStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(testing::TempDir("import-gen"));
    sim::GeneratorOptions g;
    g.seed = 11;
    g.num_skus = 8;
    g.num_days = 150;
    auto data = sim::Generate(g);
    ASSERT_TRUE(data.ok()) << data.error().message;
    data_ = new sim::GeneratedData(std::move(data).value());
    ASSERT_TRUE(sim::WriteDataset(*data_, dir_->string()).ok());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete data_;
  }
  std::unique_ptr<Store> OpenFresh(const std::string& name) {
    const std::string path = (testing::TempDir("import-db") / name).string();
    auto s = OpenSqliteStore(path);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return std::move(s).value();
  }
  static fs::path* dir_;
  static sim::GeneratedData* data_;
};
fs::path* ImportStoreTest::dir_ = nullptr;
sim::GeneratedData* ImportStoreTest::data_ = nullptr;

TEST_F(ImportStoreTest, ImportingTheSameFilesTwiceChangesNothing) {
  auto store = OpenFresh("twice.db");
  ImportOptions o;
  ASSERT_TRUE(AddDirectory(dir_->string(), &o).ok());
  auto first = RunImport(store.get(), Config{}, o);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_GT(first->ledger_inserted, 0);
  EXPECT_EQ(first->ledger_already_present, 0);
  auto count = store->CountMovements();
  auto levels_before = store->ListStockLevels();
  auto second = RunImport(store.get(), Config{}, o);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->ledger_inserted, 0);
  EXPECT_EQ(second->ledger_already_present, first->ledger_inserted);
  EXPECT_EQ(*store->CountMovements(), *count);
  auto levels_after = store->ListStockLevels();
  ASSERT_EQ(levels_after->size(), levels_before->size());
  for (size_t i = 0; i < levels_after->size(); ++i) {
    EXPECT_DOUBLE_EQ((*levels_after)[i].on_hand, (*levels_before)[i].on_hand);
  }
  EXPECT_EQ(second->series.censored_days, first->series.censored_days);
}

TEST_F(ImportStoreTest, AFailingFileWritesNothing) {
  auto store = OpenFresh("atomic.db");
  ImportOptions o;
  ASSERT_TRUE(AddDirectory(dir_->string(), &o).ok());
  // A receipts file whose last row is broken: everything else parses first.
  const fs::path bad = testing::TempDir("import-bad") / "receipts.csv";
  std::string text = testing::ReadFile(*dir_ / "receipts.csv");
  text += "PO-X,SKU-0001,WH-SH,SUP-01,many,2024-01-01,2024-01-09,received\n";
  o.receipts = testing::WriteFile(bad, text);
  auto r = RunImport(store.get(), Config{}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("quantity = \"many\"; must be a number"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(*store->CountMovements(), 0);
  EXPECT_FALSE(store->LatestRun("import")->has_value());
  EXPECT_TRUE(store->ListProducts()->empty());
}

TEST_F(ImportStoreTest, StrictModeRefusesWarningsAndWritesNothing) {
  auto store = OpenFresh("strict.db");
  const fs::path f = testing::TempDir("import-strict") / "orders.csv";
  testing::WriteFile(f, "order_id,sku,quantity,unit_price,timestamp\nA,S1,1,,2024-01-01\n");
  ImportOptions o;
  o.order_files = {f.string()};
  o.strict = true;
  auto r = RunImport(store.get(), Config{}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "--strict: the import has data-quality warnings, nothing was written:\n"
            "  missing_price x 1 (first at " + f.string() + ":2)");
  EXPECT_EQ(*store->CountMovements(), 0);
  o.strict = false;
  auto ok = RunImport(store.get(), Config{}, o);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->warnings[static_cast<int>(clean::Warning::kMissingPrice)], 1);
}

TEST_F(ImportStoreTest, StockoutDaysAreFlaggedWhereTheGeneratorCensoredSales) {
  auto store = OpenFresh("censor.db");
  ImportOptions o;
  ASSERT_TRUE(AddDirectory(dir_->string(), &o).ok());
  auto r = RunImport(store.get(), Config{}, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto panel = store->LoadPanel();
  ASSERT_TRUE(panel.ok()) << panel.error().message;
  // Every day the generator lost sales (demand > sales) must end with no stock, so it must be
  // flagged censored; flagged days must be (almost) all real stockouts.
  int lost = 0, lost_flagged = 0, flagged = 0, flagged_true = 0;
  std::map<std::pair<std::string, std::string>, std::map<int32_t, const sim::GeneratedData::DemandRow*>> truth;
  for (const auto& row : data_->true_demand) truth[{row.sku, row.location}][row.date.days()] = &row;
  for (size_t i = 0; i < panel->num_series(); ++i) {
    const auto& key = panel->key(i);
    auto flags = panel->flags(i);
    auto on_hand = panel->column(PanelColumn::kOnHand, i);
    const auto& days = truth[{key.sku, key.location}];
    for (int t = 0; t < panel->num_days(); ++t) {
      auto it = days.find(panel->DateAt(t).days());
      if (it == days.end()) continue;
      const bool short_day = it->second->demand > it->second->sales + 1e-9;
      const bool censored = flags[t] & kFlagCensored;
      lost += short_day;
      lost_flagged += short_day && censored;
      flagged += censored;
      flagged_true += censored && (short_day || on_hand[t] <= 0);
    }
  }
  ASSERT_GT(lost, 10) << "the generator should produce stockouts";
  EXPECT_EQ(lost_flagged, lost);
  EXPECT_EQ(flagged_true, flagged);
}

}  // namespace
}  // namespace stockcast::pipeline

namespace stockcast::pipeline {
namespace {

TEST(ImportReceiptsTest, PartialDeliveriesOfOnePoLineAreTwoMovements) {
  const auto dir = testing::TempDir("import-partial");
  ImportOptions o;
  o.receipts = testing::WriteFile(dir / "receipts.csv",
                                  "po_id,sku,location,quantity,date,status\n"
                                  "PO1,S1,W,60,2024-01-10,received\n"
                                  "PO1,S1,W,40,2024-01-17,received\n");
  auto store = OpenSqliteStore((dir / "s.db").string());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto r = RunImport(store->get(), Config{}, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->ledger_inserted, 2);
  auto levels = (*store)->ListStockLevels();
  ASSERT_TRUE(levels.ok());
  ASSERT_EQ(levels->size(), 1u);
  EXPECT_DOUBLE_EQ((*levels)[0].on_hand, 100);
  // Importing the same file again adds nothing.
  auto again = RunImport(store->get(), Config{}, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ledger_inserted, 0);
}

}  // namespace
}  // namespace stockcast::pipeline

namespace stockcast::pipeline {
namespace {

TEST(ImportRulesTest, EmptySkuIsANonProductLineWithAWarning) {
  const auto dir = testing::TempDir("import-emptysku");
  ImportOptions o;
  o.order_files = {testing::WriteFile(dir / "o.csv",
                                      "order_id,sku,quantity,unit_price,timestamp\n"
                                      "A,S1,1,5,2024-01-01\nB,,1,25,2024-01-01\n")};
  auto r = RunImport(nullptr, Config{}, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->rules[static_cast<int>(clean::LineRule::kNonProduct)], 1);
  EXPECT_EQ(r->warnings[static_cast<int>(clean::Warning::kEmptySku)], 1);
}

TEST(ImportRulesTest, ShopifyCancelledOrdersAreNeitherDemandNorReturns) {
  const auto dir = testing::TempDir("import-shopify");
  ImportOptions o;
  o.mapping = *io::PresetMapping("shopify");
  o.order_files = {testing::WriteFile(
      dir / "s.csv",
      "Name,Created at,Lineitem quantity,Lineitem price,Lineitem sku,Cancelled at\n"
      "#1,2024-01-15 10:00:00 +0800,2,9.5,TS-1,\n"
      "#2,2024-01-15 11:00:00 +0800,1,9.5,TS-1,2024-01-15 12:00:00 +0800\n")};
  auto store = OpenSqliteStore((dir / "s.db").string());
  ASSERT_TRUE(store.ok());
  auto r = RunImport(store->get(), Config{}, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->rules[static_cast<int>(clean::LineRule::kDemand)], 1);
  EXPECT_EQ(r->rules[static_cast<int>(clean::LineRule::kCancelled)], 1);
  EXPECT_EQ(r->rules[static_cast<int>(clean::LineRule::kReturn)], 0);
  EXPECT_EQ(r->ledger_inserted, 1);  // only the shipped line moves stock
}

TEST(ImportRulesTest, TheSameLinesWrittenDifferentlyAreRecognisedAsImported) {
  const auto dir = testing::TempDir("import-rewritten");
  auto store = OpenSqliteStore((dir / "s.db").string());
  ASSERT_TRUE(store.ok());
  ImportOptions a;
  a.order_files = {testing::WriteFile(dir / "a.csv",
                                      "order_id,sku,quantity,unit_price,timestamp\n"
                                      "O1,S1,2,2.0,2024-01-01 10:00:00\n")};
  ASSERT_TRUE(RunImport(store->get(), Config{}, a).ok());
  // Another export of the same order line: columns reordered, "2.00", an extra column.
  ImportOptions b;
  b.order_files = {testing::WriteFile(dir / "b.csv",
                                      "timestamp,order_id,unit_price,sku,quantity,channel\n"
                                      "2024-01-01 10:00:00,O1,2.00,S1,2,web\n")};
  auto r = RunImport(store->get(), Config{}, b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->ledger_inserted, 0);
  EXPECT_EQ(r->ledger_already_present, 1);
}

}  // namespace
}  // namespace stockcast::pipeline

namespace stockcast::pipeline {
namespace {

TEST(ImportRulesTest, AnOrdersFileWithoutLinesIsWarnedAbout) {
  const auto dir = testing::TempDir("import-headeronly");
  ImportOptions o;
  o.order_files = {testing::WriteFile(dir / "o.csv", "order_id,sku,quantity,unit_price,timestamp\n")};
  auto r = RunImport(nullptr, Config{}, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->warnings[static_cast<int>(clean::Warning::kNoDataLines)], 1);
  o.strict = true;  // --strict refuses it
  EXPECT_FALSE(RunImport(nullptr, Config{}, o).ok());
}

}  // namespace
}  // namespace stockcast::pipeline
