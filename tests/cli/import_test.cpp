// `stockcast import`: idempotent re-imports, --dry-run, --strict, mapping files and presets,
// checked through the JSON cleaning report.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_util.h"

namespace stockcast::testing {
namespace {

namespace fs = std::filesystem;

CliRun ImportJson(const std::string& args, const fs::path& db) {
  return Cli("import --json " + args + " --db " + Q(db));
}

TEST(CliImportTest, ReimportingTheSameDirectoryInsertsNothing) {
  const fs::path data = GenerateSmall(7, 3, 40);
  const fs::path db = TempDir("stockcast-cli-import") / "x.db";
  const CliRun first = ImportJson("--dir " + Q(data), db);
  ASSERT_EQ(first.code, 0) << first.Dump();
  const nlohmann::json j1 = Json(first);
  const int64_t inserted = j1["ledger"]["inserted"].get<int64_t>();
  EXPECT_GT(inserted, 0) << first.out;
  EXPECT_EQ(j1["ledger"]["already_present"], 0) << first.out;
  EXPECT_EQ(j1["dry_run"], false);
  EXPECT_EQ(j1["db"], db.string());
  EXPECT_GT(j1["lines_read"].get<int64_t>(), 0);
  EXPECT_EQ(j1["series"]["count"].get<int64_t>(), 3 * 2) << "3 SKUs x 2 warehouses";

  const CliRun second = ImportJson("--dir " + Q(data), db);
  ASSERT_EQ(second.code, 0) << second.Dump();
  const nlohmann::json j2 = Json(second);
  EXPECT_EQ(j2["ledger"]["inserted"], 0) << second.out;
  EXPECT_EQ(j2["ledger"]["already_present"], inserted) << second.out;
  // The daily series are rebuilt from everything stored: the same as after the first import.
  EXPECT_EQ(j2["series"], j1["series"]);

  // The same export from another folder is recognised too (lines are keyed by content).
  const fs::path copy = data.parent_path() / "copy";
  fs::copy(data, copy);
  const CliRun third = ImportJson("--dir " + Q(copy), db);
  ASSERT_EQ(third.code, 0) << third.Dump();
  EXPECT_EQ(Json(third)["ledger"]["inserted"], 0) << third.out;
  EXPECT_EQ(Json(third)["ledger"]["already_present"], inserted) << third.out;
}

TEST(CliImportTest, TextReportNamesTheStore) {
  const fs::path data = GenerateSmall(7, 3, 40);
  const fs::path db = TempDir("stockcast-cli-import") / "x.db";
  const CliRun run = Cli("-q import --dir " + Q(data) + " --db " + Q(db));
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_TRUE(Contains(run.out, "Cleaning report")) << run.out;
  EXPECT_TRUE(Contains(run.out, "lines read")) << run.out;
  EXPECT_TRUE(Contains(run.out, "Imported into " + db.string())) << run.out;
}

TEST(CliImportTest, DryRunReportsButLeavesNoStoreFile) {
  const fs::path data = GenerateSmall(7, 3, 40);
  const fs::path tmp = TempDir("stockcast-cli-import");
  const fs::path db = tmp / "x.db";
  const CliRun run = ImportJson("--dry-run --dir " + Q(data), db);
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json j = Json(run);
  EXPECT_EQ(j["dry_run"], true);
  EXPECT_GT(j["lines_read"].get<int64_t>(), 0);
  EXPECT_EQ(j["ledger"]["inserted"], 0);
  EXPECT_FALSE(j.contains("db")) << run.out;
  EXPECT_TRUE(fs::is_empty(tmp)) << "dry run wrote into " << tmp;

  const CliRun text = Cli("-q import --dry-run --dir " + Q(data) + " --db " + Q(db));
  ASSERT_EQ(text.code, 0) << text.Dump();
  EXPECT_TRUE(Contains(text.out, "dry run: nothing written")) << text.out;
  EXPECT_FALSE(Contains(text.out, "Imported into")) << text.out;
  EXPECT_TRUE(fs::is_empty(tmp));
}

// A demand line without a unit price is a missing_price warning.
constexpr const char* kOrdersWithMissingPrice =
    "order_id,sku,quantity,unit_price,timestamp\n"
    "1,SKU-A,2,,2024-01-01\n"
    "2,SKU-B,1,1.0,2024-01-02\n"
    "3,SKU-A,1,3.5,2024-01-02\n";

TEST(CliImportTest, StrictFailsOnWarningsAndWritesNothing) {
  const fs::path tmp = TempDir("stockcast-cli-import");
  const std::string orders = WriteFile(tmp / "in" / "orders.csv", kOrdersWithMissingPrice);
  const fs::path db = tmp / "x.db";
  const CliRun run = Cli("import --strict --orders " + Q(orders) + " --db " + Q(db));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "stockcast: error: --strict:")) << run.Dump();
  EXPECT_TRUE(Contains(run.err, "missing_price x 1 (first at " + orders + ":2)")) << run.Dump();
  EXPECT_TRUE(StoreIsEmpty(db)) << "--strict wrote to " << db;

  const CliRun lax = ImportJson("--orders " + Q(orders), db);
  ASSERT_EQ(lax.code, 0) << lax.Dump();
  const nlohmann::json j = Json(lax);
  EXPECT_EQ(j["warnings"]["missing_price"]["count"], 1) << lax.out;
  EXPECT_EQ(j["rules"]["demand"], 3) << lax.out;
  EXPECT_EQ(j["ledger"]["inserted"], 3) << "--strict must not have written anything";
}

TEST(CliImportTest, StrictPassesCleanData) {
  const fs::path tmp = TempDir("stockcast-cli-import");
  const std::string orders = WriteFile(tmp / "orders.csv",
                                       "order_id,sku,quantity,unit_price,timestamp\n"
                                       "1,A,2,3.5,2024-01-01\n");
  const CliRun run = ImportJson("--strict --orders " + Q(orders), tmp / "x.db");
  ASSERT_EQ(run.code, 0) << run.Dump();
  EXPECT_EQ(Json(run)["warnings"], nlohmann::json::object()) << run.out;
}

TEST(CliImportTest, MappingFileReadsSemicolonDecimalCommaExport) {
  const fs::path tmp = TempDir("stockcast-cli-import");
  const std::string mapping = WriteFile(tmp / "de.toml", R"(
[columns]
order_id = "Bestellnummer"
sku = "Artikel"
quantity = "Menge"
unit_price = "Preis"
timestamp = "Datum"
location = "Lager"
[options]
date_order = "dmy"
delimiter = ";"
decimal_comma = true
)");
  // 03/02/2024 is the 3rd of February in dmy order (the 2nd of March in mdy).
  const std::string orders = WriteFile(tmp / "export.csv",
                                       "Bestellnummer;Artikel;Menge;Preis;Datum;Lager\n"
                                       "1001;SKU-1;2;2,55;03/02/2024 10:00;Berlin\n"
                                       "1001;SKU-2;1;10,00;03/02/2024 10:00;Berlin\n"
                                       "1002;SKU-1;-1;2,55;04/02/2024;Berlin\n"
                                       "1003;SKU-1;3;2,55;04/02/2024;Berlin\n");
  const CliRun run = ImportJson("--mapping " + Q(mapping) + " --orders " + Q(orders), tmp / "x.db");
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json j = Json(run);
  EXPECT_EQ(j["lines_read"], 4);
  EXPECT_EQ(j["distinct_orders"], 3);
  EXPECT_EQ(j["distinct_skus"], 2);
  EXPECT_EQ(j["negative_quantity_lines"], 1);
  EXPECT_EQ(j["rules"]["demand"], 3);
  EXPECT_EQ(j["rules"]["return"], 1);
  EXPECT_DOUBLE_EQ(j["sum_quantity"].get<double>(), 5.0);
  // 2 x 2.55 + 10.00 - 2.55 + 3 x 2.55: decimal commas read as decimals.
  EXPECT_NEAR(j["sum_value"].get<double>(), 20.20, 1e-9) << run.out;
  EXPECT_EQ(j["first_date"], "2024-02-03");
  EXPECT_EQ(j["last_date"], "2024-02-04");
  EXPECT_EQ(j["series"]["count"], 2) << "2 SKUs at Berlin";
  EXPECT_EQ(j["warnings"], nlohmann::json::object()) << run.out;
  ASSERT_EQ(j["files"].size(), 1u);
  EXPECT_EQ(j["files"][0]["format"], mapping) << run.out;
}

TEST(CliImportTest, MappingFileWithUnknownFieldExitsThree) {
  const fs::path tmp = TempDir("stockcast-cli-import");
  const std::string mapping = WriteFile(tmp / "bad.toml",
                                        "[columns]\n"
                                        "order_id = \"No\"\n"
                                        "colour = \"Farbe\"\n");
  const std::string orders = WriteFile(tmp / "o.csv", "No\n1\n");
  const CliRun run =
      Cli("import --mapping " + Q(mapping) + " --orders " + Q(orders) + " --db " + Q(tmp / "x.db"));
  EXPECT_EQ(run.code, 3) << run.Dump();
  EXPECT_TRUE(Contains(run.err, mapping + ":3: unknown field columns.colour")) << run.Dump();
}

TEST(CliImportTest, PresetAndMappingTogetherAreABadCommandLine) {
  const fs::path tmp = TempDir("stockcast-cli-import");
  const CliRun run = Cli("import --preset shopify --mapping " + Q(tmp / "m.toml") + " --orders " +
                         Q(tmp / "o.csv") + " --db " + Q(tmp / "x.db"));
  EXPECT_EQ(run.code, 2) << run.Dump();
}

TEST(CliImportTest, ShopifyPresetCountsCancellationsDuplicatesAndNonProductLines) {
  const fs::path tmp = TempDir("stockcast-cli-import");
  const std::string orders = WriteFile(
      tmp / "orders_export.csv",
      "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
      "Lineitem sku,Cancelled at\n"
      "#1001,a@x.cn,paid,2024-01-15 10:23:45 -0500,2,T-shirt,19.00,TS-1,\n"
      "#1001,,,,1,Cap,9.50,CAP-1,\n"
      "#1002,b@x.cn,refunded,2024-01-16 11:00:00 -0500,1,Cap,9.50,CAP-1,"
      "2024-01-17 08:00:00 -0500\n"
      "#1002,,,,3,Socks,4.00,SO-1,\n"
      "#1003,c@x.cn,paid,2024-01-17 09:00:00 -0500,1,Standard shipping,5.00,SHIPPING-STD,\n"
      "#1003,,,,1,T-shirt,19.00,TS-1,\n"
      "#1003,,,,1,T-shirt,19.00,TS-1,\n");
  const CliRun run = ImportJson("--preset shopify --orders " + Q(orders), tmp / "x.db");
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json j = Json(run);
  EXPECT_EQ(j["lines_read"], 7);
  EXPECT_EQ(j["distinct_orders"], 3);
  EXPECT_EQ(j["cancellation_lines"], 2) << "both lines of the cancelled order #1002";
  EXPECT_EQ(j["exact_duplicates"], 1);
  EXPECT_EQ(j["lines_without_customer"], 0) << "Email is carried to later lines of an order";
  EXPECT_EQ(j["rules"]["demand"], 3);
  // The cancelled order never shipped: its lines are neither demand nor returns.
  EXPECT_EQ(j["rules"]["cancelled"], 2);
  EXPECT_EQ(j["rules"]["return"], 0);
  EXPECT_EQ(j["rules"]["duplicate"], 1);
  EXPECT_EQ(j["rules"]["non_product"], 1);
  EXPECT_EQ(j["rules"]["adjustment"], 0);
  EXPECT_EQ(j["first_date"], "2024-01-15");
  EXPECT_EQ(j["last_date"], "2024-01-17");
  ASSERT_EQ(j["files"].size(), 1u);
  EXPECT_EQ(j["files"][0]["format"], "shopify");
  EXPECT_EQ(j["files"][0]["rows"], 7);
}

TEST(CliImportTest, OnlineRetailPresetCountsCancellationsAdjustmentsAndPostage) {
  const fs::path tmp = TempDir("stockcast-cli-import");
  const std::string orders = WriteFile(
      tmp / "online_retail.csv",
      "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
      "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,"
      "United Kingdom\n"
      "536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850.0,United Kingdom\n"
      "536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850.0,United Kingdom\n"
      "536366,POST,POSTAGE,1,12/1/2010 8:28,18.00,,United Kingdom\n"
      "C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-2,12/2/2010 9:41,2.55,17850.0,"
      "United Kingdom\n"
      "536380,22139,,-10,12/2/2010 10:00,0,,United Kingdom\n"
      "536381,22139,RETROSPOT TEA SET,3,12/2/2010 10:05,4.95,13047.0,United Kingdom\n");
  const CliRun run = ImportJson("--preset online-retail --orders " + Q(orders), tmp / "x.db");
  ASSERT_EQ(run.code, 0) << run.Dump();
  const nlohmann::json j = Json(run);
  EXPECT_EQ(j["lines_read"], 7);
  EXPECT_EQ(j["distinct_orders"], 5);
  EXPECT_EQ(j["distinct_skus"], 4);
  EXPECT_EQ(j["cancellation_lines"], 1);
  EXPECT_EQ(j["negative_quantity_lines"], 2);
  EXPECT_EQ(j["exact_duplicates"], 1);
  EXPECT_EQ(j["lines_without_customer"], 2);
  EXPECT_EQ(j["rules"]["demand"], 3);
  EXPECT_EQ(j["rules"]["return"], 1) << "the C invoice";
  EXPECT_EQ(j["rules"]["adjustment"], 1) << "negative quantity on an invoice not cancelled";
  EXPECT_EQ(j["rules"]["duplicate"], 1);
  EXPECT_EQ(j["rules"]["non_product"], 1) << "POST";
  EXPECT_EQ(j["first_date"], "2010-12-01") << "M/D/YYYY dates";
  EXPECT_EQ(j["last_date"], "2010-12-02");
  EXPECT_EQ(j["files"][0]["format"], "online-retail");
}

}  // namespace
}  // namespace stockcast::testing
